/**
 * Benchmark 8: the dashboard in headless Chromium (Debian's, driven by playwright-core) served
 * by the real server over the read models of a seeded world in a SQLite store (inline, as
 * `simulate` writes it): time to first paint of the map (from navigation start, page script,
 * world, curve and people's bytes included), against fetching the same bytes alone in the same
 * page; and the time from a tick's commit (its append returned) to the map showing it (the
 * runner's live update, event stream, fetch, decode, draw), with the draw alone.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { group, storeReadModels } from '../adapters/readmodels/sqlite.js';
import { DEFAULT_PARAMS, genesis, scratch, stepTick, tickStream } from '../core/index.js';
import { readModelSource } from '../web/readModelSource.js';
import { dashboardApp, listen } from '../web/server.js';
import { median, type Row } from './stats.js';

const CHROMIUM = process.env.STOPCOVID_CHROMIUM ?? '/usr/bin/chromium';
const ASSETS = join(import.meta.dirname, '..', 'web', 'assets');

/** Run benchmark 8 for each population in `sizes` (at the seed's density), `reps` page loads and ticks each. */
export async function benchDashboard(sizes: number[], reps: number, log: (s: string) => void): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) {
    log(`dashboard: skipped, no ${CHROMIUM} (apt-get install -y chromium)`);
    return [];
  }
  const rows: Row[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    for (const people of sizes) {
      log(`dashboard: building a world of ${people.toLocaleString('en-US')} people`);
      const side = Math.round(Math.sqrt(people * 100));
      // a SQLite store with its read models inline, as simulate writes it
      const dir = mkdtempSync(join(tmpdir(), 'stopcovid-bench-dashboard-'));
      const store = sqliteStore(join(dir, 'world.db'));
      const models = storeReadModels(store);
      models.attachInline(store, group('read-models', models.projections));
      const world = genesis({ ...DEFAULT_PARAMS, people, width: side, height: side });
      await store.append(tickStream(0), world.events, 'no_stream');
      const buffers = scratch();
      await store.append(tickStream(1), stepTick(world.state, buffers).events, 'no_stream');
      const source = readModelSource(store, models, 'sqlite:world.db', { inline: true });
      const server = await listen(dashboardApp({ source, parseQuery: (q) => ({ phone: q }), assets: ASSETS }), '127.0.0.1', 0);
      try {
        const paints: number[] = [];
        const fetches: number[] = [];
        const draws: number[] = [];
        const redraws: number[] = [];
        const folds: number[] = [];
        for (let r = 0; r <= reps; r++) {
          const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
          await page.goto(server.url);
          // (browser code as strings: this file is compiled without the DOM's types)
          await page.waitForFunction('window.stopcovid?.timings.firstPaint !== undefined', undefined, { timeout: 120_000 });
          const t = (await page.evaluate('window.stopcovid.timings')) as { firstPaint: number };
          const fetchOnly = (await page.evaluate(`(async () => {
            const t0 = performance.now();
            await (await fetch('/api/people')).arrayBuffer();
            return performance.now() - t0;
          })()`)) as number;
          await page.waitForSelector('body[data-ready=true]');
          // a tick appended now: how long until the map shows it
          const next = stepTick(world.state, buffers);
          // the clock starts when the append (the tick's commit) returns, as when another process commits it
          let folded = 0;
          let t0 = Infinity;
          const stop = source.subscribe(() => (folded = performance.now() - t0));
          await store.append(tickStream(next.summary.tick), next.events, 'no_stream');
          t0 = performance.now();
          await page.waitForFunction(`document.getElementById('map').dataset.tick === '${next.summary.tick}'`, undefined, { timeout: 120_000, polling: 20 });
          const redraw = performance.now() - t0;
          stop();
          const drawn = (await page.evaluate('window.stopcovid.timings.lastDraw')) as number;
          await page.close();
          if (r === 0) continue; // warm-up
          paints.push(t.firstPaint);
          fetches.push(fetchOnly);
          draws.push(drawn);
          redraws.push(redraw);
          folds.push(folded);
          log(`dashboard ${people}: first paint ${t.firstPaint.toFixed(0)} ms, bytes alone ${fetchOnly.toFixed(0)} ms, tick to map ${redraw.toFixed(0)} ms (of which the source's update ${folded.toFixed(0)} ms, the draw ${drawn.toFixed(0)} ms)`);
        }
        const n = people.toLocaleString('en-US');
        const paint = median(paints);
        const bytes = median(fetches);
        rows.push({ section: 'dashboard', case: `first paint of the map, ${n} people`, ours: paint, unit: 'ms', baseline: `fetching the ${(9 * people / 1e6).toFixed(1)} MB of people alone`, base: bytes, ratio: paint / bytes, note: 'from navigation start: page, world, curve, people, draw' });
        rows.push({ section: 'dashboard', case: `tick committed to map redrawn, ${n} people`, ours: median(redraws), unit: 'ms', baseline: 'the draw alone', base: median(draws), ratio: median(redraws) / median(draws), note: `of which the commit to the source's live update: ${median(folds).toFixed(0)} ms` });
      } finally {
        await server.close();
        await source.close();
        models.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}
