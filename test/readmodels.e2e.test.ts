/**
 * The read models through the real binary: SIGKILL of `simulate` and of `rebuild` at random
 * moments never leaves a read model that differs from the log, and resuming gives the same log
 * and read models as an uninterrupted run; readers run beside a writing simulate; a store
 * written before read models existed gets them on first use, its events byte for byte unchanged.
 * `verify` and `status` run in process (oclif's Command.run); `simulate` and `rebuild` are real
 * processes, because the process being killed is what matters.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, exposuresProjection, genesis, scratch, stepTick, tickStream } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { storeReadModels } from '../adapters/readmodels/sqlite.js';
import Verify, { type VerifyResult } from '../cli/commands/verify.js';
import Status, { type StatusResult } from '../cli/commands/status.js';
import People from '../cli/commands/people.js';
import { BIN, cli } from './cli.js';
import { logDigest } from './storedLog.js';

const ROOT = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-readmodels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORLD = ['--people', '2000', '--grid', '140x140', '--radius', '1', '--seed', '5'];

/** Run a command in this process, quietly; returns its result and restores the exit code. */
async function inProcess<T>(command: { run(argv: string[], root: string): Promise<unknown> }, ...argv: string[]): Promise<T> {
  const log = console.log; // oclif prints --json results with console.log
  console.log = () => undefined;
  try {
    return (await command.run([...argv, '--json'], ROOT)) as T;
  } finally {
    console.log = log;
    process.exitCode = undefined;
  }
}

/**
 * Start `stopcovid ...args`; resolves with the exit code or signal once it ends, and `output`
 * once the process first writes to stdout (or ends without writing).
 */
function start(...args: string[]): {
  kill(): void;
  running(): boolean;
  output: Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
  child.stderr.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const output = new Promise<void>((resolve) => {
    child.stdout.once('data', () => resolve());
    void done.then(() => resolve());
  });
  child.stdout.resume();
  return { kill: () => child.kill('SIGKILL'), running: () => child.exitCode === null && child.signalCode === null, output, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a rebuild's new read model tables (`rmn_*`) exist in the file now. */
function building(file: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'rmn_%'").pluck().get() !== 0;
  } finally {
    db.close();
  }
}


/** Every read model's rows (without delivery times). */
function readModels(file: string): unknown {
  const store = sqliteStore(file, { create: false });
  const models = storeReadModels(store);
  const out = Object.fromEntries(models.projections.map((p) => [p.name, models.dump(p.name)]));
  void store.close();
  return out;
}

describe('crash safety', () => {
  it('SIGKILL of simulate at 20 random moments: verify passes after each, and the resumed world equals an uninterrupted one', async () => {
    const crashed = join(dir, 'crashed.db');
    const rng = xoroshiro128plus(42);
    const kills: number[] = [];
    let killedMidRun = 0;
    let verified = 0;
    for (let k = 0; k < 20; k++) {
      // 6 ticks 100 ms apart. Every fourth kill counts from the spawn, so it can land while Node
      // starts or the world is created; the others count from simulate's first line on stdout
      // ("created" or "continuing a world", printed once tick 0 is stored, before the first tick),
      // so they land mid-run however long this machine takes to start a process.
      const run = start('simulate', '--store', `sqlite:${crashed}`, ...WORLD, '--ticks', '6', '--tick-ms', '100');
      const early = k % 4 === 0;
      if (!early) await run.output;
      const delay = early ? uniformInt(rng, 0, 1200) : uniformInt(rng, 0, 400);
      kills.push(delay);
      await sleep(delay);
      run.kill();
      const { signal } = await run.done;
      if (signal === 'SIGKILL') killedMidRun++;
      if (!existsSync(crashed)) continue; // killed before it created the store: nothing written
      const verify = await inProcess<VerifyResult | undefined>(Verify, '--store', `sqlite:${crashed}`);
      if (verify === undefined && !(await cli('status', '--store', `sqlite:${crashed}`)).stderr.includes('no world')) throw new Error(`verify failed after the kill at ${delay} ms`);
      if (verify === undefined) continue; // killed before tick 0 committed: an empty store
      verified++;
      expect(verify.differences, `after the kill at ${delay} ms (kill ${k + 1})`).toEqual([]);
      expect(verify.ok).toBe(true);
    }
    expect(killedMidRun).toBeGreaterThan(10); // most kills landed while simulate ran
    expect(verified).toBeGreaterThanOrEqual(15); // every kill after simulate's first line found a world to verify
    const status = await inProcess<StatusResult>(Status, '--store', `sqlite:${crashed}`);
    const tick = status.tick;
    expect(tick).toBeGreaterThan(0);
    // resume a few ticks further, and make the same world in one uninterrupted run
    const last = tick + 3;
    expect((await cli('simulate', '--store', `sqlite:${crashed}`, '--ticks', String(last - tick))).code).toBe(0);
    const straight = join(dir, 'straight.db');
    expect((await cli('simulate', '--store', `sqlite:${straight}`, ...WORLD, '--ticks', String(last))).code).toBe(0);
    expect(logDigest(crashed)).toBe(logDigest(straight));
    expect(readModels(crashed)).toEqual(readModels(straight));
    console.info(`simulate crash test: ${killedMidRun} of 20 SIGKILLs mid-run (delays ${kills.join(', ')} ms, every fourth from the spawn, the others from simulate's first line), ${verified} verified, world at tick ${tick} afterwards, verify passed each time`);
  }, 240_000);

  it('SIGKILL of rebuild at random moments leaves the live read models intact; running it again finishes', async () => {
    const file = join(dir, 'rebuild.db');
    expect((await cli('simulate', '--store', `sqlite:${file}`, '--people', '40000', '--grid', '640x640', '--ticks', '8')).code).toBe(0);
    const before = readModels(file);
    const digest = logDigest(file);
    const rng = xoroshiro128plus(7);
    let leftPartial = 0;
    for (let k = 0; k < 4; k++) {
      // a tick a transaction: a kill can land between two commits of the rebuild, not only before
      // its first. The delay counts from the moment the new tables appear, so it lands inside the
      // rebuild however long this machine takes to start a process.
      const run = start('rebuild', '--store', `sqlite:${file}`, '--batch-events', '1');
      while (run.running() && !building(file)) await sleep(10);
      await sleep(uniformInt(rng, 0, 300));
      run.kill();
      await run.done;
      if (building(file)) leftPartial++;
      expect(readModels(file)).toEqual(before);
      expect((await inProcess<VerifyResult>(Verify, '--store', `sqlite:${file}`)).ok).toBe(true);
    }
    expect(leftPartial).toBeGreaterThan(0); // at least one kill landed inside a rebuild
    const done = await cli('rebuild', '--store', `sqlite:${file}`, '--json');
    expect(done.code).toBe(0);
    const result = JSON.parse(done.stdout) as { aborted: boolean; names: string[]; read: number; resumedAfter: number; ms: number };
    expect(result).toMatchObject({ aborted: false, names: ['people', 'exposures', 'metrics', 'notifications', 'history', 'epidemic'] });
    // it resumed where the last killed rebuild had committed (0 when none had): the two spans make the whole log
    const { lastPosition } = await inProcess<StatusResult>(Status, '--store', `sqlite:${file}`);
    expect(result.resumedAfter + result.read).toBe(lastPosition);
    expect(Number.isInteger(result.ms)).toBe(true);
    expect(readModels(file)).toEqual(before);
    expect(logDigest(file)).toBe(digest);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'rmn_%'").pluck().get()).toBe(0);
    db.close();
  }, 240_000);
});

describe('readers beside a writer', () => {
  it('status and people while simulate writes: consistent answers, and simulate is never refused', async () => {
    const file = join(dir, 'live.db');
    expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '2')).code).toBe(0);
    const run = start('simulate', '--store', `sqlite:${file}`, '--ticks', '60', '--tick-ms', '80'); // long enough for several reads: a tick of this world takes a few ms
    let reads = 0;
    let running = true;
    const seenTicks = new Set<number>();
    const exited = run.done.then((r) => ((running = false), r));
    while (running) {
      const status = await inProcess<StatusResult>(Status, '--store', `sqlite:${file}`);
      // one read transaction: every read model at the same checkpoint, the log's last position, no lag
      const checkpoints = new Set(status.readModels.map((r) => r.checkpoint));
      expect(checkpoints.size).toBe(1);
      expect([...checkpoints][0]).toBe(status.lastPosition);
      expect(status.readModels.every((r) => r.lagEvents === 0)).toBe(true);
      seenTicks.add(status.tick);
      // in process: a spawned reader takes a second or more on a loaded machine, and the readers must see the world move
      const people = await inProcess<unknown[]>(People, '--store', `sqlite:${file}`, '--status', '1', '--limit', '1');
      expect(people).toHaveLength(1);
      reads++;
      await sleep(30);
    }
    const { code } = await exited;
    expect(code).toBe(0);
    expect(seenTicks.size).toBeGreaterThan(3); // the readers saw the world move
    expect((await inProcess<VerifyResult>(Verify, '--store', `sqlite:${file}`)).ok).toBe(true);
  }, 120_000);
});

describe('a store written before read models existed', () => {
  it('gets its read models on first use, its events byte for byte unchanged', async () => {
    const file = join(dir, 'old.db');
    // the previous release's layout: events, streams and checkpoints only, written without read models
    const store = sqliteStore(file, { layout: 'rows' });
    const world = genesis({ ...DEFAULT_PARAMS, people: 1500, width: 90, height: 90, seed: 9 });
    await store.append(tickStream(0), world.events, 'no_stream');
    const buffers = scratch();
    for (let t = 1; t <= 15; t++) await store.append(tickStream(t), stepTick(world.state, buffers).events, 'no_stream');
    await store.close();
    const raw = new Database(file);
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    raw.close();
    expect(tables).toEqual(['checkpoints', 'events', 'streams']);
    const digest = logDigest(file);

    const phone = world.state.phones[world.state.status.findIndex((s) => s === 1)]!;
    const traced = await cli('trace', phone, '--store', `sqlite:${file}`, '--format', 'json');
    expect(traced.code).toBe(0);
    expect(JSON.parse(traced.stdout)).toMatchObject({ phone, status: 1 });
    expect(logDigest(file)).toBe(digest);
    const status = await inProcess<StatusResult>(Status, '--store', `sqlite:${file}`);
    expect(status.readModels.map((r) => [r.name, r.lagEvents])).toEqual([
      ['people', 0],
      ['exposures', 0],
      ['metrics', 0],
      ['notifications', 0],
      ['history', 0],
      ['epidemic', 0],
    ]);
    expect(status.tick).toBe(15);
    expect((await inProcess<VerifyResult>(Verify, '--store', `sqlite:${file}`)).ok).toBe(true);

    // a read model written by another version of its projection is rebuilt (blue/green) on first use
    const rows = status.readModels.find((r) => r.name === 'exposures')!.rows.exposures!;
    expect(rows).toBeGreaterThan(0);
    const db = new Database(file);
    db.exec("UPDATE read_models SET version = 0 WHERE name = 'exposures'; DELETE FROM rm_exposures");
    db.close();
    expect((await cli('trace', phone, '--store', `sqlite:${file}`)).code).toBe(0);
    const after = await inProcess<StatusResult>(Status, '--store', `sqlite:${file}`);
    expect(after.readModels.find((r) => r.name === 'exposures')).toMatchObject({ version: exposuresProjection.version, lagEvents: 0, rows: { exposures: rows } });
    expect(logDigest(file)).toBe(digest);
  });
});
