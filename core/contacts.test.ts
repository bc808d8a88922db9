import { describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { detectContacts } from './contacts.js';

/** The definition, checked the slow way: every pair within `radius` (Euclidean), a < b. */
function allPairs(xs: Int32Array, ys: Int32Array, radius: number): string[] {
  const out: string[] = [];
  for (let a = 0; a < xs.length; a++)
    for (let b = a + 1; b < xs.length; b++) {
      const dx = xs[a]! - xs[b]!;
      const dy = ys[a]! - ys[b]!;
      if (dx * dx + dy * dy <= radius * radius) out.push(`${a}-${b}-${dx * dx + dy * dy}`);
    }
  return out;
}

/** Our pairs, sorted like allPairs (detectContacts orders them by bucket sweep instead). */
function found(xs: Int32Array, ys: Int32Array, radius: number): string[] {
  const p = detectContacts(xs, ys, xs.length, radius);
  const out: [number, number, number][] = [];
  for (let k = 0; k < p.count; k++) out.push([p.a[k]!, p.b[k]!, p.d2[k]!]);
  return out.sort((u, v) => u[0] - v[0] || u[1] - v[1]).map(([a, b, d2]) => `${a}-${b}-${d2}`);
}

describe('detectContacts (spatial hashing)', () => {
  it('finds exactly the pairs of an all-pairs search, each once with a < b, for radius 0 to 3 and several densities', () => {
    const rng = xoroshiro128plus(42);
    for (const radius of [0, 1, 2, 3]) {
      for (const [n, size] of [[200, 20], [500, 300], [300, 5], [50, 1000]] as const) {
        const xs = new Int32Array(n);
        const ys = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          xs[i] = uniformInt(rng, 0, size - 1);
          ys[i] = uniformInt(rng, 0, size - 1);
        }
        expect(found(xs, ys, radius)).toEqual(allPairs(xs, ys, radius));
      }
    }
  });

  it('radius 0 means the same cell only: neighbours one cell apart are not in contact', () => {
    const xs = Int32Array.from([5, 5, 6, 5]);
    const ys = Int32Array.from([5, 5, 5, 6]);
    expect(found(xs, ys, 0)).toEqual(['0-1-0']);
  });

  it('radius 1 is Euclidean: diagonal neighbours (distance sqrt 2) are out, orthogonal ones in', () => {
    const xs = Int32Array.from([0, 1, 1]);
    const ys = Int32Array.from([0, 0, 1]);
    // 0-1: d2 = 1 (in); 0-2: d2 = 2 (out); 1-2: d2 = 1 (in)
    expect(found(xs, ys, 1)).toEqual(['0-1-1', '1-2-1']);
  });

  it('finds nothing for people all in different cells', () => {
    expect(found(Int32Array.from([0, 2, 4]), Int32Array.from([0, 0, 0]), 1)).toEqual([]);
  });

  it('a grid too large for 32-bit bucket keys still finds exactly the contacts (larger buckets)', () => {
    const big = 2_000_000_000;
    const xs = Int32Array.from([0, 0, big, big, big - 1, 5]);
    const ys = Int32Array.from([0, 0, big, big - 1, big, 5]);
    expect(found(xs, ys, 0)).toEqual(['0-1-0']);
    expect(found(xs, ys, 1)).toEqual(['0-1-0', '2-3-1', '2-4-1']);
  });
});
