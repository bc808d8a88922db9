/**
 * `stopcovid whatif` (issue 13) in process, on real SQLite files: the world's own policy gives
 * back exactly the recorded history (alerts, releases, the curve tick by tick); a stricter hop cap
 * on a hand-worked contact list loses exactly the alerts beyond the cap; the store's bytes do not
 * change; the recall counts only the people an exposure alert could reach (a hand-made log).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WhatIfOutput } from '../cli/commands/whatif.js';
import { DEFAULT_PARAMS, evolve, initialState, stateHash, tickStream, tickTime, type DomainEvent } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-whatif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', 'ingest', name);

async function ok(...argv: string[]): Promise<string> {
  const r = await run(...argv);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function whatif(store: string, policy: string): Promise<WhatIfOutput> {
  return JSON.parse(await ok('whatif', '--store', store, '--policy', policy, '--json')) as WhatIfOutput;
}

/** The recorded side equals the what-if side everywhere. */
function expectSame(r: WhatIfOutput): void {
  expect(r.gained).toEqual([]);
  expect(r.lost).toEqual([]);
  expect(r.alerts.whatif).toBe(r.alerts.recorded);
  expect(r.releases.whatif).toBe(r.releases.recorded);
  expect(r.refused).toEqual([]);
  for (const t of r.curve) expect(t.whatif, `tick ${t.tick}`).toEqual(t.recorded);
  if (r.truth) expect(r.truth.whatif).toEqual(r.truth.recorded);
}

describe('whatif with the world\'s own policy gives back the recorded history', () => {
  it('a seed world', async () => {
    const store = `sqlite:${join(dir, 'seed.db')}`;
    await ok('simulate', '--store', store, '--people', '1500', '--grid', '60x60', '--radius', '1', '--ticks', '25');
    const r = await whatif(store, 'seed');
    expect(r.alerts.recorded).toBeGreaterThan(100);
    expectSame(r);
    // the text curve keeps at most --rows ticks, the last one always: with one row, only tick 25
    for (const [rows, ticks] of [[1, ['25']], [2, ['0', '25']]] as const) {
      const text = await ok('whatif', '--store', store, '--policy', 'seed', '--rows', String(rows));
      const curve = text.split('\n').slice(text.split('\n').findIndex((l) => l.startsWith('epidemic curve')) + 2).filter((l) => /^\s+\d+\s/.test(l));
      expect(curve.map((l) => l.trim().split(/\s+/)[0])).toEqual(ticks);
    }
    // a policy radius larger than the world's (radius 1: contacts farther were never detected) is refused, as by 'policy set'
    const far = join(dir, 'far.yaml');
    writeFileSync(far, 'contact:\n  radius: 3\n');
    const refused = await run('whatif', '--store', store, '--policy', far);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a tousanticovid world: minimum contact time, retroactive alerts, simulated tests, expiries, a ground truth, and a reported result', async () => {
    const store = `sqlite:${join(dir, 'tac.db')}`;
    await ok('simulate', '--store', store, '--people', '1000', '--grid', '30x30', '--tick-minutes', '60', '--ticks', '40', '--policy', 'tousanticovid');
    // a healthy person whose status never changed: never alerted
    const healthy = (JSON.parse(await ok('people', '--store', store, '--status', '0', '--limit', '1000', '--json')) as { personId: number; phone: string; lastChange?: unknown }[]).filter((p) => !p.lastChange);
    await ok('test', healthy[0]!.phone, 'positive', '--store', store);
    await ok('simulate', '--store', store, '--ticks', '10');
    const r = await whatif(store, 'tousanticovid');
    expect(r.releases.recorded).toBeGreaterThan(0);
    expect(r.truth?.reallyInfected).toBeGreaterThan(0);
    // the recall's denominator and the initial cases left out of it add up to everyone really infected
    const t = r.truth!;
    expect(t.alertable + t.infectedAtStart + t.suspiciousAtStart).toBe(t.reallyInfected);
    expect(t.infectedAtStart).toBeGreaterThan(0);
    expectSame(r);
    // another policy decides otherwise: the seed never releases anyone, and alerts each person once
    const seed = await whatif(store, 'seed');
    expect(seed.releases.whatif).toBe(0);
    expect(seed.alerts.whatif).toBe(seed.alerted.whatif);
    expect(seed.alerts.whatif).not.toBe(r.alerts.recorded);
    // the same policy requiring an alert before a test refuses the result of the never-alerted person, and says so
    const strict = join(dir, 'tac-strict.yaml');
    writeFileSync(strict, (await ok('policy', 'show', '--store', store)).replace(/^name: .*$/m, 'name: tac-strict').replace('requireAlert: false', 'requireAlert: true'));
    const refused = await whatif(store, strict);
    // with the person, as in gained and lost: a reader need not parse the phone out of the reason
    const { personId, phone } = healthy[0]!;
    expect(refused.refused).toEqual([{ tick: 41, personId, phone, reason: `${phone} was never alerted and the policy requires an alert before a test` }]);
    const text = await ok('whatif', '--store', store, '--policy', strict);
    expect(text).toContain(`reported test results refused under 'tac-strict': 1\n  tick 41: ${healthy[0]!.phone} was never alerted`);
  });
});

describe('a revoked positive result', () => {
  it('is not decided again: said apart as kept, never as refused by the policy with a reason that is false', async () => {
    // README "Revoking a positive result": the world of its real output (confirmed cases expose, one hop)
    const store = `sqlite:${join(dir, 'revoked.db')}`;
    const confirmed = join(dir, 'confirmed.yaml');
    writeFileSync(confirmed, 'name: confirmed-only\nexposingStatuses: [2]\nmaxHops: 1\n');
    await ok('simulate', '--store', store, '--people', '300', '--grid', '40x40', '--step', '1', '--seed', '7', '--ticks', '1', '--policy', confirmed);
    await ok('test', '+33613211866', 'positive', '--store', store);
    await ok('simulate', '--store', store, '--ticks', '10');
    await ok('test', '+33613211866', 'revoked', '--store', store);
    const r = await whatif(store, confirmed);
    // the person has a positive result; README: whatif "does not decide revocations again (it keeps the positive result)"
    expect(r.refused).toEqual([]);
    expect(r.revocationsKept).toEqual([{ tick: 13, personId: 0, phone: '+33613211866' }]);
    expect(r.curve.at(-1)!.whatif.infected).toBe(r.curve.at(-1)!.recorded.infected + 1);
    const text = await ok('whatif', '--store', store, '--policy', confirmed);
    expect(text).not.toContain('has no positive result to revoke');
    expect(text).toContain("revoked positive results not decided again (they stand under 'confirmed-only'): 1\n  tick 13: +33613211866\n");
  });
});

describe('a stricter hop cap on a hand-worked contact list', () => {
  it('loses exactly the alerts beyond the cap, and changes no byte of the store', async () => {
    // contacts-abcd.tsv: D-B at 50 s, A-B at 100 s, B-C at 200 s, 20-second ticks; A the index case.
    // Seed: B is alerted at tick 3 by A (hop 1), C at tick 8 by B (hop 2); D meets B before B is exposed.
    const file = join(dir, 'abcd.db');
    const store = `sqlite:${file}`;
    await ok('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--store', store);
    const bytes = () => createHash('sha256').update(readFileSync(file)).digest('hex');
    const before = bytes();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const same = await whatif(store, 'seed');
    expectSame(same);
    expect(same.alerts.recorded).toBe(2);
    const hop1 = join(dir, 'hop1.yaml');
    writeFileSync(hop1, 'maxHops: 1\n');
    const capped = await whatif(store, hop1);
    expect(capped.lost).toEqual([{ personId: 2, phone: '+999000000002', tick: 8 }]);
    expect(capped.gained).toEqual([]);
    expect(capped.alerts).toEqual({ recorded: 2, whatif: 1 });
    expect(bytes()).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('ingest --policy records the policy, and its decisions are the ones whatif gives for it', async () => {
    const hop1 = join(dir, 'hop1.yaml');
    writeFileSync(hop1, 'maxHops: 1\n');
    const store = `sqlite:${join(dir, 'abcd-hop1.db')}`;
    await ok('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--store', store, '--policy', hop1);
    expect(JSON.parse(await ok('policy', 'show', '--store', store, '--json')).policy).toMatchObject({ name: 'hop1', maxHops: 1 });
    const r = await whatif(store, 'seed');
    expect(r.alerts).toEqual({ recorded: 1, whatif: 2 }); // B only; the seed also alerts C (hop 2)
    expect(r.gained).toEqual([{ personId: 2, phone: '+999000000002', tick: 8 }]);
  });
});

describe('the ground truth\'s recall counts only the people an exposure alert could reach', () => {
  it('a hand-made log of 4 people: the initial cases are counted apart, in --json and in the text', async () => {
    // P0 infected from the start (an index case), P1 suspicious from the start, P2 and P3 healthy.
    // Tick 1: P0 meets P2 and P1 meets P3; both are alerted (0 -> 1), and P2 is really infected by P0.
    // Tick 2: P0 meets P1, who is really infected but already suspicious (no alert).
    // Really infected: P0, P1, P2 (3); P0 from the start, P1 suspicious from the start: only P2 could
    // be alerted and was, recall 1/1 (it was 1/3 when everyone really infected counted).
    // Alerted P2 and P3, one really infected: precision 1/2. The seed's rule decides the same.
    const file = join(dir, 'truth.db');
    const store = await sqliteStore(file);
    const state = initialState();
    const params = { ...DEFAULT_PARAMS, people: 4 };
    const m = (tick: number) => ({ tick, at: tickTime(params, tick), schemaVersion: 1 });
    const contact = (tick: number, a: number, b: number): DomainEvent => ({ type: 'ContactDetected', data: { contactId: `c-${tick}-${a}-${b}`, a, b, x: 0, y: 0, distance: 0 }, metadata: m(tick) });
    const exposed = (tick: number, p: number, source: number): DomainEvent[] => [
      { type: 'HealthStatusChanged', data: { personId: p, from: 0, to: 1, reason: 'contact', sourcePersonId: source, contactId: `c-${tick}-${Math.min(p, source)}-${Math.max(p, source)}`, x: 0, y: 0 }, metadata: m(tick) },
      { type: 'NotificationIssued', data: { notificationId: `n-${tick}-${p}`, personId: p, phone: `+3361000000${p}` }, metadata: m(tick) },
    ];
    const ticks: DomainEvent[][] = [
      [
        { type: 'SimulationStarted', data: params, metadata: m(0) },
        ...[0, 1, 2, 3].map((p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: `+3361000000${p}`, x: 0, y: 0 }, metadata: m(0) })),
        { type: 'HealthStatusChanged', data: { personId: 0, from: 0, to: 2, reason: 'initial' }, metadata: m(0) },
        { type: 'HealthStatusChanged', data: { personId: 1, from: 0, to: 1, reason: 'initial' }, metadata: m(0) },
      ],
      [contact(1, 0, 2), contact(1, 1, 3), ...exposed(1, 2, 0), ...exposed(1, 3, 1), { type: 'InfectionTransmitted', data: { personId: 2, sourcePersonId: 0, contactId: 'c-1-0-2' }, metadata: m(1) }],
      [contact(2, 0, 1), { type: 'InfectionTransmitted', data: { personId: 1, sourcePersonId: 0, contactId: 'c-2-0-1' }, metadata: m(2) }],
    ];
    try {
      for (const [tick, events] of ticks.entries()) {
        for (const e of events) evolve(state, e);
        const [healthy, suspicious, infected] = state.counts;
        const done: DomainEvent = { type: 'TickCompleted', data: { tick, healthy, suspicious, infected, moves: 0, contacts: 0, exposures: 0, events: events.length + 1, stateHash: stateHash(state) }, metadata: m(tick) };
        await store.append(tickStream(tick), [...events, done], 'no_stream');
      }
    } finally {
      await store.close();
    }
    const r = await whatif(`sqlite:${file}`, 'seed');
    expectSame(r);
    expect(r.truth).toEqual({ reallyInfected: 3, infectedAtStart: 1, suspiciousAtStart: 1, alertable: 1, recorded: { precision: 0.5, recall: 1 }, whatif: { precision: 0.5, recall: 1 } });
    const text = await ok('whatif', '--store', `sqlite:${file}`, '--policy', 'seed');
    expect(text).toMatch(/^infected who were alerted +100\.0% +100\.0% {3}\(recall; of 1 healthy at the start, infected since\)$/m);
    expect(text).toContain('\n  3 really infected: 1 healthy at the start; left out of the recall: 1 infected from the start (index cases), 1 suspicious from the start (already asked to test)\n');
  });
});
