/**
 * Benchmark 6: `trace` on a large log: a real simulated log of at least `events` events in SQLite,
 * written with its read models inline (as `simulate` writes it). Measured: chain queries (both
 * directions, depth 10) for random exposed people on the persisted read models, p50 and p99; the
 * whole `stopcovid trace <phone>` and `stopcovid status` commands, process start included (wall
 * time, p50 of 10 runs), against what `trace` did before read models existed: load the contact
 * graph from the whole log on every call.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { committedTicks, ContactGraph, DEFAULT_PARAMS, genesis, scratch, stepTick, tickStream, trace } from '../core/index.js';
import type { DomainEvent } from '../events/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { group, storeReadModels } from '../adapters/readmodels/sqlite.js';
import { percentile, type Row } from './stats.js';

/** Run benchmark 6 with a log of at least `events` events (`people` people at the seed's density). */
export async function benchTrace(events: number, people: number, queries: number, log: (s: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-trace-'));
  try {
    const file = join(dir, 'trace.db');
    const store = sqliteStore(file);
    const inline = storeReadModels(store);
    inline.attachInline(store, group('read-models', inline.projections));
    const side = Math.round(Math.sqrt(people * 100));
    const world = genesis({ ...DEFAULT_PARAMS, people, width: side, height: side });
    await store.append(tickStream(0), world.events, 'no_stream');
    let written = world.events.length;
    const buffers = scratch();
    const t0 = performance.now();
    while (written < events) {
      const tick = stepTick(world.state, buffers);
      await store.append(tickStream(tick.summary.tick), tick.events, 'no_stream');
      written += tick.events.length;
      log(`trace: writing the log, ${written.toLocaleString('en-US')} events`);
    }
    const writeMs = performance.now() - t0;
    inline.close();
    await store.close();

    const reader = sqliteStore(file, { create: false });
    const t1 = performance.now();
    const graph = new ContactGraph();
    for await (const tick of committedTicks(reader.readAll({ types: ['PersonRegistered', 'HealthStatusChanged', 'TickCompleted'] }))) for (const e of tick) graph.evolve(e as DomainEvent);
    const loadMs = performance.now() - t1;
    await reader.close();

    const exposed: number[] = [];
    for (let p = 0; p < people; p++) if (graph.exposuresOf(p).length > 0) exposed.push(p);
    const rng = xoroshiro128plus(3);
    const latencies: number[] = [];
    let links = 0;
    const readStore = sqliteStore(file, { create: false });
    const models = storeReadModels(readStore);
    const source = models.traceSource();
    for (let q = 0; q < queries + 100; q++) {
      const p = exposed[uniformInt(rng, 0, exposed.length - 1)]!;
      const s = performance.now();
      const t = trace(source, p, 'both', 10);
      const ms = performance.now() - s;
      links += (t.upstream?.length ?? 0) + (t.downstreamCount ?? 0);
      if (q >= 100) latencies.push(ms); // the first 100 warm up
    }
    const p99 = percentile(latencies, 99);
    const phone = source.phoneOf(exposed[0]!)!;
    models.close();
    await readStore.close();

    // the whole commands, process start included
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');
    const wall = (args: string[]) => {
      const runs: number[] = [];
      for (let i = 0; i < 11; i++) {
        const s = performance.now();
        execFileSync(process.execPath, [bin, ...args, '--store', `sqlite:${file}`], { stdio: 'ignore' });
        if (i > 0) runs.push(performance.now() - s);
      }
      return percentile(runs, 50);
    };
    const traceWall = wall(['trace', phone]);
    const statusWall = wall(['status']);
    const versionWall = wall(['--version']);
    return [
      { section: 'trace', case: `chain query on the read models p50, log of ${written.toLocaleString('en-US')} events, ${exposed.length.toLocaleString('en-US')} exposed`, ours: percentile(latencies, 50), unit: 'ms' },
      { section: 'trace', case: `chain query p99, log of ${written.toLocaleString('en-US')} events`, ours: p99, unit: 'ms', target: '< 20 ms at 1e7 events', met: p99 < 20 && written >= 1e7, note: `${queries} queries, ${(links / (queries + 100)).toFixed(1)} links each on average` },
      { section: 'trace', case: `stopcovid trace <phone> command, wall, log of ${written.toLocaleString('en-US')} events`, ours: traceWall, unit: 'ms', baseline: 'before read models: contact graph load from the log, per call', base: loadMs, ratio: traceWall / loadMs, target: '< 1000 ms (aim 300)', met: traceWall < 1000, note: `stopcovid --version: ${versionWall.toFixed(0)} ms; the log took ${(writeMs / 1000).toFixed(0)} s to write` },
      { section: 'trace', case: `stopcovid status command, wall, same log`, ours: statusWall, unit: 'ms', baseline: 'stopcovid --version (process start)', base: versionWall, ratio: statusWall / versionWall },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
