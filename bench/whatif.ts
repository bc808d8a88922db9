/**
 * Benchmark of `whatif` (issue 13: at least half the speed of `replay`): the history of a world
 * recorded under the `tousanticovid` policy (hourly ticks) decided again under the seed's rules
 * with the same ground truth, and under its own policy, against `replay` (the world folded in
 * memory) on the same log, alternated in one process.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS, genesis, loadWorld, runWhatIf, scratch, stepTick, tickStream, TOUSANTICOVID_POLICY } from '../core/index.js';
import { Policy } from '../events/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { median, type Row } from './stats.js';

/** Run the what-if benchmark on a world of `people` at 9 cells a person over `ticks` hourly ticks. */
export async function benchWhatIf(people: number, ticks: number, reps: number, log: (s: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-bench-whatif-'));
  const side = Math.round(Math.sqrt(people * 9));
  const file = join(dir, 'world.db');
  try {
    log(`whatif: writing a tousanticovid world of ${people} people x ${ticks} hourly ticks`);
    const store = sqliteStore(file);
    const world = genesis({ ...DEFAULT_PARAMS, people, width: side, height: side, tickMs: 3_600_000 }, { policy: TOUSANTICOVID_POLICY, source: 'preset:tousanticovid' });
    await store.append(tickStream(0), world.events, 'no_stream');
    const buffers = scratch();
    for (let t = 1; t <= ticks; t++) {
      const { events } = stepTick(world.state, buffers);
      await store.append(tickStream(t), events, 'no_stream');
    }
    const seedWithTruth = Policy.parse({ name: 'seed-with-ground-truth', transmission: { probability: 0.05 } });
    const replayMs: number[] = [];
    const otherMs: number[] = [];
    const ownMs: number[] = [];
    let events = 0;
    const time = async (fn: () => Promise<number>) => {
      const t0 = performance.now();
      events = await fn();
      return performance.now() - t0;
    };
    for (let r = 0; r <= reps; r++) {
      log(`whatif vs replay, run ${r} of ${reps}`);
      const a = await time(async () => (await loadWorld(store)).events);
      const b = await time(async () => (await runWhatIf(store, seedWithTruth)).events);
      const c = await time(async () => (await runWhatIf(store, TOUSANTICOVID_POLICY)).events);
      if (r > 0) (replayMs.push(a), otherMs.push(b), ownMs.push(c));
    }
    await store.close();
    const replay = events / (median(replayMs) / 1000);
    const other = events / (median(otherMs) / 1000);
    const own = events / (median(ownMs) / 1000);
    const note = `${events.toLocaleString('en-US')} events, ${people.toLocaleString('en-US')} people x ${ticks} hourly ticks`;
    return [
      { section: 'whatif', case: 'whatif --policy seed (with the ground truth) on a tousanticovid world', ours: other, unit: 'events/s', baseline: 'replay, same log', base: replay, ratio: other / replay, target: '>= 0.5x', met: other / replay >= 0.5, note },
      { section: 'whatif', case: 'whatif --policy tousanticovid (its own policy)', ours: own, unit: 'events/s', baseline: 'replay, same log', base: replay, ratio: own / replay, target: '>= 0.5x', met: own / replay >= 0.5, note },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
