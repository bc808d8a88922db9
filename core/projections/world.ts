/**
 * The `world` projection: current state ({@link WorldState}) folded with the same `evolve` the
 * simulation uses. `replay` and `verify` run it in memory; the `people` read model persists it.
 * @module
 */
import type { DomainEvent } from '../../events/index.js';
import { evolve, evolveRun } from '../evolve.js';
import type { WorldState } from '../world.js';
import type { Projection } from './projection.js';

/** Folds every event into a {@link WorldState} (events that change no state are skipped by `evolve`). */
export const worldProjection: Projection<WorldState> = {
  name: 'world',
  version: 1,
  types: 'all',
  evolve(state, events) {
    for (const e of events) evolve(state, e as DomainEvent);
  },
  evolveRun(state, run) {
    evolveRun(state, run);
  },
};
