/**
 * A positive result with an old `--sampled-at` under a retroactive window, on a real SQLite world
 * ingested from a hand-written contact list, in process (see test/inProcess.ts). The world keeps a
 * person's risky contacts for twice the retroactive window back from the last tick
 * (core/policy/contactLedger.ts, prune), so a sample older than one window before the tick that
 * applies it would lose the contacts of its own window before the sample, and alert only later ones.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-sampled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 1-minute buckets from 1970-01-01T00:00Z (7 and 8 meet in the first): a line at t seconds is in
// tick ceil(t / 60). Person 1 meets 3 at tick 10 and 6 at tick 18; 4 and 5 meet at tick 20, the world's last.
const CONTACTS = '60 7 8\n600 1 3\n1080 1 6\n1200 4 5\n';
// a 2-minute retroactive window (2 ticks), only confirmed cases expose, one hop
const POLICY = JSON.stringify({ name: 'retro-2min', exposingStatuses: [2], maxHops: 1, retroactiveMinutes: 2 });

async function world(name: string): Promise<string> {
  writeFileSync(join(dir, 'contacts.txt'), CONTACTS);
  writeFileSync(join(dir, 'policy.json'), POLICY);
  const store = `sqlite:${join(dir, name)}`;
  const r = await run('ingest', 'contacts', join(dir, 'contacts.txt'), '--bucket', '1m', '--policy', join(dir, 'policy.json'), '--store', store);
  expect(r.code, r.stderr).toBe(0);
  return store;
}

describe('test positive --sampled-at under a retroactive window', () => {
  it('refuses a sample more than the window before the tick that applies it (one line, exit 2, nothing written): before, tick 21 applied a sample of tick 11 and alerted person 6 (met at tick 18, after the sample) but not person 3, met at tick 10, within the 2 minutes before it', async () => {
    const store = await world('old.db');
    const phone = '+999000000000'; // person 0, input id 1
    const before = (await run('export', '--store', store)).stdout;
    const r = await run('test', phone, 'positive', '--sampled-at', '1970-01-01T00:11:00Z', '--store', store);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      "Error: --sampled-at 1970-01-01T00:11:00.000Z is more than the policy's retroactive window (2 min) before tick 21, the tick that applies the result: the contacts of its window are no longer kept, so its retroactive alerts would miss them; give a sample time after 1970-01-01T00:18:00.000Z\n",
    ]);
    expect((await run('export', '--store', store)).stdout).toBe(before);
  });

  it('takes a sample within the window, and alerts the contacts of the window before it (by hand: sample at tick 19, window from tick 17: person 6 met at tick 18, not person 3 met at tick 10)', async () => {
    const store = await world('recent.db');
    const r = await run('test', '+999000000000', 'positive', '--sampled-at', '1970-01-01T00:18:30Z', '--store', store, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tick: 21, statusAfter: 2, alerted: 1 });
    const down = JSON.parse((await run('trace', '+999000000000', '--direction', 'down', '--format', 'json', '--store', store)).stdout) as { downstream: { sourceId: string; contactTick?: number }[] };
    expect(down.downstream.map((l) => [l.sourceId, l.contactTick])).toEqual([['6', 18]]);
  });

  it("says one past contact and one person in the singular (before: '1 past contacts alerted', '1 people exposed only through this case released')", async () => {
    const store = await world('singular.db');
    const positive = await run('test', '+999000000000', 'positive', '--sampled-at', '1970-01-01T00:18:30Z', '--store', store);
    expect([positive.code, positive.stdout]).toEqual([0, 'tick 21: +999000000000 tested positive: healthy -> infected; 1 past contact alerted\n']);
    const revoked = await run('test', '+999000000000', 'revoked', '--store', store);
    expect([revoked.code, revoked.stdout]).toEqual([0, 'tick 22: +999000000000 positive result revoked: infected -> healthy; released alert sent; 1 person exposed only through this case released\n']);
  });
});
