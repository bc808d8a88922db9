/**
 * The live epidemic measures of `stopcovid stats` (issue 13, item 5), kept by the `epidemic` read
 * model: hand-worked on a three-hop chain whose last person then tests positive, and cross-checked
 * on a simulated world against what other read models derive by other routes (the counts each
 * `TickCompleted` recorded, the `people` read model's hop counts folded by `evolve`). In process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatsRow } from '../cli/commands/stats.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { storeReadModels } from '../adapters/readmodels/sqlite.js';
import { ingestHandWorld, phoneOf } from './handWorlds.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stats(store: string): Promise<StatsRow[]> {
  const done = await run('stats', '--store', store, '--json');
  expect(done.code, done.stderr).toBe(0);
  return JSON.parse(done.stdout) as StatsRow[];
}

describe('stats: the epidemic measures', () => {
  it('hand-worked on a chain 10 -> 11 -> 12 -> 13, then 13 tests positive', async () => {
    // tick 0: 10 infected (a case); ticks 1-3: one exposure a tick, the chain grows a hop a tick;
    // tick 4 (the test's own tick): 13 is confirmed, 1 of the 3 alerted people, and becomes an index case (hop 0), so the longest chain is 12's, 2 hops
    const store = await ingestHandWorld(dir, 'chain', [[1, 10, 11], [2, 11, 12], [3, 12, 13]], [10]);
    expect((await run('test', phoneOf(13), 'positive', '--store', store)).code).toBe(0);
    const rows = await stats(store);
    expect(rows.map((r) => [r.tick, r.newCases, r.exposureAlerts, r.alerted, r.alertedPositive, r.positiveShare, r.activeCases, r.longestChain])).toEqual([
      [0, 1, 0, 0, 0, null, 1, 0],
      [1, 0, 1, 1, 0, 0, 2, 1],
      [2, 0, 1, 2, 0, 0, 3, 2],
      [3, 0, 1, 3, 0, 0, 4, 3],
      [4, 1, 0, 3, 1, 1 / 3, 4, 2],
    ]);
    const csv = await run('stats', '--store', store, '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('tick,at,healthy,suspicious,infected,contacts,exposures,notifications,new_cases,exposure_alerts,alerted,alerted_positive,positive_share,active_cases,longest_chain');
    expect(csv.stdout.split('\n')[5]).toBe('4,2020-03-17T00:04:00.000Z,0,2,2,0,0,0,1,0,3,1,0.3333,4,2');
    const table = await run('stats', '--store', store);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('alerted people who later tested positive: 1 of 3 (33.3%; the NHS COVID-19 app: about 6%)');
    expect(JSON.parse((await run('stats', '--store', store, '--format', 'json')).stdout)).toEqual(rows);

    // tick 5: the positive result is revoked (a lab error): 13 is no longer an alerted person who
    // tested positive, from the revocation's tick on (tick 4's row keeps what was known then)
    expect((await run('test', phoneOf(13), 'revoked', '--store', store)).code).toBe(0);
    const after = await stats(store);
    expect(after.slice(0, 5)).toEqual(rows);
    expect(after.map((r) => [r.tick, r.newCases, r.alerted, r.alertedPositive, r.positiveShare])[5]).toEqual([5, 0, 3, 0, 0]);
    expect((await run('stats', '--store', store)).stdout.trimEnd().split('\n').at(-1)).toBe('alerted people who later tested positive: 0 of 3 (0.0%; the NHS COVID-19 app: about 6%)');
    // rebuilt from the log, the same rows
    expect((await run('rebuild', 'epidemic', '--store', store)).code).toBe(0);
    expect(await stats(store)).toEqual(after);
  });

  it('agrees with the other read models on a simulated world', async () => {
    const file = join(dir, 'sim.db');
    const done = await run('simulate', '--store', `sqlite:${file}`, '--people', '400', '--grid', '30x30', '--ticks', '30', '--tick-minutes', '120', '--seed', '3', '--policy', 'tousanticovid', '--json');
    expect(done.code, done.stderr).toBe(0);
    const rows = await stats(`sqlite:${file}`);
    expect(rows).toHaveLength(31);
    for (const r of rows) {
      expect(r.activeCases).toBe(r.suspicious + r.infected); // TickCompleted's own counts
      expect(r.exposureAlerts).toBe(r.exposures); // one exposure alert per 0 -> 1 exposure
      expect(r.notifications).toBe(r.exposureAlerts + r.releases);
    }
    expect(rows.some((r) => r.alertedPositive > 0)).toBe(true); // the preset tests 70% of alerted people a day (12 ticks of 2 hours) after their alert
    const store = sqliteStore(file);
    const models = storeReadModels(store);
    try {
      // the longest active chain now is the most hops among people of status >= 1 in the people read model
      const hops = models.db.prepare('SELECT MAX(hops) FROM rm_people WHERE status >= 1').pluck().get() as number | null;
      expect(rows.at(-1)!.longestChain).toBe(hops ?? -1);
      // infected people now: the initial ones and every new case since, less none (a 2 stays 2)
      expect(rows.reduce((n, r) => n + r.newCases, 0)).toBe(rows.at(-1)!.infected);
    } finally {
      models.close();
      await store.close();
    }
  });

  it('counts every initial case of a large world, inline and rebuilt (its initial statuses are one run of thousands of events)', async () => {
    // 20,000 people: about 5,700 initial statuses, more than the 4,096 events a projection was once
    // handed at a time; a tick split between two calls lost the first part's new cases (670 of 4,742 at 100,000 people)
    const file = join(dir, 'large.db');
    const done = await run('simulate', '--store', `sqlite:${file}`, '--people', '20000', '--grid', '450x450', '--ticks', '3', '--json');
    expect(done.code, done.stderr).toBe(0);
    for (const pass of ['inline', 'rebuilt']) {
      if (pass === 'rebuilt') expect((await run('rebuild', '--store', `sqlite:${file}`)).code).toBe(0);
      const rows = await stats(`sqlite:${file}`);
      // the seed's rules: nobody becomes infected after tick 0, so tick 0's new cases are every infected person, as TickCompleted(0) counted them
      expect(rows[0]!.infected, pass).toBeGreaterThan(500);
      expect(rows[0]!.newCases, pass).toBe(rows[0]!.infected);
      const store = sqliteStore(file);
      const models = storeReadModels(store);
      try {
        // every exposure points at its ContactDetected: a contact read in another call than its exposure was lost (position 0)
        const exposures = models.db.prepare('SELECT COUNT(*) AS n, SUM(contact_position = 0) AS lost FROM rm_exposures').get() as { n: number; lost: number };
        expect(exposures.n, pass).toBeGreaterThan(0);
        expect(exposures.lost, pass).toBe(0);
      } finally {
        models.close();
        await store.close();
      }
    }
  });
});
