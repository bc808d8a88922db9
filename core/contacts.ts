/**
 * Contact detection by spatial hashing: people are bucketed by cell (buckets of `max(1, radius)`
 * cells, hashed into a table of about 2 slots per person, counting sort), and each person is
 * compared only with the people of its own and neighbouring buckets. Time and memory are linear
 * in the number of people, whatever the grid size; there is no all-pairs loop.
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
  start: Int32Array;
  fill: Int32Array;
  order: Int32Array;
  /** Each person's slot, then (radius 0) each person's index in `order`. */
  slots: Int32Array;
  rank: Int32Array;
  pairs: ContactPairs;
}

/** Empty scratch buffers; they grow on demand. */
export function contactScratch(): ContactScratch {
  return {
    start: new Int32Array(0),
    fill: new Int32Array(0),
    order: new Int32Array(0),
    slots: new Int32Array(0),
    rank: new Int32Array(0),
    pairs: { a: new Int32Array(1024), b: new Int32Array(1024), d2: new Int32Array(1024), count: 0 },
  };
}

function slotOf(bx: number, by: number, mask: number): number {
  return (Math.imul(bx, 0x9e3779b1) ^ Math.imul(by, 0x85ebca77)) & mask;
}

/**
 * Every pair of the first `n` people whose cells are within `radius` cells (Euclidean:
 * `dx*dx + dy*dy <= radius*radius`; radius 0 means the same cell), each pair once, ordered by the
 * lower person id, then by the higher one. The result lives in `scratch` and is overwritten by the
 * next call.
 */
export function detectContacts(xs: Int32Array, ys: Int32Array, n: number, radius: number, scratch: ContactScratch = contactScratch()): ContactPairs {
  const size = Math.max(1, radius);
  let tableSize = 1;
  while (tableSize < 2 * n) tableSize <<= 1;
  const mask = tableSize - 1;
  if (scratch.start.length < tableSize + 1) {
    scratch.start = new Int32Array(tableSize + 1);
    scratch.fill = new Int32Array(tableSize);
  } else scratch.start.fill(0, 0, tableSize + 1);
  if (scratch.order.length < n) {
    scratch.order = new Int32Array(n);
    scratch.slots = new Int32Array(n);
    scratch.rank = new Int32Array(n);
  }
  const { start, order, slots, rank, fill } = scratch;
  // Counting sort of people by hash slot; people keep id order within a slot.
  for (let i = 0; i < n; i++) {
    const s = slotOf(Math.floor(xs[i]! / size), Math.floor(ys[i]! / size), mask);
    slots[i] = s;
    start[s + 1]!++;
  }
  for (let s = 0; s < tableSize; s++) start[s + 1]! += start[s]!;
  fill.set(start.subarray(0, tableSize));
  for (let i = 0; i < n; i++) order[(rank[i] = fill[slots[i]!]!++)] = i;

  const pairs = scratch.pairs;
  pairs.count = 0;
  if (radius === 0) {
    // same cell only: the people after i in i's slot (all with higher ids), same cell
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      for (let k = rank[i]! + 1, end = start[slots[i]! + 1]!; k < end; k++) {
        const j = order[k]!;
        if (xs[j] === x && ys[j] === y) push(pairs, i, j, 0);
      }
    }
    return pairs;
  }
  const r2 = radius * radius;
  const seen = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    const bx = Math.floor(x / size);
    const by = Math.floor(y / size);
    let seenCount = 0;
    for (let oy = -1; oy <= 1; oy++) {
      for (let ox = -1; ox <= 1; ox++) {
        const s = slotOf(bx + ox, by + oy, mask);
        let dup = false;
        for (let k = 0; k < seenCount; k++) if (seen[k] === s) dup = true;
        if (dup) continue;
        seen[seenCount++] = s;
        for (let k = start[s]!, end = start[s + 1]!; k < end; k++) {
          const j = order[k]!;
          if (j <= i) continue;
          const dx = xs[j]! - x;
          const dy = ys[j]! - y;
          const d2 = dx * dx + dy * dy;
          if (d2 <= r2) push(pairs, i, j, d2);
        }
      }
    }
    sortTail(pairs, i);
  }
  return pairs;
}

/** Keep the pairs of person `i` ordered by the other person when several buckets contributed. */
function sortTail(pairs: ContactPairs, i: number): void {
  let first = pairs.count;
  while (first > 0 && pairs.a[first - 1] === i) first--;
  // insertion sort: a person has few contacts
  for (let k = first + 1; k < pairs.count; k++) {
    const b = pairs.b[k]!;
    const d2 = pairs.d2[k]!;
    let m = k - 1;
    while (m >= first && pairs.b[m]! > b) {
      pairs.b[m + 1] = pairs.b[m]!;
      pairs.d2[m + 1] = pairs.d2[m]!;
      m--;
    }
    pairs.b[m + 1] = b;
    pairs.d2[m + 1] = d2;
  }
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
