/**
 * World parameters: the population and the rules of one world.
 * @module
 */
import type { EventData } from '../events/index.js';

/** The parameters of a world, as recorded by `SimulationStarted`. */
export type WorldParams = EventData<'SimulationStarted'>;

/**
 * Defaults that reproduce the seed project: 100 people on a 101 x 101 grid, moves in
 * [-5, 5] cells, contact only in the same cell, initial statuses drawn 15:5:1.
 * Simulated time starts 2020-03-17 (France's first lockdown) with 1 minute per tick.
 */
export const DEFAULT_PARAMS: WorldParams = {
  people: 100,
  width: 101,
  height: 101,
  step: 5,
  radius: 0,
  seed: 1,
  start: '2020-03-17T00:00:00.000Z',
  tickMs: 60_000,
  initialStatusWeights: [15, 5, 1],
};

/** Parameters a caller may set; the rest come from {@link DEFAULT_PARAMS}. */
export type WorldParamsInput = Partial<WorldParams>;

/** Keys that define a world: a continuing run may not change them. */
export const WORLD_KEYS = ['people', 'width', 'height', 'step', 'radius', 'seed', 'start', 'tickMs', 'initialStatusWeights'] as const;

/**
 * The keys of `requested` (only those given) that differ from an existing world's `recorded`
 * parameters; empty when the run may continue that world.
 */
export function conflictingParams(recorded: WorldParams, requested: WorldParamsInput): string[] {
  const out: string[] = [];
  for (const key of WORLD_KEYS) {
    const want = requested[key];
    if (want === undefined) continue;
    if (JSON.stringify(want) === JSON.stringify(recorded[key])) continue;
    // the tick's length is asked in minutes (--tick-minutes)
    if (key === 'tickMs') out.push(`tick-minutes ${recorded.tickMs / 60_000} (asked ${(want as number) / 60_000})`);
    else out.push(`${key} ${JSON.stringify(recorded[key])} (asked ${JSON.stringify(want)})`);
  }
  return out;
}

/** Simulated time of `tick` as ISO-8601: `start + tick * tickMs`. */
export function tickTime(params: Pick<WorldParams, 'start' | 'tickMs'>, tick: number): string {
  return new Date(Date.parse(params.start) + tick * params.tickMs).toISOString();
}
