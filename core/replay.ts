/**
 * Folding a store's log into current state, tick by tick, honouring the commit marker.
 * @module
 */
import type { RawEvent } from '../events/index.js';
import type { EventStore } from './ports.js';
import { initialState, type WorldState } from './world.js';
import { inMemory } from './projections/memory.js';
import { runProjection } from './projections/runner.js';
import { worldProjection } from './projections/world.js';

export type { RawEvent };

/** Options of {@link loadWorld}. */
export interface LoadOptions {
  /** Stop after this tick completed (default: the last completed tick). */
  untilTick?: number;
  /** Called about every 10,000 events with the global position reached. */
  onProgress?: (position: number) => void;
}

/** What {@link loadWorld} read. */
export interface LoadResult {
  state: WorldState;
  /** Events read and applied (committed ticks only). */
  events: number;
  /** Events of ticks without `TickCompleted`, ignored. */
  ignored: number;
}

/**
 * Rebuild a world's current state from the store with the same `evolve` the simulation uses,
 * through the projection runner (the `world` projection, held in memory).
 * @throws EventDecodeError on a corrupt event; EvolveError on a log that does not fold.
 */
export async function loadWorld(store: EventStore, options: LoadOptions = {}): Promise<LoadResult> {
  const state = initialState();
  const run = await runProjection(store, worldProjection, inMemory(state), {
    untilTick: options.untilTick,
    batchEvents: 10_000,
    onProgress: (_read, position) => options.onProgress?.(position),
  });
  return { state, events: run.read, ignored: run.ignored };
}
