/**
 * What every writer of a world's ticks shares (`simulate`, and `test` / `policy set` when no
 * simulate runs): resuming the world's state, reading the inbox, writing a tick, submitting a
 * command.
 * @module
 */
import {
  commandTick,
  ContactLedger,
  inboxCommands,
  personByPhone,
  retractionIn,
  INBOX_STREAM,
  isConcurrencyError,
  loadWorld,
  stateHash,
  tickStream,
  tickTime,
  type EventStore,
  type EventRun,
  type InboxCommand,
  type TickSummary,
  type WorldState,
} from '../core/index.js';
import type { DomainEvent, RawEvent } from '../events/index.js';
import type { SqliteReadModels } from '../adapters/readmodels/sqlite.js';
import { catchUpReadModels } from '../adapters/readmodels/open.js';
import { writerLease } from './lease.js';
import { progressBar } from './progress.js';

/**
 * The world's current state: the `people` read model's snapshot when it matches the state hash
 * its tick recorded and the policy keeps nothing the snapshot lacks (a contact ledger), else the
 * log folded (with a progress bar when `verbose` and the log is long).
 */
export async function currentWorld(store: EventStore, models: SqliteReadModels, verbose: boolean): Promise<WorldState> {
  const state = models.snapshot();
  if (state.tick < 0) return state;
  const mismatch = !state.ingest && stateHash(state) !== state.recordedHash;
  if (!mismatch && !ContactLedger.needed(state.tracing.ticks)) return state;
  // the snapshot does not match the hash its own tick recorded: resume from the log instead
  if (mismatch) process.stderr.write(`warning: the people read model does not match the state hash recorded at tick ${state.tick}; folding the log instead (run 'stopcovid verify')\n`);
  const last = await store.lastPosition();
  const bar = progressBar('loading world', last, verbose && last > 100_000);
  const loaded = (await loadWorld(store, { onProgress: (p) => bar.update(p) })).state;
  bar.stop();
  return loaded;
}

/**
 * The inbox commands not yet applied to `state`, in revision order.
 * @throws EventDecodeError on a corrupt inbox entry.
 */
export async function pendingCommands(store: EventStore, state: WorldState): Promise<InboxCommand[]> {
  const raw: RawEvent[] = [];
  for await (const e of store.readStream(INBOX_STREAM, state.tracing.inboxNext)) raw.push(e);
  const commands = inboxCommands(raw);
  // a revocation carries what it undoes, worked out from the log up to this tick (the same on a resumed run)
  for (const c of commands) {
    if (c.type !== 'TestResultReported' || (c.data as { result: string }).result !== 'revoked') continue;
    const person = personByPhone(state, (c.data as { phone: string }).phone);
    const retraction = person !== undefined ? await retractionIn(store, person, state.tick) : undefined;
    if (retraction) c.retraction = retraction;
  }
  return commands;
}

/**
 * Append the events of `tick` as its own stream, which must not exist yet (one writer a world).
 * @throws Error naming the tick when another writer wrote it first; AppendAbortedError when `signal` aborted a large tick.
 */
export async function appendTick(store: EventStore, tick: number, events: readonly (DomainEvent | EventRun)[], signal?: AbortSignal): Promise<void> {
  try {
    await store.append(tickStream(tick), events, 'no_stream', { signal });
  } catch (error) {
    if (isConcurrencyError(error)) throw new Error(`tick ${tick} was already written by another writer on this world; only one simulate may run on a store`);
    throw error;
  }
}

/** What became of a submitted command. */
export type Submission =
  | { status: 'applied'; revision: number; tick: number; summary: TickSummary; events: DomainEvent[] }
  | { status: 'rejected'; revision: number; tick: number; reason: string }
  | { status: 'accepted'; revision: number };

/**
 * Put `command` in the world's inbox; then, when no simulate holds the writer's lease, apply
 * every pending command as a tick of its own (nobody moves; see `commandTick`), else leave it to
 * the running simulate's next tick. The read models follow (`inline`: they commit with the
 * tick in the SQLite store's transaction; else they are caught up after it). Commands that other
 * processes put in the inbox while this one held the lease (their senders found it held and left
 * them to the holder) are applied too, in ticks of their own, before it returns.
 * @throws Error (code `INPUT`) never for a running simulate (that is `accepted`); store errors as they come.
 */
export async function submitCommand(
  store: EventStore,
  models: SqliteReadModels,
  command: { type: 'TestResultReported' | 'PolicyChangeRequested'; data: unknown },
  options: { inline: boolean; verbose: boolean },
): Promise<Submission> {
  const world = models.world();
  const m = { tick: Math.max(0, world.tick), at: tickTime((world.params ?? world.ingest)!, Math.max(0, world.tick)), schemaVersion: 1 };
  const appended = await store.append(INBOX_STREAM, [{ type: command.type, data: command.data, metadata: m }], 'any');
  const revision = appended.nextExpectedRevision;
  let outcome: Submission = { status: 'accepted', revision };
  for (let first = true; ; first = false) {
    let lease;
    try {
      lease = await writerLease(store);
    } catch {
      return outcome; // a simulate (or another command's writer) holds it: it reads the inbox after its tick
    }
    try {
      const state = await currentWorld(store, models, options.verbose);
      const commands = await pendingCommands(store, state);
      if (commands.length === 0) return outcome;
      const { events, summary } = commandTick(state, commands);
      await appendTick(store, summary.tick, events);
      if (!options.inline) await catchUpReadModels(store, models);
      if (first && commands.some((c) => c.revision === revision)) {
        const rejected = events.find((e) => e.type === 'CommandsApplied')?.data.rejected.find((r) => r.revision === revision);
        outcome = rejected ? { status: 'rejected', revision, tick: summary.tick, reason: rejected.reason } : { status: 'applied', revision, tick: summary.tick, summary, events };
      } // else a writer applied it meanwhile
    } finally {
      await lease.release();
    }
  }
}
