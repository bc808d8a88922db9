/**
 * The read side's shapes: a {@link Projection} folds committed events into a read model, and a
 * {@link ReadModelStore} saves what a batch changed together with the projection's checkpoint,
 * so that a crash can neither skip an event nor apply one twice (DESIGN.md, "Projections and
 * queries"; Emmett's inline projections, Axon's tracking tokens, Kafka Streams' changelog).
 * @module
 */
import type { EventType, StoredEvent } from '../../events/index.js';
import { isEventRun, runData, sliceRun, type StoredRun } from '../eventRun.js';

/** What a batch may hand a projection: stored events, and runs of them kept as columns (eventRun.ts). */
export type StoredItem = StoredEvent | StoredRun;

/**
 * A projection: a named, versioned fold of events into a read model.
 * `Tx` is what the projection writes through during one batch (a SQLite transaction's writer,
 * an in-memory state, a list of alerts to publish).
 */
export interface Projection<Tx> {
  /** Unique name, also the read model's name in `status` and `rebuild` (e.g. `people`). */
  readonly name: string;
  /** Bumped whenever the fold changes: a read model written by another version is rebuilt. */
  readonly version: number;
  /**
   * The event types it reads, or `'all'`. The runner always adds `TickCompleted`, the commit
   * marker, so a batch holds whole committed ticks only.
   */
  readonly types: readonly EventType[] | 'all';
  /**
   * Apply one batch of committed events (whole ticks, in global order, each after the
   * projection's checkpoint) through `tx`. Synchronous, so that an inline projection runs inside
   * the store's own append transaction. A tick may come in several calls (a run of thousands of
   * events is handed over 4,096 events at a time): what a fold keeps for the tick in progress
   * (counts, the tick's changes) lives in a {@link TickState}, not in locals of one call.
   */
  evolve(tx: Tx, events: readonly StoredEvent[]): void;
  /**
   * Apply one run of events of one of its types, kept as columns, through `tx` (optional: a
   * projection without it is given the run's events through {@link evolve}). Called in order
   * between `evolve` calls on the events before and after the run, in the same batch.
   */
  evolveRun?(tx: Tx, run: StoredRun): void;
}

/** Where a projection stands: the global position of the last event it applied, and the version that applied it. */
export interface Checkpoint {
  position: number;
  version: number;
}

/**
 * The read-model port: a projection's checkpoint, and one atomic step that applies a batch and
 * saves the new checkpoint together.
 */
export interface ReadModelStore<Tx> {
  /** The checkpoint of `projection`, or `undefined` when it has never applied anything. */
  checkpoint(projection: Projection<Tx>): Promise<Checkpoint | undefined>;
  /**
   * Apply `events` (already filtered to the projection's types; runs of them as columns among
   * them, see {@link evolveItems}) and save `position` as the
   * checkpoint, all or nothing. Events at or before the checkpoint saved at that moment are
   * skipped here (another process may have applied them meanwhile), so feeding a batch twice
   * changes nothing.
   */
  commit(projection: Projection<Tx>, events: readonly StoredItem[], position: number): Promise<void>;
}

/** Error code of {@link ProjectionVersionError}. */
export const PROJECTION_VERSION = 'PROJECTION_VERSION';

/** A read model was written by another version of its projection: it must be rebuilt before use. */
export class ProjectionVersionError extends Error {
  readonly code = PROJECTION_VERSION;
  constructor(
    readonly projection: string,
    readonly stored: number,
    readonly current: number,
  ) {
    super(`read model ${projection} was built by version ${stored} of its projection, this is version ${current}: run 'stopcovid rebuild ${projection}'`);
    this.name = 'ProjectionVersionError';
  }
}

/**
 * Skip the events at or before `checkpoint` (they were applied already). Positions increase
 * along the batch, so this is a cut, not a filter.
 */
export function after(events: readonly StoredEvent[], checkpoint: number): readonly StoredEvent[] {
  let i = 0;
  while (i < events.length && events[i]!.position <= checkpoint) i++;
  return i === 0 ? events : events.slice(i);
}

/** `items` with every run expanded into its stored events (`items` itself when it holds none). */
export function eventsOf(items: readonly StoredItem[]): readonly StoredEvent[] {
  if (!items.some(isEventRun)) return items as readonly StoredEvent[];
  return items.flatMap((item) => (isEventRun(item) ? storedEvents(item as StoredRun) : [item as StoredEvent]));
}

/** The events of `run` as stored events (positions and revisions from the run's first), not validated. */
export function storedEvents(run: StoredRun): StoredEvent[] {
  const out = new Array<StoredEvent>(run.count);
  for (let i = 0; i < run.count; i++) out[i] = { type: run.type, data: runData(run, i), metadata: run.metadata, stream: run.stream, revision: run.revision + i, position: run.position + i } as StoredEvent;
  return out;
}

/** Events expanded from a run before they are handed to a projection without `evolveRun`. */
const SLICE = 4096;

/**
 * What a projection keeps for the tick in progress from one `evolve` call to the next of the same
 * batch, keyed by the batch's `tx` (a tick may come in several calls). `of(tx)` gives the state,
 * a fresh one the first time; the projection resets it at the tick's `TickCompleted`.
 */
export class TickState<S, Tx = unknown> {
  private readonly open = new WeakMap<object, S>();
  /** @param fresh the state of a tick before its first event. */
  constructor(private readonly fresh: (tx: Tx) => S) {}
  /** The state of the tick in progress in the batch of `tx`. */
  of(tx: Tx): S {
    let state = this.open.get(tx as object);
    if (state === undefined) this.open.set(tx as object, (state = this.fresh(tx)));
    return state;
  }
}

const typeSets = new WeakMap<Projection<unknown>, ReadonlySet<string> | 'all'>();

/** The types `projection` reads, with the commit marker, or `'all'`. */
function typesRead(projection: Projection<unknown>): ReadonlySet<string> | 'all' {
  let types = typeSets.get(projection);
  if (!types) typeSets.set(projection, (types = projection.types === 'all' ? 'all' : new Set<string>([...projection.types, 'TickCompleted'])));
  return types;
}

/**
 * Hand `projection` the items of a batch past `checkpoint` that it reads (its types and the commit
 * marker), in order: events to `evolve`, runs to `evolveRun` (expanded into events, 4,096 at a
 * time, when it has none: a run of ten million events never becomes ten million objects at once).
 * A run that straddles the checkpoint is cut.
 * @returns the number of events handed.
 */
export function evolveItems<Tx>(projection: Projection<Tx>, tx: Tx, items: readonly StoredItem[], checkpoint = 0): number {
  const types = typesRead(projection);
  let events: StoredEvent[] = [];
  let handed = 0;
  const flush = () => {
    if (events.length > 0) projection.evolve(tx, events);
    events = [];
  };
  for (const item of items) {
    if (types !== 'all' && !types.has(item.type)) continue;
    if (isEventRun(item)) {
      const run = item as StoredRun;
      if (run.position + run.count - 1 <= checkpoint) continue;
      const fresh = run.position > checkpoint ? run : sliceRun(run, checkpoint + 1 - run.position, run.count);
      handed += fresh.count;
      if (projection.evolveRun) {
        flush();
        projection.evolveRun(tx, fresh);
      } else
        for (let k = 0; k < fresh.count; k += SLICE) {
          for (const e of storedEvents(sliceRun(fresh, k, Math.min(k + SLICE, fresh.count)))) events.push(e);
          if (events.length >= SLICE) flush();
        }
    } else if ((item as StoredEvent).position > checkpoint) {
      events.push(item as StoredEvent);
      handed++;
    }
  }
  flush();
  return handed;
}
