/**
 * Numbers between the port and EventStoreDB: global positions and stream revisions.
 *
 * Positions. The port gives each event one `number`, strictly increasing in `$all` order, with
 * `after` exclusive and 0 meaning "before the first event". EventStoreDB orders `$all` by a pair
 * of transaction-log byte offsets `{commit, prepare}` (bigints). An append over gRPC writes each
 * of its events as its own committed log record (a prepare flagged `IsCommitted`), and `$all`
 * reports such an event at `{commit: p, prepare: p}`, p being the record's own offset
 * (`AllReader.cs` of the server: `new CommitEventRecord(eventRecord, prepare.LogPosition)`).
 * So every event that this adapter wrote has `commit === prepare`, unique and increasing in
 * `$all` order, and the mapping is:
 *
 *     position = commit + 1          {commit, prepare} = {position - 1, position - 1}
 *
 * (`+ 1` keeps 0 free for "before everything" even if an event sat at log offset 0.) Only
 * events of the legacy TCP protocol's explicit transactions share a commit position (their
 * prepares precede one commit record); they cannot be numbered faithfully with one number each,
 * never occur in streams written through this adapter, and are refused with a clear error.
 * Note that an append's response reports one position for the whole batch: its commit position
 * is that of the batch's last event (the server acknowledges the batch at its last record).
 * @module
 */
import { StoreError, type ExpectedRevision } from '../../core/index.js';

/** A position in EventStoreDB's `$all`: transaction-log byte offsets. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

/** The client's expected-revision argument (`streamState`). */
export type StreamState = 'any' | 'no_stream' | 'stream_exists' | bigint;

const MAX = BigInt(Number.MAX_SAFE_INTEGER) - 1n;

/**
 * The port's position of an event found at `at` in `$all` (see the module comment).
 * @throws StoreError when `commit !== prepare` (an event of an explicit transaction), or when the
 *   offset is beyond 2^53 - 2 (a log of 8 PiB).
 */
export function toStorePosition(at: LogPosition, where = 'an event'): number {
  if (at.commit !== at.prepare)
    throw new StoreError(`${where} sits at $all {commit ${at.commit}, prepare ${at.prepare}}, a commit position shared with other events (a legacy explicit transaction): stopcovid needs one commit position per event`);
  if (at.commit < 0n || at.commit > MAX) throw new StoreError(`${where} sits at $all offset ${at.commit}, out of the range stopcovid positions can hold`);
  return Number(at.commit) + 1;
}

/**
 * The `$all` position of the event whose port position is `position` (the inverse of
 * {@link toStorePosition}); a read from it starts at that event.
 * @throws StoreError when `position` is not a whole number >= 1.
 */
export function toLogPosition(position: number): LogPosition {
  if (!Number.isSafeInteger(position) || position < 1) throw new StoreError(`${position} is not a position of an event`);
  const offset = BigInt(position - 1);
  return { commit: offset, prepare: offset };
}

/**
 * The client's `streamState` for the port's expected revision: the three names pass through, a
 * revision becomes a bigint, and -1 means `no_stream` (as in `checkExpectedRevision`).
 * @throws StoreError for any other negative or fractional number (a programming error).
 */
export function toStreamState(expected: ExpectedRevision): StreamState {
  if (typeof expected === 'string') return expected;
  if (expected === -1) return 'no_stream';
  if (!Number.isSafeInteger(expected) || expected < 0) throw new StoreError(`expected revision ${expected} is not a revision: use a whole number >= 0, 'no_stream', 'any' or 'stream_exists'`);
  return BigInt(expected);
}

/**
 * A stream revision (or a stream's current revision) from the client as a port number.
 * @throws StoreError beyond 2^53 - 1.
 */
export function toRevision(revision: bigint): number {
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreError(`stream revision ${revision} is out of the range stopcovid can hold`);
  return Number(revision);
}

/** The actual state carried by a wrong-expected-version error, as {@link ConcurrencyError} wants it. */
export function toActualRevision(actual: unknown): number | 'no_stream' {
  if (typeof actual === 'bigint') return actual < 0n ? 'no_stream' : toRevision(actual);
  if (typeof actual === 'number' && Number.isSafeInteger(actual)) return actual < 0 ? 'no_stream' : actual;
  return 'no_stream';
}
