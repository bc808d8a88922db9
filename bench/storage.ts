/**
 * The storage section: the `stopcovid` binary on the SQLite store (WAL, synchronous=NORMAL) in its
 * two layouts, measured in the same run: record batches (new stores) against one JSON row per
 * event (stores of earlier releases, the baseline, written by the same binary into a store created
 * in that layout). Figures: `simulate` events/s, `replay` and `rebuild` events/s, bytes on disk per
 * event, wall time and peak resident memory of large worlds, and start-up time of the binary.
 * Every figure is a whole process, timed by /usr/bin/time (wall seconds, peak RSS).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { storeReadModels } from '../adapters/readmodels/sqlite.js';
import { REBUILD_BATCH } from '../adapters/readmodels/rebuild.js';
import { runProjection, type StoredItem } from '../core/index.js';
import { median, type Row } from './stats.js';

/** The binary, from bench/ (sources, under vitest) or dist/bench/ (`npm run bench`). */
const BIN = join(import.meta.dirname, ...(existsSync(join(import.meta.dirname, '..', 'package.json')) ? ['..'] : ['..', '..']), 'bin', 'run.js');

/** One timed process: its wall time (s), peak resident memory (MiB) and stdout. */
interface Timed {
  seconds: number;
  rssMiB: number;
  stdout: string;
}

function timed(args: string[]): Timed {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
  const last = run.stderr.trim().split('\n').at(-1)!.split(' ');
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr.slice(-500)}`);
  return { seconds: Number(last[0]), rssMiB: Number(last[1]) / 1024, stdout: run.stdout };
}

const stopcovid = (...args: string[]) => timed([process.execPath, BIN, ...args]);

/** Bytes of the file (and its WAL) and of the log's own tables and indexes. */
function sizes(file: string): { file: number; log: number } {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const log = db.prepare("SELECT SUM(pgsize) FROM dbstat WHERE name IN ('batches', 'batches_type', 'batches_stream', 'batch_types', 'events', 'events_type', 'events_stream')").pluck().get() as number;
  db.close();
  return { file: statSync(file).size, log };
}

interface LayoutRun {
  events: number;
  simulate: Timed;
  cliRate: number;
  replayRate: number;
  rebuildRate: number;
  bytes: { file: number; log: number };
  /** {@link writesAlone}, milliseconds (record batches only: the row that reports it has no baseline). */
  writesMs?: number;
}

/**
 * What bounds a rebuild from below: the same rebuild of every read model with the reading of the
 * log taken out. The projection runner reads the whole log into memory first (batches of
 * {@link REBUILD_BATCH}, as `rebuild` cuts them); then only the read-model store's commits of
 * those batches into fresh tables are timed: the fold and the rows, indexes and commits it
 * writes. Each of `reps` rebuilds is swapped in before the next; in this process, so the fold
 * is warm from the second on: the median is a lower bound for `rebuild` in a fresh process.
 * @returns the median wall milliseconds of the commits.
 * @throws Error when read models so written differ from the live ones (rebuilt by `rebuild`).
 */
async function writesAlone(file: string, reps: number): Promise<number> {
  const store = sqliteStore(file, { create: false });
  try {
    const models = storeReadModels(store);
    const names = models.projections.map((p) => p.name);
    const expected = names.map((name) => models.dump(name));
    const times: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const projection = models.beginRebuild(names);
      const next = models.next();
      const batches: [readonly StoredItem[], number][] = [];
      await runProjection(store, projection, { checkpoint: (p) => next.checkpoint(p), commit: async (_, events, position) => void batches.push([events, position]) }, { batchEvents: REBUILD_BATCH });
      const started = performance.now();
      for (const [events, position] of batches) await next.commit(projection, events, position);
      times.push(performance.now() - started);
      names.forEach((name, k) => {
        if (!isDeepStrictEqual(models.dump(name, true), expected[k])) throw new Error(`the read model ${name} written without reading differs from the rebuilt one`);
      });
      models.swapIn(names);
    }
    return median(times);
  } finally {
    await store.close();
  }
}

async function runLayout(dir: string, layout: 'rows' | 'batches', world: string[], reps: number, log: (s: string) => void): Promise<LayoutRun> {
  const file = join(dir, `${layout}.db`);
  await sqliteStore(file, { layout }).close();
  log(`storage: simulate ${world.join(' ')} into ${layout}`);
  const simulate = stopcovid('simulate', '--store', `sqlite:${file}`, ...world, '--json');
  const result = JSON.parse(simulate.stdout) as { events: number; eventsPerSecond: number };
  // the world as simulate left it (a rebuild leaves the pages of the read models it replaced free in the file)
  const bytes = sizes(file);
  log(`storage: replay and rebuild on ${layout}`);
  const replay = JSON.parse(stopcovid('replay', '--store', `sqlite:${file}`, '--json').stdout) as { eventsPerSecond: number };
  const rebuild = JSON.parse(stopcovid('rebuild', '--store', `sqlite:${file}`, '--json').stdout) as { eventsPerSecond: number };
  const writesMs = layout === 'batches' ? await writesAlone(file, reps) : undefined;
  rmSync(file, { force: true });
  return { events: result.events, simulate, cliRate: result.eventsPerSecond, replayRate: replay.eventsPerSecond, rebuildRate: rebuild.eventsPerSecond, bytes, writesMs };
}

/**
 * Run the storage section: `people` at the seed's density over `ticks` ticks in both layouts;
 * a world of `bigPeople` x `bigTicks` and one of `hugePeople` x 5 ticks in record batches (0
 * skips them); start-up time over `reps` runs.
 */
export async function benchStorage(people: number, ticks: number, bigPeople: number, bigTicks: number, hugePeople: number, reps: number, log: (s: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-storage-'));
  const side = (n: number) => Math.round(Math.sqrt(n * 100));
  const world = ['--people', String(people), '--grid', `${side(people)}x${side(people)}`, '--ticks', String(ticks)];
  const name = `${people.toLocaleString('en-US')} people x ${ticks} ticks`;
  try {
    const rows = await runLayout(dir, 'rows', world, reps, log);
    const ours = await runLayout(dir, 'batches', world, reps, log);
    if (ours.events !== rows.events) throw new Error(`the layouts wrote ${ours.events} and ${rows.events} events`);
    const wallRate = (r: LayoutRun) => r.events / r.simulate.seconds;
    const out: Row[] = [
      { section: 'storage', case: `simulate ${name}, SQLite durable, CLI (its own events/s: ticks)`, ours: ours.cliRate, unit: 'events/s', baseline: 'row per event (previous layout), same binary', base: rows.cliRate, ratio: ours.cliRate / rows.cliRate, target: '>= 1,000,000 and >= 8x', met: ours.cliRate >= 1e6 && ours.cliRate / rows.cliRate >= 8, note: `${ours.events.toLocaleString('en-US')} events` },
      { section: 'storage', case: `simulate ${name}, whole process (start, tick 0, ticks, read models)`, ours: wallRate(ours), unit: 'events/s', baseline: 'row per event', base: wallRate(rows), ratio: wallRate(ours) / wallRate(rows), note: `${ours.simulate.seconds} s vs ${rows.simulate.seconds} s wall` },
      { section: 'storage', case: `replay ${name} (fold of the whole log)`, ours: ours.replayRate, unit: 'events/s', baseline: 'row per event', base: rows.replayRate, ratio: ours.replayRate / rows.replayRate, target: '>= 5,000,000', met: ours.replayRate >= 5e6 },
      { section: 'storage', case: `rebuild of the six read models, ${name}`, ours: ours.rebuildRate, unit: 'events/s', baseline: 'row per event', base: rows.rebuildRate, ratio: ours.rebuildRate / rows.rebuildRate, target: '>= 5,000,000', met: ours.rebuildRate >= 5e6 },
      {
        section: 'storage',
        case: `rebuild without reading the log (its fold and writes alone), ${name}`,
        ours: ours.events / (ours.writesMs! / 1000),
        unit: 'events/s',
        note: `${ours.writesMs!.toFixed(0)} ms (median of ${reps}, in the bench's process), the log read into memory before; 5,000,000 events/s leaves ${((ours.events / 5e6) * 1000).toFixed(0)} ms for the whole rebuild`,
      },
      { section: 'storage', case: `bytes on disk per event, the log (its tables and indexes), ${name}`, ours: ours.bytes.log / ours.events, unit: 'B/event', baseline: 'row per event', base: rows.bytes.log / rows.events, ratio: ours.bytes.log / rows.bytes.log, target: '<= 24', met: ours.bytes.log / ours.events <= 24 },
      { section: 'storage', case: `bytes on disk per event, the whole file (log and read models), ${name}`, ours: ours.bytes.file / ours.events, unit: 'B/event', baseline: 'row per event', base: rows.bytes.file / rows.events, ratio: ours.bytes.file / rows.bytes.file, target: '<= 24', met: ours.bytes.file / ours.events <= 24, note: `${(ours.bytes.file / 2 ** 20).toFixed(0)} MiB vs ${(rows.bytes.file / 2 ** 20).toFixed(0)} MiB` },
    ];
    if (bigPeople > 0 && bigTicks > 0) {
      log(`storage: simulate ${bigPeople} people x ${bigTicks} ticks`);
      const big = stopcovid('simulate', '--store', `sqlite:${join(dir, 'big.db')}`, '--people', String(bigPeople), '--grid', `${side(bigPeople)}x${side(bigPeople)}`, '--ticks', String(bigTicks), '--json');
      const events = (JSON.parse(big.stdout) as { events: number }).events;
      const bigName = `${bigPeople.toLocaleString('en-US')} people x ${bigTicks} ticks`;
      out.push(
        { section: 'storage', case: `simulate ${bigName}, whole process`, ours: big.seconds, unit: 's', target: '< 180 s at 1e6 x 100', met: big.seconds < 180, note: `${events.toLocaleString('en-US')} events, ${(events / big.seconds).toFixed(0)} events/s` },
        { section: 'storage', case: `peak resident memory, ${bigName}`, ours: big.rssMiB, unit: 'MiB', target: '< 600 MB', met: big.rssMiB * 2 ** 20 < 600e6 },
      );
      rmSync(join(dir, 'big.db'), { force: true });
    }
    if (hugePeople > 0) {
      log(`storage: simulate ${hugePeople} people x 5 ticks`);
      const huge = stopcovid('simulate', '--store', `sqlite:${join(dir, 'huge.db')}`, '--people', String(hugePeople), '--grid', `${side(hugePeople)}x${side(hugePeople)}`, '--ticks', '5', '--json');
      out.push({ section: 'storage', case: `peak resident memory, ${hugePeople.toLocaleString('en-US')} people x 5 ticks`, ours: huge.rssMiB, unit: 'MiB', target: '< 4 GB', met: huge.rssMiB * 2 ** 20 < 4e9, note: `${huge.seconds} s wall` });
      rmSync(join(dir, 'huge.db'), { force: true });
    }
    log('storage: start-up time');
    const wall = (args: string[]) => {
      timed(args);
      return median(Array.from({ length: reps }, () => timed(args).seconds * 1000));
    };
    const node = wall([process.execPath, '-e', '0']);
    for (const args of [['--version'], ['trace', '--help']]) {
      const ms = wall([process.execPath, BIN, ...args]);
      out.push({ section: 'storage', case: `\`stopcovid ${args.join(' ')}\` wall`, ours: ms, unit: 'ms', baseline: '`node -e 0`', base: node, ratio: ms / node, target: '< 300 ms', met: ms < 300 });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

