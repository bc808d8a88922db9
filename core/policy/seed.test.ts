/**
 * The seed policy changes nothing: a world decides exactly the events it decided before policies
 * existed. The digests below are SHA-256 of every event (one JSON line each) of these worlds as
 * written by commit fd0bc11, the last one before policies (computed with that build's
 * `genesis` and `stepTick`); they are the outside reference of this test.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params.js';
import { genesis, stepTick } from '../simulation.js';
import { SEED_POLICY } from './presets.js';

const WORLDS = [
  { name: 'the defaults, 60 ticks', params: { people: 100 }, ticks: 60, exposures: 19, digest: '26b34c07b8bbdf326f1dac909f20fe342ae45882b65389d8fa03ed37eb1c4df1' },
  { name: '2,000 people, radius 1, 15 ticks', params: { people: 2000, width: 200, height: 200, radius: 1, seed: 7 }, ticks: 15, exposures: 1237, digest: '6380a9475436e7b2e34a517487963bd1772f690a1044f9e8a8f4a6e451e54978' },
  { name: '500 people, step 2, 40 ticks', params: { people: 500, width: 60, height: 60, step: 2, seed: 3 }, ticks: 40, exposures: 319, digest: '351317b3fcf8871e974c6ba59b80f094fb2cd14cc04c448fea08869bac945767' },
];

describe('the seed policy reproduces the logs written before policies', () => {
  for (const w of WORLDS)
    it(w.name, () => {
      for (const policy of [undefined, { policy: SEED_POLICY, source: 'preset:seed' }]) {
        const h = createHash('sha256');
        const world = genesis({ ...DEFAULT_PARAMS, ...w.params }, policy);
        for (const e of world.events) h.update(JSON.stringify(e) + '\n');
        let exposures = 0;
        for (let t = 0; t < w.ticks; t++) {
          const { events, summary } = stepTick(world.state);
          exposures += summary.exposures;
          for (const e of events) h.update(JSON.stringify(e) + '\n');
        }
        expect(exposures).toBe(w.exposures);
        expect(h.digest('hex')).toBe(w.digest);
      }
    });
});
