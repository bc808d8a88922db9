/**
 * The benchmark code is tested for correctness on tiny sizes, never for speed: the fast path and
 * every baseline find the same contacts, and the reference kernel reproduces our exposures.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, genesis, scratch, stepTick } from '../core/index.js';
import { allPairs, kdbushPairs, oursPairs, place, sqlPairs, sqlTable } from './detection.js';
import { referenceKernel } from './kernel.js';
import { median, percentile } from './stats.js';

describe('benchmark baselines agree with the fast path', () => {
  for (const [cells, radius] of [[100, 0], [100, 2], [1, 0], [1, 2], [4, 1], [9, 3]] as const) {
    it(`contact sets: 600 people at ${cells} cells each, radius ${radius}`, () => {
      const p = place(600, cells, 7);
      const ours = [...oursPairs(p, radius)];
      expect(ours.length).toBeGreaterThan(cells === 100 && radius === 0 ? -1 : 0);
      expect([...kdbushPairs(p, radius)]).toEqual(ours);
      expect([...allPairs(p, radius)]).toEqual(ours);
      const db = sqlTable(p);
      expect([...sqlPairs(db, p, radius)]).toEqual(ours);
      db.close();
    });
  }

  it('the reference kernel counts the exposures our simulation makes', () => {
    const params = { ...DEFAULT_PARAMS, people: 2000, width: 60, height: 60 };
    const base = genesis(params).state;
    const { state } = genesis(params);
    const buffers = scratch();
    let ours = 0;
    for (let t = 0; t < 8; t++) ours += stepTick(state, buffers).summary.exposures;
    expect(ours).toBeGreaterThan(0);
    expect(referenceKernel(params, base.xs, base.ys, base.status, 8)).toBe(ours);
  });

  it('median and percentile (worked by hand)', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });
});

describe('the storage section', () => {
  it('runs the binary on both layouts of a tiny world and reports every figure, the same events in both', async () => {
    const { benchStorage } = await import('./storage.js');
    const rows = await benchStorage(500, 2, 0, 0, 0, 1, () => {});
    expect(rows.map((r) => r.case.split(',')[0])).toEqual([
      'simulate 500 people x 2 ticks',
      'simulate 500 people x 2 ticks',
      'replay 500 people x 2 ticks (fold of the whole log)',
      'rebuild of the six read models',
      'rebuild without reading the log (its fold and writes alone)',
      'bytes on disk per event',
      'bytes on disk per event',
      '`stopcovid --version` wall',
      '`stopcovid trace --help` wall',
    ]);
    for (const r of rows) expect(r.ours, r.case).toBeGreaterThan(0);
    // the log of record batches is smaller than the log of rows, whatever the speed
    expect(rows[5]!.ours).toBeLessThan(rows[5]!.base!);
  }, 120_000);
});
