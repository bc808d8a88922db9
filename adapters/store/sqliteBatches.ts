/**
 * The record-batch layout of the SQLite store (the default): one row per batch of at most
 * {@link BATCH} consecutive events of one append, its body encoded by `recordBatch.ts`. A run of
 * at least {@link LONG_RUN} events of one type has batches of its own; shorter runs between them
 * (a tick's exposures: `HealthStatusChanged` and `NotificationIssued` in turn, its lone
 * `TickCompleted`) share batches, whose `type` column names the set of their types
 * (`HealthStatusChanged,NotificationIssued`). A batch's events sit at consecutive positions and
 * revisions from the row's `position` and `revision`, so every event keeps its identity. Rows
 * are indexed by type (set) and by stream: a read of some types decodes only batches that hold
 * one of those types, and a read from a position decodes at most one batch that begins before it.
 * @module
 */
import type Database from 'better-sqlite3';
import { EventDecodeError, type RawEvent } from '../../events/index.js';
import type { SqliteLayout } from './sqliteLayout.js';
import { decodeBatch, decodeRun, encodeBatch, encodeRun, type BatchEvent } from './recordBatch.js';
import { eventCount, sliceRun, type EventRun, type RawItem, type StoredRun } from '../../core/index.js';

/** The tables of the batch layout (the streams and checkpoints tables are the store's). */
export const BATCHES_SCHEMA = `
CREATE TABLE batches (
  position INTEGER PRIMARY KEY,
  count    INTEGER NOT NULL,
  stream   TEXT    NOT NULL,
  revision INTEGER NOT NULL,
  type     TEXT    NOT NULL,
  body     BLOB    NOT NULL
);
CREATE UNIQUE INDEX batches_stream ON batches (stream, revision);
CREATE INDEX batches_type ON batches (type, position);
CREATE TABLE batch_types (type TEXT PRIMARY KEY) WITHOUT ROWID;
`;

/** Most events in one batch. */
export const BATCH = 4096;
/** Runs of one type at least this long get batches of their own. */
export const LONG_RUN = 32;
/** Separates the types of a batch of several types in its `type` column. */
const SEP = ',';

/** A batch row in raw mode, columns in table order. */
type BatchRow = [position: number, count: number, stream: string, revision: number, type: string, body: Buffer];

/** Rows read from each type's index in one round of a type-filtered read (see `pageOfTypes`). */
const ROUND_ROWS = 64;

/** Decoded batches kept for the next page (a page of 1,000 events reads a batch of 4,096 in four pages). */
const CACHED = 8;

/** The batch layout on `db`, whose tables exist. */
export function batchesLayout(db: Database.Database): SqliteLayout {
  const insert = db.prepare('INSERT INTO batches (position, count, stream, revision, type, body) VALUES (?, ?, ?, ?, ?, ?)');
  const last = db.prepare('SELECT position + count - 1 FROM batches ORDER BY position DESC LIMIT 1').pluck();
  const fromAll = db.prepare('SELECT * FROM batches WHERE position >= COALESCE((SELECT position FROM batches WHERE position <= ? ORDER BY position DESC LIMIT 1), 0) ORDER BY position').raw();
  const fromType = db.prepare('SELECT * FROM batches WHERE type = ? AND position >= COALESCE((SELECT position FROM batches WHERE type = ? AND position <= ? ORDER BY position DESC LIMIT 1), 0) ORDER BY position').raw();
  const fromStream = db.prepare('SELECT * FROM batches WHERE stream = ? AND revision >= COALESCE((SELECT revision FROM batches WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT 1), 0) ORDER BY revision').raw();
  const addType = db.prepare('INSERT OR IGNORE INTO batch_types (type) VALUES (?)');
  const allTypes = db.prepare('SELECT type FROM batch_types').pluck();
  const decoded = new Map<string, number>();
  const cache = new Map<number, BatchEvent[]>();
  const runCache = new Map<number, EventRun | null>();

  /**
   * What `decode` makes of the body of `row`, decoded once and kept in `kept` for the next pages
   * (a null, a batch that is not a run, counts as no decoding).
   * @throws EventDecodeError for a body that is not a batch.
   */
  const decodeOnce = <T>(kept: Map<number, T>, row: BatchRow, decode: (body: Buffer, count: number) => T): T => {
    const [position, count, stream, revision, type, body] = row;
    if (kept.has(position)) return kept.get(position)!;
    let out: T;
    try {
      out = decode(body, count);
    } catch (error) {
      throw new EventDecodeError({ stream, revision, type }, `corrupt record batch of ${count} events (${(error as Error).message})`);
    }
    if (out) decoded.set(type, (decoded.get(type) ?? 0) + 1);
    kept.set(position, out);
    if (kept.size > CACHED) kept.delete(kept.keys().next().value!);
    return out;
  };
  /** The events of `row`. */
  const events = (row: BatchRow): BatchEvent[] => decodeOnce(cache, row, decodeBatch);
  /** The events of a batch of one type as a run, or null when they do not fit one. */
  const runOf = (row: BatchRow): EventRun | null => decodeOnce(runCache, row, (body, count) => decodeRun(body, count) ?? null);

  /**
   * Append the events of `rows` whose `key` (position or revision offset) is past `after`, up to
   * `limit` events in all; with `runs`, a batch of at least {@link LONG_RUN} events of one type
   * whose columns fit a run is handed as one (sliced) run.
   */
  const collect = (rows: Iterable<BatchRow>, after: number, limit: number, byRevision: boolean, wanted?: ReadonlySet<string>, runs = false): RawItem[] => {
    const out: RawItem[] = [];
    let n = 0;
    for (const row of rows) {
      const [position, count, stream, revision, type] = row;
      const first = byRevision ? revision : position;
      if (first + count - 1 <= after) continue;
      const start = Math.max(0, after + 1 - first);
      const run = runs && count >= LONG_RUN && !type.includes(SEP) ? runOf(row) : null;
      if (run) {
        const end = Math.min(count, start + limit - n);
        if (!wanted || wanted.has(type)) {
          out.push(sliceRun<StoredRun>({ ...run, stream, revision, position }, start, end));
          n += end - start;
        }
      } else {
        const batch = events(row);
        for (let i = start; i < count && n < limit; i++) {
          const e = batch[i]!;
          if (wanted && !wanted.has(e.type)) continue;
          out.push({ position: position + i, stream, revision: revision + i, type: e.type, data: e.data, metadata: e.metadata });
          n++;
        }
      }
      if (n >= limit) break;
    }
    return out;
  };

  /**
   * Rows of `iter` until they hold `limit` events whose key is past `after` (the iterator is
   * closed then: `truncated`); the key is the position, or the revision with `byRevision`.
   */
  const rowsFor = (iter: IterableIterator<unknown>, after: number, limit: number, byRevision = false, maxRows = Infinity): { rows: BatchRow[]; truncated: boolean } => {
    const rows: BatchRow[] = [];
    let events = 0;
    for (const r of iter) {
      const row = r as BatchRow;
      rows.push(row);
      events += Math.min(row[1], (byRevision ? row[3] : row[0]) + row[1] - 1 - after);
      if (events >= limit || rows.length >= maxRows) return { rows, truncated: true };
    }
    return { rows, truncated: false };
  };

  /**
   * Up to `limit` events of `types` after `after`. Each type (and each set of types that holds
   * one of them) is read along the type index, at most {@link ROUND_ROWS} rows a round, and the
   * runs are merged by position up to the first end of a run cut short, where the next round
   * starts (batches never overlap, so every row that begins before that end also ends before
   * it): batches of several types may hold fewer wanted events than their count.
   */
  const pageOfTypes = (after: number, limit: number, types: readonly string[], asRuns = false): RawItem[] => {
    const wanted = new Set(types);
    const sets = [...wanted, ...(allTypes.all() as string[]).filter((set) => set.split(SEP).some((t) => wanted.has(t)))];
    const filter = sets.length > wanted.size ? wanted : undefined;
    const out: RawItem[] = [];
    let n = 0;
    for (let at = after; ; ) {
      // at most ROUND_ROWS rows a set a round: a set of rare types is not read to the end of the
      // log while a dense one (the moves) holds the merge to its first rows
      const runs = sets.map((type) => rowsFor(fromType.iterate(type, type, at + 1), at, limit - n, false, ROUND_ROWS));
      let horizon = Infinity;
      for (const run of runs) if (run.truncated) horizon = Math.min(horizon, run.rows.at(-1)![0] + run.rows.at(-1)![1] - 1);
      const merged = runs.length === 1 ? runs[0]!.rows : runs.flatMap((run) => run.rows.filter((row) => row[0] <= horizon)).sort((a, b) => a[0] - b[0]);
      const items = collect(merged, at, limit - n, false, filter, asRuns);
      for (const item of items) out.push(item);
      n += eventCount(items);
      if (n >= limit || horizon === Infinity) return out;
      at = horizon;
    }
  };

  return {
    name: 'batches',
    decoded,
    forget() {
      cache.clear();
      runCache.clear();
    },
    write(stream, events, from, to, revision, position) {
      const put = (i: number, j: number, types: ReadonlySet<string>) => {
        const type = [...types].sort().join(SEP);
        if (types.size > 1) addType.run(type);
        insert.run(position + i, j - i, stream, revision + i, type, encodeBatch(events, i, j));
      };
      let mixed = from;
      let mixedTypes = new Set<string>();
      let i = from;
      while (i < to) {
        const type = events[i]!.type;
        let j = i + 1;
        while (j < to && events[j]!.type === type) j++;
        if (j - i >= LONG_RUN || type.includes(SEP)) {
          if (mixed < i) put(mixed, i, mixedTypes);
          for (let k = i; k < j; k += BATCH) put(k, Math.min(k + BATCH, j), new Set([type]));
          mixed = j;
          mixedTypes = new Set();
        } else {
          if (i - mixed + (j - i) > BATCH) {
            put(mixed, i, mixedTypes);
            mixed = i;
            mixedTypes = new Set();
          }
          mixedTypes.add(type);
        }
        i = j;
      }
      if (mixed < to) put(mixed, to, mixedTypes);
    },
    writeRun(stream, run, revision, position) {
      // a run of one type is batched as a long run of its events would be: batches of its own
      for (let k = 0; k < run.count; k += BATCH) {
        const j = Math.min(k + BATCH, run.count);
        insert.run(position + k, j - k, stream, revision + k, run.type, encodeRun(run, k, j));
      }
    },
    page(after, limit, types) {
      if (types) return pageOfTypes(after, limit, types) as RawEvent[];
      return collect(rowsFor(fromAll.iterate(after + 1), after, limit).rows, after, limit, false) as RawEvent[];
    },
    pageOfRuns(after, limit, types) {
      if (types) return pageOfTypes(after, limit, types, true);
      return collect(rowsFor(fromAll.iterate(after + 1), after, limit).rows, after, limit, false, undefined, true);
    },
    streamPage(stream, fromRevision, limit) {
      return collect(rowsFor(fromStream.iterate(stream, stream, fromRevision), fromRevision - 1, limit, true).rows, fromRevision - 1, limit, true) as RawEvent[];
    },
    lastPosition() {
      return (last.get() as number | undefined) ?? 0;
    },
  };
}
