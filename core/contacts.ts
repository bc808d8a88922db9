/**
 * Contact detection by spatial hashing: people are keyed by bucket (squares of `max(1, radius)`
 * cells, key = row * bucketsPerRow + column), the keys are radix-sorted (two or three passes of
 * at most 14 bits, stable, so people keep id order within a bucket), and one sweep over the sorted buckets compares
 * each bucket with itself and with its four "forward" neighbours (right, and the three below), so
 * that every pair is seen once. Time and memory are linear in the number of people, whatever the
 * grid size; there is no all-pairs loop, and the sweep reads memory in order.
 * @module
 */

/** Contact pairs found in one tick: person `a[k]` and person `b[k]` with `a[k] < b[k]`, `k < count`. */
export interface ContactPairs {
  a: Int32Array;
  b: Int32Array;
  /** Squared Euclidean distance of each pair (cells squared). */
  d2: Int32Array;
  count: number;
}

/** Reusable buffers for {@link detectContacts}, so the tick loop does not allocate. */
export interface ContactScratch {
  keys: Uint32Array;
  ids: Int32Array;
  keys2: Uint32Array;
  ids2: Int32Array;
  pairs: ContactPairs;
}

/** Empty scratch buffers; they grow on demand. */
export function contactScratch(): ContactScratch {
  return {
    keys: new Uint32Array(0),
    ids: new Int32Array(0),
    keys2: new Uint32Array(0),
    ids2: new Int32Array(0),
    pairs: { a: new Int32Array(1024), b: new Int32Array(1024), d2: new Int32Array(1024), count: 0 },
  };
}

/** Widest digit of the radix sort: 2^14 counters (64 KiB) stay in a core's cache. */
const MAX_DIGIT = 14;
const counts = new Int32Array(1 << MAX_DIGIT);

/**
 * Every pair of the first `n` people whose cells are within `radius` cells (Euclidean:
 * `dx*dx + dy*dy <= radius*radius`; radius 0 means the same cell), each pair once with `a < b`.
 * Order (deterministic, part of the model since it picks the source of an exposure): by bucket in
 * row-major order, within a bucket by id, then the pairs with the neighbouring buckets.
 * Coordinates are non-negative cells. The result lives in `scratch` and is overwritten by the next call.
 */
export function detectContacts(xs: Int32Array, ys: Int32Array, n: number, radius: number, scratch: ContactScratch = contactScratch()): ContactPairs {
  let maxX = 0;
  let maxY = 0;
  for (let i = 0; i < n; i++) {
    if (xs[i]! > maxX) maxX = xs[i]!;
    if (ys[i]! > maxY) maxY = ys[i]!;
  }
  // buckets of at least `radius` cells; larger ones (more candidates, same result) on a grid too
  // large for 32-bit keys. One spare column, so that the bucket right of the last column is an
  // empty key, not the start of the next row.
  let size = Math.max(1, radius);
  while ((Math.floor(maxY / size) + 2) * (Math.floor(maxX / size) + 2) > 2 ** 32) size *= 2;
  const perRow = Math.floor(maxX / size) + 2;
  const sameCell = radius === 0 && size === 1;
  if (scratch.keys.length < n) {
    scratch.keys = new Uint32Array(n);
    scratch.ids = new Int32Array(n);
    scratch.keys2 = new Uint32Array(n);
    scratch.ids2 = new Int32Array(n);
  }
  let { keys, ids, keys2, ids2 } = scratch;
  if (size === 1) for (let i = 0; i < n; i++) keys[i] = ys[i]! * perRow + xs[i]!;
  else for (let i = 0; i < n; i++) keys[i] = Math.floor(ys[i]! / size) * perRow + Math.floor(xs[i]! / size);
  for (let i = 0; i < n; i++) ids[i] = i;
  // LSD radix sort of (key, id), stable: ids stay ascending within a key. As few passes as the
  // keys' bits allow with digits of at most MAX_DIGIT bits (24-bit keys: two passes of 12 bits);
  // any split of the digits gives the same stable order.
  const maxKey = (Math.floor(maxY / size) + 1) * perRow;
  const bits = Math.max(1, 32 - Math.clz32(maxKey));
  const digit = Math.ceil(bits / Math.ceil(bits / MAX_DIGIT));
  const mask = (1 << digit) - 1;
  for (let shift = 0; shift < bits; shift += digit) {
    counts.fill(0, 0, mask + 1);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & mask]!++;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const at = counts[(k >>> shift) & mask]!++;
      keys2[at] = k;
      ids2[at] = ids[i]!;
    }
    [keys, keys2] = [keys2, keys];
    [ids, ids2] = [ids2, ids];
  }

  const pairs = scratch.pairs;
  pairs.count = 0;
  const r2 = radius * radius;
  let below = 0; // first index whose key >= the key of the bucket below-left of the current one
  for (let start = 0; start < n; ) {
    const key = keys[start]!;
    let end = start + 1;
    while (end < n && keys[end] === key) end++;
    // within the bucket (radius 0: one cell, every pair is a contact)
    for (let k = start; k < end; k++) {
      const i = ids[k]!;
      for (let m = k + 1; m < end; m++) {
        const j = ids[m]!;
        if (sameCell) push(pairs, i, j, 0);
        else pair(xs, ys, pairs, i, j, r2);
      }
    }
    if (radius > 0) {
      // right neighbour: the next bucket, if it is key + 1
      let right = end;
      while (right < n && keys[right] === key + 1) right++;
      across(xs, ys, ids, pairs, start, end, end, right, r2);
      // the three buckets below: keys key + perRow - 1 .. key + perRow + 1, contiguous in the sort
      const from = key + perRow - 1;
      while (below < n && keys[below]! < from) below++;
      let to = below;
      while (to < n && keys[to]! <= from + 2) to++;
      across(xs, ys, ids, pairs, start, end, below, to, r2);
    }
    start = end;
  }
  scratch.keys = keys;
  scratch.ids = ids;
  scratch.keys2 = keys2;
  scratch.ids2 = ids2;
  return pairs;
}

/** Pairs between the people of sorted ranges [s1, e1) and [s2, e2). */
function across(xs: Int32Array, ys: Int32Array, ids: Int32Array, pairs: ContactPairs, s1: number, e1: number, s2: number, e2: number, r2: number): void {
  for (let k = s1; k < e1; k++) {
    const i = ids[k]!;
    for (let m = s2; m < e2; m++) {
      const j = ids[m]!;
      if (i < j) pair(xs, ys, pairs, i, j, r2);
      else pair(xs, ys, pairs, j, i, r2);
    }
  }
}

function pair(xs: Int32Array, ys: Int32Array, pairs: ContactPairs, a: number, b: number, r2: number): void {
  const dx = xs[b]! - xs[a]!;
  const dy = ys[b]! - ys[a]!;
  const d2 = dx * dx + dy * dy;
  if (d2 <= r2) push(pairs, a, b, d2);
}

function push(pairs: ContactPairs, a: number, b: number, d2: number): void {
  if (pairs.count === pairs.a.length) {
    const grow = (old: Int32Array) => {
      const next = new Int32Array(old.length * 2);
      next.set(old);
      return next;
    };
    pairs.a = grow(pairs.a);
    pairs.b = grow(pairs.b);
    pairs.d2 = grow(pairs.d2);
  }
  pairs.a[pairs.count] = a;
  pairs.b[pairs.count] = b;
  pairs.d2[pairs.count] = d2;
  pairs.count++;
}
