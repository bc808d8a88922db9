/**
 * The one projection runner: it feeds a projection every committed tick after its checkpoint,
 * first catching up with the log in large batches, then (with `follow`) live, one tick at a
 * time, and hands each batch with its new checkpoint to the read-model store to be saved
 * together. Every reader of the log (replay, the read models, the bridge, consume) goes
 * through it.
 * @module
 */
import type { EventType } from '../../events/index.js';
import { readItems, type EventStore } from '../ports.js';
import { isEventRun } from '../eventRun.js';
import { committedItems, committedTicks } from './committedTicks.js';
import { ProjectionVersionError, type Projection, type ReadModelStore, type StoredItem } from './projection.js';

/** Options of {@link runProjection}. */
export interface RunOptions {
  /** After catching up, keep applying new ticks live until `signal` aborts. */
  follow?: boolean;
  /** Stops the run after the current batch; the checkpoint stays consistent. */
  signal?: AbortSignal;
  /**
   * Most events per batch while catching up (default 50,000; a tick is never split). An event
   * of a run of columns weighs {@link RUN_WEIGHT} of an event object (what it holds in memory).
   */
  batchEvents?: number;
  /** Stop once this tick has been applied. */
  untilTick?: number;
  /** After each batch: events read so far and the checkpoint reached. */
  onProgress?(read: number, position: number): void;
}

/** What a run did. */
export interface RunResult {
  /** Events read and handed to the projection (committed ticks only). */
  read: number;
  /** Committed ticks applied. */
  ticks: number;
  /** The last tick applied, or -1 when none was. */
  lastTick: number;
  /** Events of a trailing tick without `TickCompleted`, left for later. */
  ignored: number;
  /** The checkpoint reached (global position of the last applied event). */
  position: number;
  /** True when the run stopped because `signal` aborted. */
  aborted: boolean;
}

/** What an event of a run weighs against the batch limit: 12 bytes of columns against an object of about 200. */
export const RUN_WEIGHT = 1 / 16;

/** The types to read for `projection`: its own plus the commit marker, or `undefined` for all. */
export function typesOf(projection: Projection<unknown>): EventType[] | undefined {
  if (projection.types === 'all') return undefined;
  return projection.types.includes('TickCompleted') ? [...projection.types] : [...projection.types, 'TickCompleted'];
}

/**
 * Run `projection` over `store` into `readModels` from its checkpoint.
 * @throws ProjectionVersionError when the read model was built by another version (rebuild it);
 *   EventDecodeError on a corrupt event; whatever the read-model store throws.
 */
export async function runProjection<Tx>(store: EventStore, projection: Projection<Tx>, readModels: ReadModelStore<Tx>, options: RunOptions = {}): Promise<RunResult> {
  const saved = await readModels.checkpoint(projection);
  if (saved && saved.version !== projection.version) throw new ProjectionVersionError(projection.name, saved.version, projection.version);
  const types = typesOf(projection);
  const limit = options.batchEvents ?? 50_000;
  const result: RunResult = { read: 0, ticks: 0, lastTick: -1, ignored: 0, position: saved?.position ?? 0, aborted: false };
  const done = () => options.untilTick !== undefined && result.lastTick >= options.untilTick;
  let batch: StoredItem[] = [];
  let batchWeight = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const position = lastPosition(batch);
    await readModels.commit(projection, batch, position);
    result.position = position;
    batch = [];
    batchWeight = 0;
    options.onProgress?.(result.read, position);
  };
  const take = (tick: readonly StoredItem[]) => {
    let n = 0;
    for (const e of tick) {
      batch.push(e);
      n += isEventRun(e) ? e.count : 1;
      batchWeight += isEventRun(e) ? e.count * RUN_WEIGHT : 1;
    }
    result.read += n;
    result.ticks++;
    const last = tick[tick.length - 1]!;
    result.lastTick = (last.metadata as { tick: number }).tick;
  };

  // catch-up: large batches up to the end of the log
  let ignored = 0;
  // runs of one type (a tick's moves) come as columns where the store keeps them so
  for await (const tick of committedItems(readItems(store, { after: result.position, types }), (n) => (ignored += n))) {
    take(tick);
    if (done()) break;
    if (batchWeight >= limit) await flush();
    if (options.signal?.aborted) break;
  }
  await flush();
  result.ignored = ignored;
  result.aborted = options.signal?.aborted ?? false;
  if (!options.follow || result.aborted || done()) return result;

  // live: one committed tick a batch, as soon as its TickCompleted is written
  for await (const tick of committedTicks(store.subscribeAll({ after: result.position, types, signal: options.signal }))) {
    take(tick);
    await flush();
    if (done()) break;
  }
  result.aborted = options.signal?.aborted ?? false;
  return result;
}

/** The global position of the last event of `items`. */
function lastPosition(items: readonly StoredItem[]): number {
  const last = items[items.length - 1]!;
  return isEventRun(last) ? last.position + last.count - 1 : last.position;
}
