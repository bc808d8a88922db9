/**
 * Seeded randomness. Every draw of the model comes from pure-rand's xoroshiro128+, seeded per tick
 * from (world seed, tick), so a world resumed at tick t draws exactly what an uninterrupted run
 * would have, without storing generator state.
 * @module
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export type { RandomGenerator };
export { uniformInt };

/** murmur3's 32-bit finaliser: spreads the bits of `h` (used only to derive per-tick seeds). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The generator for `tick` of the world with `seed` (both non-negative integers). */
export function tickRandom(seed: number, tick: number): RandomGenerator {
  return xoroshiro128plus(fmix32(fmix32(seed >>> 0) ^ Math.imul(tick + 1, 0x9e3779b1)) | 0);
}

/**
 * The generators of the policy's draws in `tick`, apart from {@link tickRandom}'s so that a policy
 * never changes the moves: `testing` (simulated tests) and `truth` (the ground truth's
 * transmissions), apart from each other so that the ground truth is the same under every policy.
 */
export function policyRandom(seed: number, tick: number, stream: 'testing' | 'truth'): RandomGenerator {
  const salt = stream === 'testing' ? 0x2545f491 : 0x68e31da4;
  return xoroshiro128plus(fmix32(fmix32((seed ^ salt) >>> 0) ^ Math.imul(tick + 1, 0x9e3779b1)) | 0);
}

/** A uniform draw in [0, 1) with 24 bits of resolution. */
export function uniformUnit(rng: RandomGenerator): number {
  return uniformInt(rng, 0, 0xffffff) / 0x1000000;
}
