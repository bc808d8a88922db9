/**
 * `stopcovid whatif` (issue 13) in process, on real SQLite files: the world's own policy gives
 * back exactly the recorded history (alerts, releases, the curve tick by tick); a stricter hop cap
 * on a hand-worked contact list loses exactly the alerts beyond the cap; the store's bytes do not
 * change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WhatIfOutput } from '../cli/commands/whatif.js';
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
    const healthy = (JSON.parse(await ok('people', '--store', store, '--status', '0', '--limit', '1000', '--json')) as { phone: string; lastChange?: unknown }[]).filter((p) => !p.lastChange);
    await ok('test', healthy[0]!.phone, 'positive', '--store', store);
    await ok('simulate', '--store', store, '--ticks', '10');
    const r = await whatif(store, 'tousanticovid');
    expect(r.releases.recorded).toBeGreaterThan(0);
    expect(r.truth?.reallyInfected).toBeGreaterThan(0);
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
    expect(refused.refused).toEqual([{ tick: 41, reason: `${healthy[0]!.phone} was never alerted and the policy requires an alert before a test` }]);
    const text = await ok('whatif', '--store', store, '--policy', strict);
    expect(text).toContain(`reported test results refused under 'tac-strict': 1\n  tick 41: ${healthy[0]!.phone} was never alerted`);
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
