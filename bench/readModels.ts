/**
 * Benchmarks of the read side: the cost of keeping the read models inline (simulate on SQLite
 * with read models in the tick's transaction against the same simulation without them, same
 * world, alternated in one process), and `rebuild` (all four read models folded from the log)
 * against `replay` (the world folded in memory) on the same log.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS, loadWorld, type WorldParams } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { storeReadModels } from '../adapters/readmodels/sqlite.js';
import { rebuild } from '../adapters/readmodels/rebuild.js';
import { median, type Row } from './stats.js';
import { simulateInto } from './store.js';

/** Simulate `ticks` ticks into `file`, with or without inline read models; the ticks' wall time and events. */
function simulate(file: string, params: WorldParams, ticks: number, inline: boolean): Promise<{ ms: number; events: number }> {
  return simulateInto(file, params, ticks, { inline, keepLog: false });
}

/** Run the read-side benchmarks for `people` at the seed's density over `ticks` ticks. */
export async function benchReadModels(people: number, ticks: number, reps: number, log: (s: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-bench-rm-'));
  const side = Math.round(Math.sqrt(people * 100));
  const params: WorldParams = { ...DEFAULT_PARAMS, people, width: side, height: side };
  try {
    let n = 0;
    const withModels: number[] = [];
    const without: number[] = [];
    const rebuildMs: number[] = [];
    const replayMs: number[] = [];
    let events = 0;
    let total = 0;
    for (let r = 0; r <= reps; r++) {
      log(`read models: inline cost, ${people} people x ${ticks} ticks, run ${r} of ${reps}`);
      // alternate the order so that neither side always runs on a warmer machine
      const a = r % 2 === 0 ? await simulate(join(dir, `with-${n++}.db`), params, ticks, true) : undefined;
      const b = await simulate(join(dir, `without-${n++}.db`), params, ticks, false);
      const c = a ?? (await simulate(join(dir, `with-${n++}.db`), params, ticks, true));
      events = b.events;
      // rebuild (four read models) vs replay (the world in memory), on the log just written with read models
      const file = join(dir, `with-${n - (a ? 2 : 1)}.db`);
      const store = sqliteStore(file, { create: false });
      const models = storeReadModels(store);
      let t0 = performance.now();
      const rebuilt = await rebuild(store, models, models.projections.map((p) => p.name));
      const rebuildWall = performance.now() - t0;
      t0 = performance.now();
      const replayed = await loadWorld(store);
      const replayWall = performance.now() - t0;
      total = replayed.events;
      if (rebuilt.read !== replayed.events) throw new Error(`rebuild read ${rebuilt.read} events, replay ${replayed.events}`);
      models.close();
      await store.close();
      if (r > 0) {
        withModels.push(c.ms);
        without.push(b.ms);
        rebuildMs.push(rebuildWall);
        replayMs.push(replayWall);
      }
    }
    const withRate = events / (median(withModels) / 1000);
    const withoutRate = events / (median(without) / 1000);
    const rebuildRate = total / (median(rebuildMs) / 1000);
    const replayRate = total / (median(replayMs) / 1000);
    return [
      { section: 'read models', case: `simulate with inline read models, ${people.toLocaleString('en-US')} people x ${ticks} ticks`, ours: withRate, unit: 'events/s', baseline: 'the same simulation without read models', base: withoutRate, ratio: withRate / withoutRate, target: '>= 0.85x (cost <= 15%)', met: withRate / withoutRate >= 0.85, note: `${events.toLocaleString('en-US')} events per run` },
      { section: 'read models', case: `rebuild of the four read models, ${total.toLocaleString('en-US')} events`, ours: rebuildRate, unit: 'events/s', baseline: 'replay (world fold in memory), same log', base: replayRate, ratio: rebuildRate / replayRate },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
