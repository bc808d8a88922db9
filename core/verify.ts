/**
 * Verifying a log tick by tick: every `TickCompleted` records the hash of the state it leaves,
 * and folding the log must reach that hash after every tick, not only the last. An edited event
 * of an early tick (a `PersonMoved` changed in the store) can be undone by later events, so that
 * the last tick matches again; only a check of every tick finds it.
 * @module
 */
import type { DomainEvent } from '../events/index.js';
import { evolve } from './evolve.js';
import { stateHash } from './hash.js';
import type { EventStore } from './ports.js';
import { committedTicks, type LoadOptions, type LoadResult } from './replay.js';
import { initialState } from './world.js';

/** The first tick whose replayed state hash differs from the one its `TickCompleted` recorded. */
export interface HashMismatch {
  tick: number;
  /** Hex SHA-256 recorded by `TickCompleted`, and the one the replay reached. */
  recorded: string;
  replayed: string;
}

/** What {@link verifyWorld} read and found. */
export interface VerifyResult extends LoadResult {
  /** Committed ticks whose hash was checked and matched. */
  verifiedTicks: number;
  /** The first tick that differs; the fold stops there (`state` is the state after it). */
  mismatch?: HashMismatch;
}

/**
 * Rebuild the world like `loadWorld`, checking after each committed tick that the state hash
 * equals the one its `TickCompleted` recorded; stops at the first tick that differs. Costs one
 * hash of the whole state per tick (positions and statuses of every person).
 * @throws EventDecodeError on a corrupt event; EvolveError on a log that does not fold.
 */
export async function verifyWorld(store: EventStore, options: LoadOptions = {}): Promise<VerifyResult> {
  const state = initialState();
  let events = 0;
  let ignored = 0;
  let verifiedTicks = 0;
  let nextReport = 10_000;
  for await (const tick of committedTicks(store.readAll(), (n) => (ignored += n))) {
    for (const event of tick) evolve(state, event as DomainEvent);
    events += tick.length;
    const replayed = stateHash(state);
    if (replayed !== state.recordedHash) return { state, events, ignored, verifiedTicks, mismatch: { tick: state.tick, recorded: state.recordedHash!, replayed } };
    verifiedTicks++;
    if (options.onProgress && events >= nextReport) {
      options.onProgress(tick[tick.length - 1]!.position);
      nextReport = events + 10_000;
    }
    if (options.untilTick !== undefined && state.tick >= options.untilTick) break;
  }
  return { state, events, ignored, verifiedTicks };
}
