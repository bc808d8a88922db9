/**
 * The CLI as a user runs it: the built `stopcovid` binary in real processes, on real SQLite files.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, json, lines, type Run } from './cli.js';
import { editStoredEvent, storedBytes } from './storedLog.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** Run `stopcovid ...args` to completion. */

const exportOf = async (store: string) => {
  const run = await cli('export', '--store', store);
  expect(run.code, run.stderr).toBe(0);
  return lines(run.stdout).map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown>; metadata: { tick: number; at: string } });
};

describe('simulate, replay, trace, consume, export on a SQLite file', () => {
  const store = `sqlite:${join(dir, 'main.db')}`;
  let log: Awaited<ReturnType<typeof exportOf>>;
  let simulated: { lastTick: number; exposures: number; events: number; stateHash: string };

  beforeAll(async () => {
    // dense enough that exposures happen: 400 people on 30x30 cells
    simulated = json(await cli('simulate', '--store', store, '--people', '400', '--grid', '30x30', '--ticks', '12', '--seed', '3', '--json'));
    log = await exportOf(store);
  });

  it('simulate writes tick 0 plus the asked ticks, each closed by TickCompleted', () => {
    expect(simulated.lastTick).toBe(12);
    expect(simulated.exposures).toBeGreaterThan(0);
    expect(log).toHaveLength(simulated.events);
    expect(log.filter((e) => e.type === 'TickCompleted').map((e) => e.data.tick)).toEqual([...Array(13).keys()]);
    expect(log.filter((e) => e.type === 'PersonRegistered')).toHaveLength(400);
  });

  it('replay reaches the state hash that TickCompleted recorded', async () => {
    const replay = json<{ tick: number; matches: boolean; stateHash: string }>(await cli('replay', '--store', store, '--json'));
    expect(replay).toMatchObject({ tick: 12, matches: true, stateHash: simulated.stateHash });
    const early = json<{ tick: number; matches: boolean; recordedHash: string }>(await cli('replay', '--store', store, '--until-tick', '4', '--json'));
    const recorded4 = log.find((e) => e.type === 'TickCompleted' && e.data.tick === 4)!.data.stateHash;
    expect(early).toMatchObject({ tick: 4, matches: true, recordedHash: recorded4 });
  });

  it('trace finds the source of an exposed person, given the phone in national, spaced form', async () => {
    const exposure = log.find((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact')!;
    const phones = new Map(log.filter((e) => e.type === 'PersonRegistered').map((e) => [e.data.personId, e.data.phone as string]));
    const phone = phones.get(exposure.data.personId)!;
    const national = `0${phone.slice(3, 4)} ${phone.slice(4, 6)} ${phone.slice(6, 8)} ${phone.slice(8, 10)} ${phone.slice(10)}`;
    const result = json<{ phone: string; upstream: { personId: number; phone: string; tick: number }[] }>(await cli('trace', national, '--store', store, '--json'));
    expect(result.phone).toBe(phone);
    expect(result.upstream[0]).toMatchObject({ personId: exposure.data.sourcePersonId, phone: phones.get(exposure.data.sourcePersonId), tick: exposure.metadata.tick });
    const tree = await cli('trace', phone.slice(1), '--store', store, '--direction', 'up');
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain(`<- ${phones.get(exposure.data.sourcePersonId)} (`);
    expect(tree.stdout).toContain(`exposed ${phone} at tick ${exposure.metadata.tick} (${exposure.metadata.at}) in cell (${exposure.data.x},${exposure.data.y})`);
  });

  it('consume prints one alert per 0 -> 1 exposure, never naming the source, with the day and an opaque id, then only new ones', async () => {
    const exposures = log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact');
    const phones = new Map(log.filter((e) => e.type === 'PersonRegistered').map((e) => [e.data.personId, e.data.phone as string]));
    const first = await cli('consume', '--store', store, '--group', 'g1', '--json');
    expect(first.code, first.stderr).toBe(0);
    const alerts = lines(first.stdout).map((l) => JSON.parse(l) as { notificationId: string; worldId: string; kind: string; phone: string; day: string; message: string });
    expect(alerts).toHaveLength(exposures.length);
    expect(alerts.map((a) => a.phone)).toEqual(exposures.map((e) => phones.get(e.data.personId)));
    expect(alerts.map((a) => a.day)).toEqual(exposures.map((e) => e.metadata.at.slice(0, 10)));
    for (const [a, e] of alerts.map((a, i) => [a, exposures[i]!] as const)) {
      expect(Object.keys(a).sort()).toEqual(['day', 'kind', 'message', 'notificationId', 'phone', 'worldId']);
      expect(a.kind).toBe('exposure');
      expect(a.notificationId).toMatch(new RegExp(`^${a.worldId}:[0-9a-f]{32}$`));
      expect(JSON.stringify(a)).not.toContain(phones.get(e.data.sourcePersonId as number)!);
      expect(JSON.stringify(a)).not.toContain(e.metadata.at);
    }
    expect(alerts[0]!.message).toMatch(/get tested/);
    const again = await cli('consume', '--store', store, '--group', 'g1', '--json');
    expect(lines(again.stdout)).toHaveLength(0);
    const replayAll = await cli('consume', '--store', store, '--group', 'g1', '--from-beginning');
    expect(lines(replayAll.stdout)).toHaveLength(exposures.length);
    // text: the day, the phone, the message; the same ids on every read
    expect(lines(replayAll.stdout)[0]).toBe(`${alerts[0]!.day}  ${alerts[0]!.phone}  ${alerts[0]!.message}`);
    expect(replayAll.stderr).toContain(`${exposures.length} alerts for group g1`);
    const ids = lines((await cli('consume', '--store', store, '--group', 'g2', '--json')).stdout).map((l) => (JSON.parse(l) as { notificationId: string }).notificationId);
    expect(ids).toEqual(alerts.map((a) => a.notificationId));
  });

  it('consume --limit prints at most N alerts and moves the group past those alone: runs of 2, 3 and the rest give every alert once, in order', async () => {
    const all = lines((await cli('consume', '--store', store, '--group', 'whole', '--json')).stdout);
    expect(all.length).toBeGreaterThan(5);
    const got: string[] = [];
    for (const limit of [['--limit', '2'], ['--limit', '3'], []]) {
      const run = await cli('consume', '--store', store, '--group', 'limited', '--json', ...limit);
      expect(run.code, run.stderr).toBe(0);
      got.push(...lines(run.stdout));
      if (limit.length) expect(lines(run.stdout)).toHaveLength(Number(limit[1]));
    }
    expect(got).toEqual(all);
    const refused = await cli('consume', '--store', store, '--limit', '2', '--bus', 'kafka://127.0.0.1:9');
    expect([refused.code, refused.stderr.trim().split('\n').length]).toEqual([2, 1]);
    // memory: is no bus (alerts are read from the store), so --limit works with it
    const memory = await cli('consume', '--store', store, '--group', 'memory-bus', '--limit', '2', '--bus', 'memory:', '--json');
    expect(memory.code, memory.stderr).toBe(0);
    expect(lines(memory.stdout)).toEqual(all.slice(0, 2));
  });

  it('consume refuses a store with no world, like every reader', async () => {
    expect(await cli('consume', '--store', 'memory:')).toMatchObject({ code: 2, stdout: '', stderr: 'Error: no world in a memory: store, which lives only in the process that made it: simulate into a file (--store sqlite:./stopcovid.db)\n' });
  });
});

describe('a reader that goes away (`stopcovid status | true`)', () => {
  /** Run `stopcovid ...args` with a stdout whose reading end is closed at once: its writes fail with EPIPE. */
  const closedStdout = (...args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });

  it('help, status, people and trace exit 0, print nothing on stderr, and do not end with an unsettled await (exit 13 before)', async () => {
    const store = `sqlite:${join(dir, 'closed-stdout.db')}`;
    expect((await cli('simulate', '--store', store, '--ticks', '3')).code).toBe(0);
    const people = lines((await cli('people', '--store', store, '--limit', '1')).stdout);
    const phone = people.map((l) => l.match(/\+\d{8,15}/)?.[0]).find(Boolean)!;
    expect(phone).toBeDefined();
    for (const args of [['--help'], ['trace', '--help'], ['status', '--store', store], ['people', '--store', store], ['trace', phone, '--store', store]]) {
      const run = await closedStdout(...args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  }, 60_000);
});

describe('consume --dedupe with a reader that goes away after its first read (`| head -1`)', () => {
  it('the alerts it got never come again, and of the rest at most a chunk of 16 and what the pipe held (64 KiB) are lost: before, the whole batch was', async () => {
    // 2,000 people for 20 ticks: about 800 alerts of about 170 bytes as JSON, one batch, more than twice a pipe's buffer
    const store = `sqlite:${join(dir, 'dedupe.db')}`;
    const ledger = join(dir, 'dedupe.ledger');
    expect((await cli('simulate', '--store', store, '--people', '2000', '--grid', '150x150', '--ticks', '20')).code).toBe(0);
    const all = lines((await cli('consume', '--store', store, '--group', 'all', '--json')).stdout);
    expect(all.length).toBeGreaterThan(600);
    const got = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'consume', '--store', store, '--group', 'sms', '--dedupe', ledger, '--json'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
      let first = '';
      child.stdout.once('data', (d: Buffer) => {
        first = d.toString();
        child.stdout.destroy();
      });
      child.on('close', () => resolve(first));
    });
    // whole lines the reader got (its read may end within a line)
    const read = got.split('\n').slice(0, -1);
    expect(read.length).toBeGreaterThanOrEqual(1);
    const again = await cli('consume', '--store', store, '--group', 'sms', '--dedupe', ledger, '--json');
    expect(again.code, again.stderr).toBe(0);
    const rest = lines(again.stdout);
    expect(rest.filter((l) => read.includes(l))).toEqual([]); // at most once
    const shortest = Math.min(...all.map((l) => l.length + 1));
    const lost = all.length - read.length - rest.length;
    expect(lost).toBeLessThanOrEqual(16 + Math.ceil(65_536 / shortest) + 1);
    expect([...read, ...rest].every((l) => all.includes(l))).toBe(true);
  }, 60_000);
});

describe('determinism through the CLI', () => {
  it('the same seed gives the same exported log, and a run stopped after k ticks and resumed gives the log of an uninterrupted run', async () => {
    const a = `sqlite:${join(dir, 'det-a.db')}`;
    const b = `sqlite:${join(dir, 'det-b.db')}`;
    const c = `sqlite:${join(dir, 'det-c.db')}`;
    const args = ['--people', '200', '--grid', '25x25', '--seed', '9'];
    json(await cli('simulate', '--store', a, ...args, '--ticks', '10', '--json'));
    json(await cli('simulate', '--store', b, ...args, '--ticks', '10', '--json'));
    json(await cli('simulate', '--store', c, ...args, '--ticks', '4', '--json'));
    const resumed = json<{ created: boolean; lastTick: number }>(await cli('simulate', '--store', c, '--ticks', '6', '--json'));
    expect(resumed).toMatchObject({ created: false, lastTick: 10 });
    const [la, lb, lc] = await Promise.all([exportOf(a), exportOf(b), exportOf(c)]);
    expect(JSON.stringify(lb)).toBe(JSON.stringify(la));
    expect(JSON.stringify(lc)).toBe(JSON.stringify(la));
  });
});

describe('Ctrl-C', () => {
  it('SIGINT finishes the current tick, exits 0, and leaves a store that replays to its recorded hash', async () => {
    const store = `sqlite:${join(dir, 'sigint.db')}`;
    const child = spawn(process.execPath, [BIN, 'simulate', '--store', store, '--tick-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if ((stderr.match(/^tick \d+/gm) ?? []).length >= 3) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('stopping after the last whole tick');
    expect(stdout).toMatch(/stopped at tick \d+ \(interrupted\)/);
    const replay = json<{ matches: boolean; tick: number }>(await cli('replay', '--store', store, '--json'));
    expect(replay.matches).toBe(true);
    expect(replay.tick).toBeGreaterThanOrEqual(3);
  });
});

describe('Ctrl-C without a pause between ticks', () => {
  it('SIGINT stops a long --ticks run after the current tick, exit 0, store consistent', async () => {
    const store = `sqlite:${join(dir, 'sigint-fast.db')}`;
    const child = spawn(process.execPath, [BIN, 'simulate', '--store', store, '--people', '2000', '--ticks', '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    await new Promise<void>((resolve) => child.stderr.on('data', (d) => ((stderr += d), /^tick \d+/m.test(stderr) && resolve())));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    const stopped = /stopped at tick (\d+) \(interrupted\)/.exec(stdout);
    expect(stopped, stdout).not.toBeNull();
    expect(Number(stopped![1])).toBeLessThan(1_000_000);
    const replay = json<{ matches: boolean; tick: number }>(await cli('replay', '--store', store, '--json'));
    expect(replay).toMatchObject({ matches: true, tick: Number(stopped![1]) });
  });
});

describe('bad input: one line on stderr, non-zero exit, nothing stored changes', () => {
  const store = `sqlite:${join(dir, 'bad.db')}`;
  let before: string;
  beforeAll(async () => {
    json(await cli('simulate', '--store', store, '--ticks', '3', '--json'));
    before = (await cli('export', '--store', store)).stdout;
  });

  const cases: [string, string[], RegExp][] = [
    ['zero people', ['simulate', '--people', '0'], /--people: expected a number from 1 to 50000000; got 0/],
    ['negative people', ['simulate', '--people', '-3'], /--people/],
    ['non-numeric people', ['simulate', '--people', 'many'], /--people: expected a whole number such as 1000000, 1_000_000 or 1e6; got 'many'/],
    ['zero ticks', ['simulate', '--ticks', '0'], /--ticks/],
    ['negative step', ['simulate', '--step', '-1'], /--step/],
    ['malformed grid', ['simulate', '--grid', '101'], /--grid: expected WIDTHxHEIGHT/],
    ['zero-width grid', ['simulate', '--grid', '0x10'], /--grid: expected WIDTHxHEIGHT/],
    ['other world parameters', ['simulate', '--people', '50', '--ticks', '1'], /other parameters: people 100 \(asked 50\)/],
    ['malformed phone', ['trace', '06-12'], /'06-12' is not a valid phone number/],
    ['unknown phone', ['trace', '+33 6 00 00 00 01'], /no person with phone \+33600000001/],
    ['explain: neither a phone nor an alert id', ['explain', 'foo'], /'foo' is not a valid phone number \(region FR\), nor an alert id \(n-<tick>-<personId>/],
    ['bad depth', ['trace', '0612345678', '--depth', '0'], /--depth/],
    ['until a tick never reached', ['replay', '--until-tick', '99'], /tick 99 was never completed/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await cli(...args, '--store', store);
      expect(run.code).toBe(2); // bad input
      expect(lines(run.stderr), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(/^Error: /);
      expect(run.stderr).toMatch(message);
      expect((await cli('export', '--store', store)).stdout).toBe(before);
    });
  }

  it('an unknown store scheme', async () => {
    const run = await cli('replay', '--store', 'mongodb://localhost');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("Error: unknown store scheme 'mongodb:' in 'mongodb://localhost': use one of memory:, sqlite:, esdb:, esdb+discover:, kurrentdb:, kurrentdb+discover:\n");
  });

  it('a file that is not SQLite, and a missing file, for every reading command', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'shopping list\n'.repeat(50));
    for (const command of [['replay'], ['trace', '0612345678'], ['consume'], ['export']]) {
      const run = await cli(...command, '--store', `sqlite:${file}`);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toBe(`Error: cannot open ${file} as a SQLite store: file is not a database\n`);
      const missing = await cli(...command, '--store', `sqlite:${join(dir, 'nothing-here.db')}`);
      expect(missing.stderr).toMatch(/^Error: no store at .*nothing-here\.db: run 'stopcovid simulate' first\n$/);
    }
  });

  it('a corrupt event row: replay names stream, revision and type, and the row stays as it was', async () => {
    const file = join(dir, 'corrupt.db');
    json(await cli('simulate', '--store', `sqlite:${file}`, '--ticks', '2', '--json'));
    const row = editStoredEvent(file, 'stopcovid.tick-1', 3, (data) => ({ ...data, x: -5 }));
    const run = await cli('replay', '--store', `sqlite:${file}`);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe(`Error: corrupt event ${row.type} at stopcovid.tick-1@3: data x: Too small: expected number to be >=0\n`);
    expect(storedBytes(file, 'stopcovid.tick-1', 3)).toEqual(row.after);
  });

  it('--help works for every command', async () => {
    for (const command of ['simulate', 'replay', 'trace', 'consume', 'export']) {
      const run = await cli(command, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('--json');
      expect(run.stdout).toContain('--store');
    }
  });
});
