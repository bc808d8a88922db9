/**
 * Running a what-if over a store's log through the projection runner.
 * @module
 */
import type { Policy } from '../../events/index.js';
import type { EventStore } from '../ports.js';
import { inMemory } from '../projections/memory.js';
import { runProjection } from '../projections/runner.js';
import { whatIfProjection, whatIfResult, whatIfState, type WhatIfResult } from './whatif.js';

/** Options of {@link runWhatIf}. */
export interface WhatIfOptions {
  /** Decide again up to this tick (default: the last completed tick). */
  untilTick?: number;
  /** Called about every 50,000 events with the global position reached. */
  onProgress?(position: number): void;
  signal?: AbortSignal;
}

/**
 * Decide the history recorded in `store` again under `policy` (see {@link whatIfProjection});
 * the store is only read. Returns the comparison and the events read.
 * @throws EventDecodeError on a corrupt event; EvolveError on a log that does not fold.
 */
export async function runWhatIf(store: EventStore, policy: Policy, options: WhatIfOptions = {}): Promise<{ result: WhatIfResult; events: number }> {
  const state = whatIfState(policy);
  const run = await runProjection(store, whatIfProjection, inMemory(state), { untilTick: options.untilTick, signal: options.signal, onProgress: (_read, position) => options.onProgress?.(position) });
  return { result: whatIfResult(state), events: run.read };
}
