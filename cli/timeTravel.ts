/**
 * The time-travel flags of `trace` and `status`: `--at-tick T` (valid time: the world as it was at
 * tick T) and `--as-known-at-tick K` (recorded time: what the system knew at tick K), independent
 * axes as in bitemporal databases; each defaults to the world's last tick.
 * @module
 */
import type { Bitemporal } from '../core/index.js';
import { InputError } from './base.js';
import { count } from './flags.js';

/** The two flags, to spread into a command's flags. */
export const timeTravelFlags = {
  'at-tick': count({ summary: 'Valid time: show the world as it was at this tick (retroactive exposures count from their contact tick). [default: the last tick]', helpValue: 'T' }),
  'as-known-at-tick': count({ summary: 'Recorded time: as the system knew it at this tick (exposures decided later are left out). [default: the last tick]', helpValue: 'K' }),
};

/**
 * The point in time the flags ask for, or `undefined` when neither is given.
 * @throws InputError when a tick is after the world's last tick `lastTick`.
 */
export function bitemporal(flags: { 'at-tick'?: number; 'as-known-at-tick'?: number }, lastTick: number): Bitemporal | undefined {
  const tick = flags['at-tick'];
  const knownAt = flags['as-known-at-tick'];
  if (tick === undefined && knownAt === undefined) return undefined;
  for (const [flag, value] of [['--at-tick', tick], ['--as-known-at-tick', knownAt]] as const)
    if (value !== undefined && value > lastTick) throw new InputError(`${flag} ${value} is after the world's last tick ${lastTick}`);
  return { tick: tick ?? lastTick, knownAt: knownAt ?? lastTick };
}
