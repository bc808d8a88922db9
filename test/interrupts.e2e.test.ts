/**
 * Ctrl-C as a user gives it, to the built binary in a real process, on real SQLite files:
 * simulate stops after the current tick on the first SIGINT and at once on the second, the store
 * consistent either way; export -o never leaves a truncated file under the output name; an
 * interrupted ingest into a SQLite file leaves no world at all, so no reader can take a partial one;
 * commands that read a long log synchronously (replay, export to a file, rebuild) still see a
 * Ctrl-C while they read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, json } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-interrupts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start `stopcovid ...args`; `stderr()` is what it printed so far, `exit` how it ended. */
function start(...args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))); // close: after its output was read too
  return { child, stderr: () => stderr, exit };
}

/** True once process `pid` has `file` open (Linux: /proc/<pid>/fd): the command is reading it. */
function opened(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// 20,000 people for 6 ticks: about 140,000 events, a few seconds of export
const store = `sqlite:${join(dir, 'world.db')}`;
beforeAll(async () => {
  json(await cli('simulate', '--store', store, '--people', '2e4', '--grid', '300x300', '--ticks', '6', '--json'));
});

describe('Ctrl-C', () => {
  it('simulate: the first prints "stopping after the last whole tick"; a second one soon after stops at once (exit 130) unless the first already stopped it (exit 0); the store replays to its recorded hash', async () => {
    // 100,000 people, ticks back to back: both Ctrl-C land while ticks are being written, as a person's do
    const big = `sqlite:${join(dir, 'big.db')}`;
    const run = start('simulate', '--store', big, '--people', '1e5', '--grid', '1000x1000', '--tick-ms', '0');
    // the live line comes about once a second, for whichever tick is last then (not always tick 1)
    await until(() => /^tick \d+ /m.test(run.stderr()), 'a live line');
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill('SIGINT');
    const ended = await run.exit;
    // the first rolls back a large tick being written within a fraction of a second, so the second may find the
    // process gone (0), stop it at once (130), or reach it while Node exits, when it has put the default handlers
    // back (killed by SIGINT, what a shell also reports as 130); whichever, the store must be consistent
    expect([{ code: 0, signal: null }, { code: 130, signal: null }, { code: null, signal: 'SIGINT' }], run.stderr()).toContainEqual(ended);
    expect(run.stderr()).toContain('stopping after the last whole tick (a tick still being written is rolled back) (Ctrl-C again to stop at once)\n');
    const replay = json<{ matches: boolean; tick: number }>(await cli('replay', '--store', big, '--json'));
    expect(replay.matches).toBe(true);
    expect(replay.tick).toBeGreaterThanOrEqual(1);
  });

  it('simulate: SIGTERM (a service manager, not a keyboard) stops it the same way, exit 0, and says a second signal stops at once', async () => {
    const run = start('simulate', '--store', `sqlite:${join(dir, 'term.db')}`, '--people', '1000', '--grid', '100x100', '--tick-ms', '50');
    await until(() => /^tick \d+ /m.test(run.stderr()), 'a live line (about one a second)');
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toContain('stopping after the last whole tick (a tick still being written is rolled back) (a second signal stops at once)\n');
  });

  it('simulate: a single Ctrl-C during a large tick stops within two seconds, exit 0; the tick being written is rolled back and the world resumes as if never stopped', async () => {
    // 300,000 people: each tick writes about 300,000 events in steps of 20,000, a few seconds a tick here
    const big = `sqlite:${join(dir, 'rollback.db')}`;
    const run = start('simulate', '--store', big, '--people', '3e5', '--grid', '1730x1730', '--tick-ms', '0', '--json');
    const committed = (tick: number) => {
      if (!existsSync(join(dir, 'rollback.db'))) return false;
      const db = new Database(join(dir, 'rollback.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT 1 FROM streams WHERE stream = ?').get(`stopcovid.tick-${tick}`) !== undefined;
      } catch {
        return false;
      } finally {
        db.close();
      }
    };
    let took: number;
    try {
      // at once: tick 1 is being computed or written (with record batches a tick of this world takes well under a second)
      await until(() => committed(0), 'tick 0', 120_000);
      const sent = performance.now();
      run.child.kill('SIGINT');
      const ended = await run.exit;
      took = performance.now() - sent;
      expect(ended, run.stderr()).toEqual({ code: 0, signal: null });
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
    expect(took).toBeLessThan(2500);
    expect(committed(1)).toBe(false); // the tick in progress was given up, not committed
    const replay = json<{ matches: boolean; tick: number }>(await cli('replay', '--store', big, '--verify', '--json'));
    expect(replay.matches).toBe(true);
    // resumed to tick 3, it equals a world run to tick 3 without a stop
    const more = 3 - replay.tick;
    if (more > 0) json(await cli('simulate', '--store', big, '--ticks', String(more), '--json'));
    const straight = `sqlite:${join(dir, 'straight.db')}`;
    const a = json<{ stateHash: string; lastTick: number }>(await cli('simulate', '--store', straight, '--people', '3e5', '--grid', '1730x1730', '--ticks', '3', '--json'));
    const b = json<{ stateHash: string; tick: number }>(await cli('replay', '--store', big, '--json'));
    expect([b.tick, b.stateHash]).toEqual([a.lastTick, a.stateHash]);
    console.info(`Ctrl-C during a 300,000-person tick: exit 0 after ${took.toFixed(0)} ms; the store kept tick ${replay.tick}`);
  }, 240_000);

  it('export -o: interrupted, it exits 130 and leaves neither the output file nor its temporary file; complete, the file appears whole', async () => {
    const output = join(dir, 'log.ndjson');
    const run = start('export', '--store', store, '-o', output);
    await until(() => readdirSync(dir).some((f) => f.startsWith('.log.ndjson.partial-')), 'the temporary file');
    expect(existsSync(output)).toBe(false);
    run.child.kill('SIGINT');
    const ended = await run.exit;
    expect(ended, run.stderr()).toEqual({ code: 130, signal: null });
    expect(run.stderr()).toBe(`interrupted: nothing written to ${output}\n`);
    expect(readdirSync(dir).filter((f) => f.includes('log.ndjson'))).toEqual([]);

    const whole = json<{ events: number }>(await cli('export', '--store', store, '-o', output, '--json'));
    expect(readdirSync(dir).filter((f) => f.includes('log.ndjson'))).toEqual(['log.ndjson']);
    const { stdout } = await cli('export', '--store', store);
    expect(whole.events).toBe(stdout.split('\n').filter(Boolean).length);
  });

  describe('while a long log is read (reading never waits for I/O, so the store lets the event loop in every 50 ms)', () => {
    // 3,000 people for 600 ticks: 1.86 million events; replay takes about 2 s, export 10 s, rebuild 5 s on the development machine
    const file = join(dir, 'long.db');
    beforeAll(async () => {
      json(await cli('simulate', '--store', `sqlite:${file}`, '--people', '3000', '--grid', '200x200', '--ticks', '600', '--json'));
    }, 120_000);

    /** Start `args` on `db`, send SIGINT 100 ms after it opened the file, and return how it ended and how long after the signal. */
    async function stopWhileReading(db: string, args: string[], stdout?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stderr: string }> {
      const child = spawn(process.execPath, [BIN, ...args, '--store', `sqlite:${db}`], { stdio: ['ignore', stdout ?? 'ignore', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      try {
        await until(() => opened(child.pid!, db) || child.exitCode !== null, 'the store opened');
        await new Promise((r) => setTimeout(r, 100));
        const sent = performance.now();
        child.kill('SIGINT');
        const ended = await exit;
        return { ...ended, ms: performance.now() - sent, stderr };
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }

    it('replay --verify: exit 130 at once (before this, the signal waited for the whole replay and it exited 0)', async () => {
      const ended = await stopWhileReading(file, ['replay', '--verify']);
      expect(ended, ended.stderr).toMatchObject({ code: 130, signal: null });
      expect(ended.ms).toBeLessThan(3000);
    });

    it('whatif: exit 130 with the tick it reached and no comparison (before, it printed the part it had read as the whole history, exit 0)', async () => {
      const ended = await stopWhileReading(file, ['whatif', '--policy', 'tousanticovid']);
      expect(ended, ended.stderr).toMatchObject({ code: 130, signal: null });
      expect(ended.stderr).toMatch(/^Error: interrupted at tick \d+: nothing reported\n$/m);
    });

    it('export with stdout redirected to a file (whose writes never wait either): exit 130, part of the log written', async () => {
      const out = join(dir, 'long.ndjson');
      const fd = openSync(out, 'w');
      const ended = await stopWhileReading(file, ['export'], fd);
      expect(ended, ended.stderr).toMatchObject({ code: 130, signal: null });
      expect(ended.ms).toBeLessThan(3000);
    });

    it('rebuild: exit 130, the live read models unchanged; the next rebuild resumes where it stopped and ends like an uninterrupted one', async () => {
      const copy = join(dir, 'long-rebuild.db');
      copyFileSync(file, copy);
      // what status says of each read model: its checkpoint, when it was applied, its rows
      const models = async (db: string) => json<{ readModels: { name: string; checkpoint: number; appliedAt: string; rows: unknown }[] }>(await cli('status', '--store', `sqlite:${db}`, '--json')).readModels.map(({ name, checkpoint, appliedAt, rows }) => ({ name, checkpoint, appliedAt, rows }));
      const before = await models(copy);
      const ended = await stopWhileReading(copy, ['rebuild', '--batch-events', '5000']);
      expect(ended, ended.stderr).toMatchObject({ code: 130, signal: null });
      expect(ended.stderr).toMatch(/^rebuild interrupted after \d+ events; the live read models are unchanged, run it again to resume\n$/m);
      expect(await models(copy)).toEqual(before);
      const resumed = json<{ resumedAfter: number; aborted: boolean }>(await cli('rebuild', '--store', `sqlite:${copy}`, '--json'));
      expect(resumed.aborted).toBe(false);
      expect(resumed.resumedAfter).toBeGreaterThan(0);
      // the same rows as the read models simulate wrote inline, at the same checkpoint
      const strip = (all: { name: string; checkpoint: number; rows: unknown }[]) => all.map(({ name, checkpoint, rows }) => ({ name, checkpoint, rows }));
      expect(strip(await models(copy))).toEqual(strip(await models(file)));
    });
  });

  it('ingest into a SQLite file: Ctrl-C exits 130 and leaves nothing; SIGKILL leaves no store under the name either; a whole ingest leaves only the store', async () => {
    // 30,000 contacts 20 s apart: 30,000 ticks, some seconds of writing
    const input = join(dir, 'contacts.tsv');
    writeFileSync(input, Array.from({ length: 30_000 }, (_, i) => `${20 * (i + 1)}\t${i % 50}\t${50 + (i % 7)}\n`).join(''));
    const folder = join(dir, 'ingest');
    mkdirSync(folder);
    const db = join(folder, 'world.db');
    const writing = () => readdirSync(folder).some((f) => f.startsWith('.world.db.partial-'));

    const interrupted = start('ingest', 'contacts', input, '--index', '0', '--store', `sqlite:${db}`);
    await until(writing, 'the temporary database');
    interrupted.child.kill('SIGINT');
    const ended = await interrupted.exit;
    expect(ended, interrupted.stderr()).toEqual({ code: 130, signal: null });
    expect(interrupted.stderr()).toMatch(new RegExp(`stopping after the current tick \\(Ctrl-C again to stop at once\\)\\nError: interrupted after tick \\d+ of 30000: nothing written to sqlite:${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n$`));
    expect(readdirSync(folder)).toEqual([]);

    const killed = start('ingest', 'contacts', input, '--index', '0', '--store', `sqlite:${db}`);
    await until(writing, 'the temporary database');
    killed.child.kill('SIGKILL');
    await killed.exit;
    expect(existsSync(db)).toBe(false);
    const reader = await cli('replay', '--store', `sqlite:${db}`);
    expect(reader).toMatchObject({ code: 2, stderr: `Error: no store at ${db}: run 'stopcovid simulate' first\n` });
    for (const f of readdirSync(folder)) rmSync(join(folder, f));

    const whole = json<{ ticks: number }>(await cli('ingest', 'contacts', input, '--index', '0', '--store', `sqlite:${db}`, '--json'));
    expect(whole.ticks).toBe(30_000);
    expect(readdirSync(folder)).toEqual(['world.db']);
    expect(json<{ matches: boolean; tick: number }>(await cli('replay', '--store', `sqlite:${db}`, '--json'))).toMatchObject({ matches: true, tick: 30_000 });
  });

  it('ingest into a SQLite file: SIGTERM stops after the current tick too, exits 143 (not 130) and leaves nothing', async () => {
    const input = join(dir, 'contacts-term.tsv');
    writeFileSync(input, Array.from({ length: 30_000 }, (_, i) => `${20 * (i + 1)}\t${i % 50}\t${50 + (i % 7)}\n`).join(''));
    const folder = join(dir, 'ingest-term');
    mkdirSync(folder);
    const run = start('ingest', 'contacts', input, '--index', '0', '--store', `sqlite:${join(folder, 'world.db')}`);
    await until(() => readdirSync(folder).some((f) => f.startsWith('.world.db.partial-')), 'the temporary database');
    run.child.kill('SIGTERM');
    expect(await run.exit, run.stderr()).toEqual({ code: 143, signal: null });
    expect(run.stderr()).toMatch(/stopping after the current tick \(a second signal stops at once\)\nError: interrupted after tick \d+ of 30000: nothing written to /);
    expect(readdirSync(folder)).toEqual([]);
  });
});
