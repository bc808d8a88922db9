/**
 * Benchmark 2: the simulation kernel (moves, detection, exposures, events built and applied,
 * state hash) with events sent to a no-op sink, in agent steps per second, against a minimal
 * reference kernel in the same process: the same random draws, a typed-array random walk, a
 * counting-sort grid, a pair scan, and no per-event objects.
 * @module
 */
import { DEFAULT_PARAMS, eventCount, genesisColumnar, scratch, stepTickColumnar, tickRandom, uniformInt, type WorldParams } from '../core/index.js';
import { median, type Row } from './stats.js';
import { nodeSha256Hex } from '../adapters/hash/nodeSha256.js';

/**
 * The reference kernel: runs `ticks` ticks on copies of the arrays; returns exposures (so nothing
 * is optimised away). Its grid is a counting sort of people by cell, the cells hashed into 2n
 * slots (a dense array of width x height cells would cost more than the people at the seed's
 * density), then a pair scan within each slot.
 */
export function referenceKernel(params: WorldParams, xs0: Int32Array, ys0: Int32Array, status0: Uint8Array, ticks: number): number {
  const n = params.people;
  const xs = Int32Array.from(xs0);
  const ys = Int32Array.from(ys0);
  const status = Uint8Array.from(status0);
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const mask = size - 1;
  const start = new Int32Array(size + 1);
  const order = new Int32Array(n);
  const slot = new Int32Array(n);
  const next = new Uint8Array(n);
  let exposures = 0;
  for (let t = 1; t <= ticks; t++) {
    const rng = tickRandom(params.seed, t);
    for (let i = 0; i < n; i++) {
      let x = xs[i]! + uniformInt(rng, -params.step, params.step);
      let y = ys[i]! + uniformInt(rng, -params.step, params.step);
      x = x < 0 ? 0 : x >= params.width ? params.width - 1 : x;
      y = y < 0 ? 0 : y >= params.height ? params.height - 1 : y;
      xs[i] = x;
      ys[i] = y;
    }
    start.fill(0);
    for (let i = 0; i < n; i++) start[(slot[i] = (Math.imul(xs[i]!, 0x9e3779b1) ^ Math.imul(ys[i]!, 0x85ebca77)) & mask) + 1]!++;
    for (let c = 0; c < size; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, size);
    for (let i = 0; i < n; i++) order[fill[slot[i]!]!++] = i;
    next.set(status);
    for (let c = 0; c < size; c++) {
      const to = start[c + 1]!;
      for (let k = start[c]!; k < to; k++)
        for (let m = k + 1; m < to; m++) {
          const a = order[k]!;
          const b = order[m]!;
          if (xs[a] !== xs[b] || ys[a] !== ys[b]) continue;
          if (status[a]! >= 1 && status[b] === 0 && next[b] === 0) (next[b] = 1), exposures++;
          else if (status[b]! >= 1 && status[a] === 0 && next[a] === 0) (next[a] = 1), exposures++;
        }
    }
    status.set(next);
  }
  return exposures;
}

/** Run benchmark 2 for `people` at the seed's density (radius 0), `ticks` ticks per repetition. */
export async function benchKernel(people: number, ticks: number, reps: number, log: (s: string) => void): Promise<Row[]> {
  const side = Math.round(Math.sqrt(people * 100));
  const params: WorldParams = { ...DEFAULT_PARAMS, people, width: side, height: side };
  log(`kernel: ${people} people on ${side}x${side}, ${ticks} ticks x ${reps}`);
  const base = genesisColumnar(params).state;
  const ours: number[] = [];
  const ref: number[] = [];
  let exposuresOurs = 0;
  let exposuresRef = 0;
  for (let r = 0; r <= reps; r++) {
    // a fresh copy of the world per repetition; repetition 0 is the warm-up
    const { state } = genesisColumnar(params); // as `simulate` creates a world: registrations as a run
    const buffers = scratch(nodeSha256Hex); // as `simulate` runs it
    let sink = 0;
    let t0 = performance.now();
    for (let t = 0; t < ticks; t++) {
      const { events, summary } = stepTickColumnar(state, buffers); // as `simulate` runs it: the moves as columns
      sink += eventCount(events); // the no-op sink
      if (r === 0) exposuresOurs += summary.exposures;
    }
    const oursMs = performance.now() - t0;
    t0 = performance.now();
    const e = referenceKernel(params, base.xs, base.ys, base.status, ticks);
    const refMs = performance.now() - t0;
    if (r === 0) exposuresRef = e;
    else {
      ours.push(oursMs);
      ref.push(refMs);
    }
    if (sink < 0) throw new Error('unreachable');
  }
  if (exposuresOurs !== exposuresRef) throw new Error(`reference kernel disagrees: ${exposuresRef} exposures vs ours ${exposuresOurs}`);
  const oursRate = (people * ticks) / (median(ours) / 1000);
  const refRate = (people * ticks) / (median(ref) / 1000);
  return [
    {
      section: 'kernel',
      case: `${people.toLocaleString('en-US')} people, seed density, ${ticks} ticks`,
      ours: oursRate,
      unit: 'agent steps/s',
      baseline: 'reference kernel (typed arrays, no event objects)',
      base: refRate,
      ratio: oursRate / refRate,
      target: '>= 0.8x reference',
      met: oursRate / refRate >= 0.8,
      note: `same exposures (${exposuresOurs}) in both`,
    },
  ];
}
