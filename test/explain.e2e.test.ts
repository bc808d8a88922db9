/**
 * `stopcovid explain` (issue 13, item 2) on hand-made contact lists: a three-hop chain lists three
 * contacts and ends at the index case, and every event position it gives points at the event it
 * names (read back through the store API); a retroactive alert is explained by the positive test
 * that caused it; the opaque ids a consumer gets lead to the same explanations (and `people` past
 * the last person says so). In process (explain only reads), but for the consumer.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Explanation } from '../core/index.js';
import { eventAt, ingestHandWorld, phoneOf } from './handWorlds.js';
import { cli } from './cli.js';
import { run } from './inProcess.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { openReadModelSource } from '../web/readModelSource.js';
import { dashboardApp } from '../web/server.js';
import type { Chain } from '../web/source.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function explainJson(...args: string[]): Promise<Explanation> {
  const done = await run('explain', ...args, '--json');
  expect(done.code, done.stderr).toBe(0);
  return JSON.parse(done.stdout) as Explanation;
}

async function personIds(store: string): Promise<Map<string, number>> {
  const done = await run('people', '--store', store, '--json');
  expect(done.code, done.stderr).toBe(0);
  return new Map((JSON.parse(done.stdout) as { phone: string; personId: number }[]).map((p) => [p.phone, p.personId]));
}

describe('explain on a three-hop chain', () => {
  // 10 (index, infected at tick 0) meets 11 at tick 1, 11 meets 12 at tick 2, 12 meets 13 at tick 3;
  // 20 and 21 (both healthy) meet at tick 2 and 13 meets 10 again at tick 4: contacts that expose nobody
  let store: string;
  let ids: Map<string, number>;
  beforeAll(async () => {
    store = await ingestHandWorld(dir, 'chain', [[1, 10, 11], [2, 20, 21], [2, 11, 12], [3, 12, 13], [4, 13, 10]], [10]);
    ids = await personIds(store);
  });

  it('lists three contacts, nearest first, and ends at the index case', async () => {
    const e = await explainJson(phoneOf(13), '--store', store);
    expect(e.kind).toBe('exposure');
    expect(e.phone).toBe(phoneOf(13));
    expect(e.chain.map((l) => [l.source.phone, l.exposed.phone, l.tick, l.contactTick, l.hops, l.retroactive])).toEqual([
      [phoneOf(12), phoneOf(13), 3, 3, 3, false],
      [phoneOf(11), phoneOf(12), 2, 2, 2, false],
      [phoneOf(10), phoneOf(11), 1, 1, 1, false],
    ]);
    // the sources were suspicious (exposed the tick before), the last one infected from the start
    expect(e.chain.map((l) => [l.sourceStatus, l.sourceChange?.reason, l.sourceChange?.tick])).toEqual([
      [1, 'contact', 2],
      [1, 'contact', 1],
      [2, 'initial', 0],
    ]);
    expect(e.indexCase).toMatchObject({ phone: phoneOf(10), change: { reason: 'initial', to: 2, tick: 0 } });
    expect(e.note).toBeUndefined();
  });

  it('every position points at the event it names', async () => {
    const e = await explainJson(phoneOf(13), '--store', store);
    expect(await eventAt(store, e.notificationPosition!)).toMatchObject({ type: 'NotificationIssued', data: { notificationId: e.notificationId, personId: ids.get(phoneOf(13)) } });
    for (const l of e.chain) {
      const pair = [l.source.personId, l.exposed.personId].sort((a, b) => a - b);
      const contact = await eventAt(store, l.contactPosition);
      expect(contact).toMatchObject({ type: 'ContactDetected', data: { contactId: l.contactId, a: pair[0], b: pair[1] }, metadata: { tick: l.contactTick } });
      expect(await eventAt(store, l.statusPosition)).toMatchObject({ type: 'HealthStatusChanged', data: { personId: l.exposed.personId, from: 0, to: 1, reason: 'contact', sourcePersonId: l.source.personId } });
      expect(await eventAt(store, l.notificationPosition!)).toMatchObject({ type: 'NotificationIssued', data: { notificationId: l.notificationId, personId: l.exposed.personId } });
      const source = await eventAt(store, l.sourceChange!.position);
      expect(source).toMatchObject({ type: 'HealthStatusChanged', data: { personId: l.source.personId, to: l.sourceStatus } });
      expect(source.metadata.tick).toBeLessThan(l.tick);
    }
    expect(await eventAt(store, e.indexCase!.change.position)).toMatchObject({ type: 'HealthStatusChanged', data: { personId: ids.get(phoneOf(10)), reason: 'initial', to: 2 } });
  });

  it('takes the notification id as the log has it, and a phone means the latest alert', async () => {
    const byPhone = await explainJson(phoneOf(12), '--store', store);
    expect(byPhone.notificationId).toBe(`n-2-${ids.get(phoneOf(12))}`);
    expect(await explainJson(byPhone.notificationId, '--store', store)).toEqual(byPhone);
    expect(byPhone.chain).toHaveLength(2);
    const text = await run('explain', byPhone.notificationId, '--store', store);
    expect(text.stdout).toContain(`index case: ${phoneOf(10)}`);
    expect(text.stdout).toContain(`[ContactDetected @${byPhone.chain[0]!.contactPosition}]`);
  });

  it('takes the opaque id its consumers got, and refuses one of another world or of no alert', async () => {
    // a real consumer's process: what it prints is what a consumer gets
    const consumed = await cli('consume', '--store', store, '--from-beginning', '--json');
    expect(consumed.code, consumed.stderr).toBe(0);
    const alerts = consumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { notificationId: string; worldId: string; phone: string });
    // the chain exposes 11, 12 and 13, one alert each
    expect(alerts.map((a) => a.phone).sort()).toEqual([phoneOf(11), phoneOf(12), phoneOf(13)].sort());
    for (const a of alerts) {
      const e = await explainJson(a.notificationId, '--store', store);
      expect(e).toEqual(await explainJson(a.phone, '--store', store));
    }
    const other = await run('explain', `w0000000000:${'0'.repeat(32)}`, '--store', store);
    expect([other.code, other.stderr]).toEqual([2, `Error: alert w0000000000:${'0'.repeat(32)} is of world w0000000000; this store holds world ${alerts[0]!.worldId}\n`]);
    const none = await run('explain', `${alerts[0]!.worldId}:${'0'.repeat(32)}`, '--store', store);
    expect([none.code, none.stderr]).toEqual([2, `Error: no alert ${alerts[0]!.worldId}:${'0'.repeat(32)} in this world\n`]);
  });

  it('a released alert names the negative test and the exposure it ended', async () => {
    // on a copy of the world: 12 tests negative in a tick of its own (tick 5) and is released
    const copy = `sqlite:${join(dir, 'released.db')}`;
    copyFileSync(store.slice('sqlite:'.length), copy.slice('sqlite:'.length));
    const tested = await run('test', phoneOf(12), 'negative', '--store', copy, '--json');
    expect(tested.code, tested.stderr).toBe(0);
    const e = await explainJson(phoneOf(12), '--store', copy);
    expect(e).toMatchObject({ kind: 'released', notificationId: `r-5-${ids.get(phoneOf(12))}`, release: { change: { reason: 'test-negative', from: 1, to: 0, tick: 5 }, test: { result: 'negative', source: 'reported' } } });
    expect(await eventAt(copy, e.release!.test!.position)).toMatchObject({ type: 'TestResultRecorded', data: { personId: ids.get(phoneOf(12)), result: 'negative' } });
    expect(await eventAt(copy, e.notificationPosition!)).toMatchObject({ type: 'NotificationIssued', data: { notificationId: e.notificationId, kind: 'released' } });
    expect(e.chain.map((l) => l.exposed.phone)).toEqual([phoneOf(12), phoneOf(11)]);
    expect(e.indexCase?.phone).toBe(phoneOf(10));
  });

  it('people past the last person (the same world): nothing listed, said on stderr, exit 0', async () => {
    const past = await run('people', '--store', store, '--offset', '99999');
    expect([past.code, past.stdout, past.stderr]).toEqual([0, '', 'no people after the first 99999 in this world\n']);
  });

  it('refuses an unknown alert and a person never alerted: one line, exit 2', async () => {
    for (const [arg, message] of [
      ['n-99-0', /^Error: no alert n-99-0 in this world\n$/],
      [phoneOf(10), new RegExp(`^Error: \\${phoneOf(10)} was never sent an alert\\n$`)],
      ['+33 6 99 99 99 99', /^Error: no person with phone \+33699999999 in this world; try one of .*\n$/],
    ] as const) {
      const done = await run('explain', arg, '--store', store);
      expect(done.code).toBe(2);
      expect(done.stderr).toMatch(message);
    }
  });
});

describe('explain on a retroactive alert', () => {
  // 1 and 2 meet at tick 10, both healthy; 30 and 31 meet at ticks 1 and 14 (the world's first and last tick);
  // 1 tests positive after tick 14: under a 20-minute retroactive window, 2 is alerted at tick 15 for the contact of tick 10
  it('names the contact of tick 10, the positive test that made the source an index case, and the policy', async () => {
    const store = await ingestHandWorld(dir, 'retro', [[1, 30, 31], [10, 1, 2], [14, 30, 31]], [], 'name: retro\nretroactiveMinutes: 20\n');
    const tested = await run('test', phoneOf(1), 'positive', '--store', store, '--json');
    expect(tested.code, tested.stderr).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ tick: 15, alerted: 1 });
    const e = await explainJson(phoneOf(2), '--store', store);
    expect(e.chain).toHaveLength(1);
    const [l] = e.chain;
    expect(l).toMatchObject({ source: { phone: phoneOf(1) }, tick: 15, contactTick: 10, retroactive: true, sourceStatus: 2, sourceChange: { reason: 'test-positive', tick: 15 }, rule: { policy: 'retro' } });
    expect(await eventAt(store, l!.contactPosition)).toMatchObject({ type: 'ContactDetected', data: { contactId: l!.contactId }, metadata: { tick: 10 } });
    expect(await eventAt(store, l!.rule!.position)).toMatchObject({ type: 'PolicyAdopted', data: { policy: { name: 'retro', retroactiveMinutes: 20 } } });
    expect(e.indexCase).toMatchObject({ phone: phoneOf(1), change: { reason: 'test-positive' }, test: { result: 'positive', source: 'reported', tick: 15 } });
    expect(await eventAt(store, e.indexCase!.test!.position)).toMatchObject({ type: 'TestResultRecorded', data: { personId: e.indexCase!.personId, result: 'positive' } });

    // the dashboard's chain gives the same link, with the contact's tick beside the alert's
    const opened = sqliteStore(store.slice('sqlite:'.length), { create: false });
    const source = await openReadModelSource(opened, store);
    try {
      const app = dashboardApp({ source, parseQuery: (q) => ({ phone: q }) });
      for (const query of [`phone=${encodeURIComponent(phoneOf(2))}`, `person=${l!.exposed.personId}`, `person=${l!.source.personId}`]) {
        const chain = (await (await app.request(`/api/chain?${query}`)).json()) as Chain;
        expect(chain.links, query).toHaveLength(1);
        expect(chain.links[0], query).toMatchObject({ source: l!.source.personId, exposed: l!.exposed.personId, tick: 15, at: l!.at, contactTick: 10 });
      }
    } finally {
      await source.close();
      await opened.close();
    }
  });
});
