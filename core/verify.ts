/**
 * Verifying a log tick by tick: every `TickCompleted` records the hash of the state it leaves,
 * and folding the log must reach that hash after every tick, not only the last. An edited event
 * of an early tick (a `PersonMoved` changed in the store) can be undone by later events, so that
 * the last tick matches again; only a check of every tick finds it.
 * @module
 */
import type { DomainEvent } from '../events/index.js';
import { evolve, evolveRun } from './evolve.js';
import { stateHash } from './hash.js';
import type { EventStore } from './ports.js';
import type { LoadOptions, LoadResult } from './replay.js';
import { inMemory } from './projections/memory.js';
import type { Projection } from './projections/projection.js';
import { runProjection } from './projections/runner.js';
import { initialState, type WorldState } from './world.js';

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

/** What the verifying fold keeps: the world, the ticks checked, the first mismatch. */
interface Checked {
  state: WorldState;
  verifiedTicks: number;
  mismatch?: HashMismatch;
}

/**
 * Rebuild the world like `loadWorld`, through the projection runner, checking after each
 * committed tick that the state hash equals the one its `TickCompleted` recorded; stops at the
 * first tick that differs. Costs one hash of the whole state per tick (positions and statuses of
 * every person).
 * @throws EventDecodeError on a corrupt event; EvolveError on a log that does not fold.
 */
export async function verifyWorld(store: EventStore, options: LoadOptions = {}): Promise<VerifyResult> {
  const checked: Checked = { state: initialState(), verifiedTicks: 0 };
  const stop = new AbortController();
  const projection: Projection<Checked> = {
    name: 'verified-world',
    version: 1,
    types: 'all',
    evolve(tx, events) {
      for (const e of events) {
        evolve(tx.state, e as DomainEvent);
        if (e.type !== 'TickCompleted') continue;
        const replayed = stateHash(tx.state);
        if (replayed !== tx.state.recordedHash) {
          tx.mismatch = { tick: tx.state.tick, recorded: tx.state.recordedHash!, replayed };
          stop.abort();
          return;
        }
        tx.verifiedTicks++;
      }
    },
    evolveRun(tx, run) {
      evolveRun(tx.state, run);
    },
  };
  let nextReport = 10_000;
  // a tick a batch: the runner stops right after the tick that differs
  const run = await runProjection(store, projection, inMemory(checked), {
    untilTick: options.untilTick,
    batchEvents: 1,
    signal: stop.signal,
    onProgress: (read, position) => {
      if (!options.onProgress || read < nextReport) return;
      options.onProgress(position);
      nextReport = read + 10_000;
    },
  });
  return { state: checked.state, events: run.read, ignored: run.ignored, verifiedTicks: checked.verifiedTicks, ...(checked.mismatch ? { mismatch: checked.mismatch } : {}) };
}
