/**
 * Commands entering a running world (issue 11): `stopcovid test` and `policy set` through the real
 * binaries beside a running `simulate`, SIGKILL right after a command was accepted, and replay and
 * resume with commands in the inbox. Refusals run in process (oclif's Command.run): they are
 * parse-level, and the store is compared byte for byte before and after.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INBOX_STREAM, loadWorld, tickTime, type StoredEvent } from '../core/index.js';
import { decode } from '../events/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { BIN, cli, json } from './cli.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WORLD = ['--people', '300', '--grid', '40x40', '--seed', '11'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every event of the store's log, decoded, in global order (through the store's own reader). */
async function events(file: string): Promise<StoredEvent[]> {
  const store = await sqliteStore(file);
  try {
    const out: StoredEvent[] = [];
    for await (const raw of store.readAll()) out.push(decode(raw));
    return out;
  } finally {
    await store.close();
  }
}

async function digest(file: string): Promise<string> {
  const h = createHash('sha256');
  for (const e of await events(file)) h.update(JSON.stringify(e));
  return h.digest('hex');
}

/** The last completed tick in the store, -1 when none (read while a simulate writes: readers see whole ticks). */
async function lastTick(file: string): Promise<number> {
  const store = await sqliteStore(file);
  try {
    let tick = -1;
    for await (const raw of store.readAll({ types: ['TickCompleted'] })) tick = (raw.metadata as { tick: number }).tick;
    return tick;
  } finally {
    await store.close();
  }
}

/** A phone of a person with `status` now (from `people --json`). */
async function phoneWith(store: string, status: number): Promise<string> {
  const people = json<{ phone: string; status: number }[]>(await cli('people', '--store', store, '--status', String(status), '--json'));
  expect(people.length).toBeGreaterThan(0);
  return people[0]!.phone;
}

function startSimulate(file: string, ...args: string[]) {
  const child = spawn(process.execPath, [BIN, 'simulate', '--store', `sqlite:${file}`, ...WORLD, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { kill: () => child.kill('SIGKILL'), done };
}

async function waitForTick(file: string, tick: number): Promise<void> {
  for (let i = 0; i < 600 && (await lastTick(file)) < tick; i++) await sleep(50);
  expect(await lastTick(file)).toBeGreaterThanOrEqual(tick);
}

/** How often each inbox revision was applied, and the positive results recorded for `personId`. */
async function applied(file: string): Promise<Map<number, number>> {
  const count = new Map<number, number>();
  for (const e of await events(file)) if (e.type === 'CommandsApplied') for (let r = e.data.from; r <= e.data.to; r++) count.set(r, (count.get(r) ?? 0) + 1);
  return count;
}

describe('stopcovid test beside a running simulate', () => {
  it('a result sent while simulate --tick-ms 200 runs is accepted, and the next tick applies it exactly once', async () => {
    const file = join(dir, 'running.db');
    expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '3')).code).toBe(0);
    const phone = await phoneWith(`sqlite:${file}`, 1);
    const sim = startSimulate(file, '--ticks', '25', '--tick-ms', '200');
    await waitForTick(file, 5);
    const sent = json<{ status: string; inboxRevision: number; personId: number }>(await cli('test', phone, 'positive', '--store', `sqlite:${file}`, '--json'));
    expect(sent).toMatchObject({ status: 'accepted', inboxRevision: 0 });
    const end = await sim.done;
    expect(end.code, end.stderr).toBe(0);
    const log = await events(file);
    const recorded = log.filter((e) => e.type === 'TestResultRecorded');
    expect(recorded.map((e) => e.data)).toEqual([{ personId: sent.personId, result: 'positive', sampledTick: recorded[0]!.metadata.tick, source: 'reported', inboxRevision: 0 }]);
    expect([...(await applied(file))]).toEqual([[0, 1]]);
    const change = log.find((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'test-positive');
    expect(change?.metadata.tick).toBe(recorded[0]!.metadata.tick);
    expect((await cli('verify', '--store', `sqlite:${file}`)).code).toBe(0);
  });

  it('SIGKILL of simulate right after the command was accepted loses nothing and applies nothing twice (5 trials)', async () => {
    const outcomes: string[] = [];
    for (let trial = 0; trial < 5; trial++) {
      const file = join(dir, `killed-${trial}.db`);
      expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '2')).code).toBe(0);
      const phone = await phoneWith(`sqlite:${file}`, 1);
      const sim = startSimulate(file, '--tick-ms', '150');
      await waitForTick(file, 4);
      const sent = json<{ status: string }>(await cli('test', phone, 'negative', '--store', `sqlite:${file}`, '--json'));
      expect(sent.status).toBe('accepted');
      await sleep(trial * 70); // from at once to past the next tick
      sim.kill();
      expect((await sim.done).signal).toBe('SIGKILL');
      const before = (await applied(file)).get(0) ?? 0;
      outcomes.push(before === 1 ? 'applied before the kill' : 'pending at the kill');
      // the next writer applies what is pending; a second run applies nothing again
      expect((await cli('simulate', '--store', `sqlite:${file}`, '--ticks', '2')).code).toBe(0);
      expect((await cli('simulate', '--store', `sqlite:${file}`, '--ticks', '1')).code).toBe(0);
      expect([...(await applied(file))]).toEqual([[0, 1]]);
      expect((await events(file)).filter((e) => e.type === 'TestResultRecorded')).toHaveLength(1);
      expect((await cli('verify', '--store', `sqlite:${file}`)).code).toBe(0);
    }
    // kills from 0 to 280 ms after acceptance, a tick every 150 ms: the figures for the record
    console.log(`test + SIGKILL: ${outcomes.length} trials, ${outcomes.filter((o) => o.startsWith('applied')).length} applied before the kill, ${outcomes.filter((o) => o.startsWith('pending')).length} pending at it; 0 lost, 0 applied twice`);
  });

  it('with no simulate running, test applies the result as a tick of its own, and a running simulate is not needed', async () => {
    const file = join(dir, 'idle.db');
    expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '4')).code).toBe(0);
    const phone = await phoneWith(`sqlite:${file}`, 1);
    const out = json<{ status: string; tick: number; statusAfter: number }>(await cli('test', phone, 'negative', '--store', `sqlite:${file}`, '--json'));
    // the JSON says all the text says: the status before and after, and the released alert
    expect(out).toMatchObject({ status: 'applied', tick: 5, statusBefore: 1, statusAfter: 0, alerted: 0, releasedAlert: true });
    const tick5 = (await events(file)).filter((e) => e.metadata.tick === 5 && e.stream !== INBOX_STREAM);
    expect(tick5.map((e) => e.type)).toEqual(['CommandsApplied', 'TestResultRecorded', 'HealthStatusChanged', 'NotificationIssued', 'TickCompleted']);
    expect(tick5[3]!.data).toMatchObject({ kind: 'released' });
    const trace = json<{ tests: { taken: number; negatives: number; releases: number } }>(await cli('trace', phone, '--store', `sqlite:${file}`, '--json'));
    expect(trace.tests).toMatchObject({ taken: 1, negatives: 1, releases: 1 });
  });
});

describe('replay and resume with commands in the inbox', () => {
  it('a world resumed after a stop, with commands waiting in the inbox, is byte-identical to an uninterrupted one, and replay reaches its hash', async () => {
    // a policy with a contact ledger (minimum contact time, retroactive window), so resuming must fold the log
    const policy = join(dir, 'ledger.yaml');
    writeFileSync(policy, 'name: ledger\ncontact:\n  minMinutes: 2\n  windowMinutes: 30\nexposingStatuses: [2]\nretroactiveMinutes: 20\nsuspicionMinutes: 12\n');
    const base = join(dir, 'base.db');
    // dense and slow, so that pairs meet for several minutes
    expect((await cli('simulate', '--store', `sqlite:${base}`, '--people', '600', '--grid', '15x15', '--step', '1', '--seed', '4', '--ticks', '3', '--policy', policy)).code).toBe(0);
    // commands as a running simulate would find them: appended to the inbox by another process.
    // The positive one goes to a healthy person with a risky contact with a healthy person, so that a retroactive alert follows.
    const store = await sqliteStore(base);
    const { state } = await loadWorld(store);
    const healthy = (p: number) => state.status[p] === 0;
    const positive = state.status.findIndex((s, p) => s === 0 && state.tracing.ledger!.contactsOf(p, 0).some((c) => healthy(c.a) && healthy(c.b)));
    expect(positive).toBeGreaterThanOrEqual(0);
    const phones = [state.phones[positive]!, await phoneWith(`sqlite:${base}`, 1)];
    const m = { tick: 3, at: tickTime({ start: '2020-03-17T00:00:00.000Z', tickMs: 60_000 }, 3), schemaVersion: 1 };
    await store.append(INBOX_STREAM, [{ type: 'TestResultReported', data: { phone: phones[0], result: 'positive' }, metadata: m }], 'any');
    await store.append(INBOX_STREAM, [{ type: 'TestResultReported', data: { phone: phones[1], result: 'negative' }, metadata: m }], 'any');
    await store.close();
    const whole = join(dir, 'whole.db');
    const parts = join(dir, 'parts.db');
    for (const suffix of ['', '-wal', '-shm'])
      try {
        copyFileSync(base + suffix, whole + suffix);
        copyFileSync(base + suffix, parts + suffix);
      } catch {
        // no WAL file: the store was closed cleanly
      }
    expect((await cli('simulate', '--store', `sqlite:${whole}`, '--ticks', '30')).code).toBe(0);
    expect((await cli('simulate', '--store', `sqlite:${parts}`, '--ticks', '1')).code).toBe(0);
    expect((await cli('simulate', '--store', `sqlite:${parts}`, '--ticks', '12')).code).toBe(0);
    expect((await cli('simulate', '--store', `sqlite:${parts}`, '--ticks', '17')).code).toBe(0);
    expect(await digest(parts)).toBe(await digest(whole));
    const log = await events(whole);
    expect(log.filter((e) => e.type === 'TestResultRecorded')).toHaveLength(2);
    expect(log.some((e) => e.type === 'HealthStatusChanged' && e.data.contactTick !== undefined)).toBe(true); // a retroactive exposure happened
    const replay = json<{ stateHash: string; recordedHash: string }>(await cli('replay', '--store', `sqlite:${whole}`, '--json'));
    expect(replay.stateHash).toBe(replay.recordedHash);
    expect((await cli('verify', '--store', `sqlite:${parts}`)).code).toBe(0);
  });
});

describe('bad commands write nothing', () => {
  it('an unknown phone, a malformed policy, a result from someone never alerted under a policy that requires an alert: one line, exit non-zero, store unchanged', async () => {
    const file = join(dir, 'refusals.db');
    const strict = join(dir, 'strict.yaml');
    writeFileSync(strict, 'testing:\n  requireAlert: true\n');
    expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '2', '--policy', strict)).code).toBe(0);
    const before = await digest(file);
    const healthy = await phoneWith(`sqlite:${file}`, 0);
    const infected = await phoneWith(`sqlite:${file}`, 2);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'maxHops: -1\n');
    for (const [args, message] of [
      [['test', '+33600000001', 'positive'], /^Error: no person with phone \+33600000001 in this world; try one of /],
      [['test', healthy, 'positive'], /was never alerted, and the world's policy 'strict' accepts results only from alerted people/],
      [['test', healthy, 'maybe'], /Expected maybe to be one of: positive, negative/],
      [['test', healthy, 'positive', '--sampled-at', 'yesterday'], /--sampled-at 'yesterday' is not an ISO-8601 time/],
      [['test', healthy, 'positive', '--sampled-at', '2021-01-01T00:00:00Z'], /--sampled-at 2021-01-01T00:00:00.000Z is outside the world's time: from 2020-03-17T00:00:00.000Z to 2020-03-17T00:03:00.000Z \(tick 3, the next one\)/],
      [['test', infected, 'revoked'], /has no standing positive result to revoke \(infected since tick 0 by reason 'initial', not by a positive test\)/],
      [['simulate', '--tick-minutes', '30'], /other parameters: tick-minutes 1 \(asked 30\)/],
      [['policy', 'set', bad], /^Error: policy file .*bad.yaml: maxHops: /],
      [['policy', 'set', join(dir, 'none.yaml')], /is neither a preset \(seed, tousanticovid\) nor a file/],
    ] as [string[], RegExp][]) {
      const r = await run(...args, '--store', `sqlite:${file}`);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await digest(file)).toBe(before);
  });
});

describe('a command the running simulate refuses', () => {
  it('is said on stderr with its reason, counted in --json, and recorded in the log', async () => {
    const file = join(dir, 'refused.db');
    expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '2')).code).toBe(0);
    // as a 'test' accepted while a simulate ran, for a phone nobody has (the CLI refuses it itself when no simulate runs)
    const store = await sqliteStore(file);
    await store.append(INBOX_STREAM, [{ type: 'TestResultReported', data: { phone: '+33600000001', result: 'positive' }, metadata: { tick: 2, at: '2020-03-17T00:02:00.000Z', schemaVersion: 1 } }], 'any');
    await store.close();
    const r = await cli('simulate', '--store', `sqlite:${file}`, '--ticks', '1', '--json');
    expect(json<{ commands: number; rejected: number }>(r)).toMatchObject({ commands: 1, rejected: 1 });
    expect(r.stderr).toContain('tick 3 refused inbox entry 0: no person has phone +33600000001\n');
    expect((await events(file)).find((e) => e.type === 'CommandsApplied')?.data.rejected).toEqual([{ revision: 0, reason: 'no person has phone +33600000001' }]);
  });
});

describe('policy show and set', () => {
  it('set adopts a preset from the next tick; show prints it', async () => {
    const file = join(dir, 'policy.db');
    expect((await cli('simulate', '--store', `sqlite:${file}`, ...WORLD, '--ticks', '2')).code).toBe(0);
    expect(json<{ policy: { name: string } }>(await cli('policy', 'show', '--store', `sqlite:${file}`, '--json')).policy.name).toBe('seed');
    const set = json<{ status: string; tick: number }>(await cli('policy', 'set', 'tousanticovid', '--store', `sqlite:${file}`, '--json'));
    expect(set).toMatchObject({ status: 'applied', tick: 3 });
    const shown = await cli('policy', 'show', '--store', `sqlite:${file}`);
    expect(shown.stdout).toMatch(/^name: tousanticovid\n/);
    expect(shown.stdout).toMatch(/maxHops: 1\n/);
    const adopted = (await events(file)).filter((e) => e.type === 'PolicyAdopted');
    expect(adopted.map((e) => [e.metadata.tick, e.data.source])).toEqual([[3, 'inbox:0']]);
  });
});

describe('a revoked positive result', () => {
  it('is undone by compensating events through the real binaries, and replay after it reaches the recorded state hash', async () => {
    const file = join(dir, 'revoked.db');
    const store = `sqlite:${file}`;
    const policy = join(dir, 'confirmed.yaml');
    writeFileSync(policy, 'name: confirmed\nexposingStatuses: [2]\nmaxHops: 1\n');
    expect((await cli('simulate', '--store', store, '--people', '400', '--grid', '20x20', '--seed', '3', '--ticks', '2', '--policy', policy)).code).toBe(0);
    const phone = await phoneWith(store, 0);
    expect(json<{ status: string }>(await cli('test', phone, 'positive', '--store', store, '--json')).status).toBe('applied');
    expect((await cli('simulate', '--store', store, '--ticks', '30')).code).toBe(0);
    const exposedBefore = json<{ downstreamCount: number }>(await cli('trace', phone, '--store', store, '--json')).downstreamCount;
    const revoked = json<{ status: string; statusBefore: number; statusAfter: number; releasedAlert: boolean; retracted: number }>(await cli('test', phone, 'revoked', '--store', store, '--json'));
    expect(revoked.status).toBe('applied');
    expect([revoked.statusBefore, revoked.statusAfter, revoked.releasedAlert]).toEqual([2, 0, true]);
    // hop cap 1 and only confirmed cases expose: the case's contacts had no other route unless another case met them too
    expect(exposedBefore).toBeGreaterThan(0);
    expect(revoked.retracted).toBeGreaterThan(0);
    expect(revoked.retracted).toBeLessThanOrEqual(exposedBefore);
    const log = await events(file);
    expect(log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'retracted')).toHaveLength(revoked.retracted);
    const replay = json<{ stateHash: string; recordedHash: string }>(await cli('replay', '--store', store, '--json'));
    expect(replay.stateHash).toBe(replay.recordedHash);
    expect((await cli('verify', '--store', store)).code).toBe(0);
    // trace counts the revocation among the results, apart, so that the parts add up to the total
    const traced = (await run('trace', phone, '--store', store, '--direction', 'down')).stdout;
    expect(traced).toMatch(/^tests: 2 \(1 positive, 0 negative, 1 revoked\), last revoked at tick \d+; released 1 time$/m);
    // and says why the case and the people exposed only through them are healthy again
    const tick = Number(/last revoked at tick (\d+)/.exec(traced)![1]);
    expect(traced.split('\n')[0]).toBe(`${phone}  person ${json<{ personId: number }>(await cli('trace', phone, '--store', store, '--json')).personId}  healthy since tick ${tick} (test-revoked)`);
    const retracted = log.find((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'retracted')!;
    const retractedPhone = log.find((e) => e.type === 'PersonRegistered' && e.data.personId === retracted.data.personId)!.data.phone as string;
    const exposed = json<{ phone: string; lastChange: { tick: number; reason: string } }>(await cli('trace', retractedPhone, '--store', store, '--json'));
    expect(exposed.lastChange).toEqual({ tick, reason: 'retracted' });
    // a second revocation has nothing left to revoke: refused, nothing written
    const again = await run('test', phone, 'revoked', '--store', store);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has no standing positive result to revoke/);
  });

  it('tested positive twice: the first revocation withdraws one result and says the person stays infected, the second undoes the case, a third is refused', async () => {
    const file = join(dir, 'twice.db');
    const store = `sqlite:${file}`;
    expect((await cli('simulate', '--store', store, ...WORLD, '--ticks', '2')).code).toBe(0);
    const phone = await phoneWith(store, 0);
    expect((await run('test', phone, 'positive', '--store', store)).stdout).toMatch(/tested positive: healthy -> infected/);
    expect((await run('test', phone, 'positive', '--store', store)).stdout).toMatch(/tested positive \(status unchanged\)/);
    // 2 positive results stand: one revocation leaves 1
    const first = await run('test', phone, 'revoked', '--store', store);
    expect(first.stdout.trim()).toMatch(/^tick 5: \+\d+ positive result revoked: still infected, 1 other positive result stands \(each revocation withdraws one; the last one undoes the case\)$/);
    const second = json<{ statusAfter: number; positivesStanding: number }>(await cli('test', phone, 'revoked', '--store', store, '--json'));
    expect(second).toMatchObject({ statusAfter: 0, positivesStanding: 0 });
    const third = await run('test', phone, 'revoked', '--store', store);
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(/has no standing positive result to revoke/);
    expect((await cli('verify', '--store', store)).code).toBe(0);
  });
});
