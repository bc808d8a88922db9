/**
 * The two kinds of alert as people get them, against a real Apache Kafka broker
 * (STOPCOVID_KAFKA_URL; skipped with a notice without one, unless STOPCOVID_REQUIRE_KAFKA=1): an
 * exposure, a release and a retroactive exposure written into a real SQLite store, published by
 * the `bridge` binary, read by `consume` from Kafka and from the store. The payload, the message
 * key and the headers name no person id, tick or minute; the ids are the opaque ones of the
 * world's key; the tracer's ledger keeps its own ids, kinds and publication times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_MESSAGES, alertId, DEFAULT_PARAMS, genesis, tickStream, tickTime, type AlertKey, type PersonAlert } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { worldAlertKey } from '../cli/identity.js';
import { BROKER, brokerAvailable, cli, URL } from './kafka.js';

const available = await brokerAvailable('Kafka alert-kind tests');
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const topic = `test-alerts-${process.pid}-${Math.floor(performance.now())}`;

/** Every raw message of `topic` (key, headers, value), read from the beginning until `count` arrived. */
async function rawMessages(count: number): Promise<{ key: string; headers: Record<string, string>; value: string }[]> {
  const consumer = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING }).consumer({ groupId: `raw-${topic}`, maxWaitTimeInMs: 100 });
  const out: { key: string; headers: Record<string, string>; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ key: String(message.key), value: String(message.value), headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
        if (out.length >= count) done();
      },
    });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

describe.runIf(available)('exposure and release alerts through Kafka', () => {
  it('the bridge publishes both kinds with opaque ids and the day only; consume prints them from Kafka and from the store alike', async () => {
    // a world of 12-hour ticks: tick 1 is 2020-03-17 12:00, tick 3 is 2020-03-18 12:00 (UTC)
    const file = join(dir, 'kinds.db');
    const params = { ...DEFAULT_PARAMS, people: 20, tickMs: 12 * 3_600_000 };
    const world = genesis(params);
    const [a, b] = [3, 7];
    const phone = (p: number) => world.state.phones[p]!;
    const completed = (tick: number, events: number) => ({ type: 'TickCompleted', data: { tick, healthy: 0, suspicious: 0, infected: 0, moves: 0, contacts: 0, exposures: 0, events, stateHash: '0'.repeat(64) }, metadata: meta(tick) });
    const meta = (tick: number) => ({ tick, at: tickTime(params, tick), schemaVersion: 1, correlationId: `tick-${tick}` });
    const store = sqliteStore(file);
    let key!: AlertKey;
    try {
      await store.append(tickStream(0), world.events, 'no_stream');
      // tick 1: a is exposed; tick 2: nothing; tick 3: a is released, and b is told of a contact of tick 1 (retroactive)
      await store.append(tickStream(1), [{ type: 'NotificationIssued', data: { notificationId: `n-1-${a}`, personId: a, phone: phone(a) }, metadata: meta(1) }, completed(1, 2)], 'no_stream');
      await store.append(tickStream(2), [completed(2, 1)], 'no_stream');
      await store.append(
        tickStream(3),
        [
          { type: 'NotificationIssued', data: { notificationId: `r-3-${a}`, personId: a, phone: phone(a), kind: 'released' }, metadata: meta(3) },
          { type: 'NotificationIssued', data: { notificationId: `n-3-${b}`, personId: b, phone: phone(b), kind: 'exposure', contactTick: 1 }, metadata: meta(3) },
          completed(3, 3),
        ],
        'no_stream',
      );
      key = await worldAlertKey(store);
    } finally {
      await store.close();
    }
    const url = `sqlite:${file}`;
    const expected: PersonAlert[] = [
      { notificationId: alertId(key, `n-1-${a}`), worldId: key.worldId, kind: 'exposure', phone: phone(a), day: '2020-03-17', message: ALERT_MESSAGES.exposure('2020-03-17') },
      { notificationId: alertId(key, `r-3-${a}`), worldId: key.worldId, kind: 'released', phone: phone(a), day: '2020-03-18', message: ALERT_MESSAGES.released('2020-03-18') },
      { notificationId: alertId(key, `n-3-${b}`), worldId: key.worldId, kind: 'exposure', phone: phone(b), day: '2020-03-17', message: ALERT_MESSAGES.exposure('2020-03-17') },
    ];

    const bridged = await cli('bridge', '--store', url, '--bus', URL, '--topic', topic, '--until-caught-up', '--json');
    expect(bridged.code, bridged.stderr).toBe(0);
    expect(JSON.parse(bridged.stdout)).toMatchObject({ published: 3 });

    // from Kafka: the alerts as people get them, a's exposure before a's release
    const fromKafka = await cli('consume', '--bus', URL, '--topic', topic, '--store', url, '--group', `g-${topic}`, '--json');
    expect(fromKafka.code, fromKafka.stderr).toBe(0);
    const got = fromKafka.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PersonAlert);
    expect([...got].sort((x, y) => x.notificationId.localeCompare(y.notificationId))).toEqual([...expected].sort((x, y) => x.notificationId.localeCompare(y.notificationId)));
    expect(got.filter((g) => g.phone === phone(a)).map((g) => g.kind)).toEqual(['exposure', 'released']);

    // the raw messages: no person id, tick or time in key, headers or value; one key for both of a's alerts
    const raw = await rawMessages(3);
    expect(raw).toHaveLength(3);
    for (const m of raw) {
      expect(m.key).toMatch(new RegExp(`^${key.worldId}:[0-9a-f]{32}$`));
      expect(Object.keys(JSON.parse(m.value) as object).sort()).toEqual(['day', 'kind', 'message', 'notificationId', 'phone', 'worldId']);
      expect(`${m.value} ${JSON.stringify(m.headers)}`).not.toMatch(/personId|"tick"|"at"|T\d\d:\d\d|n-\d+-\d+|r-\d+-\d+/);
    }
    const ofA = raw.filter((m) => (JSON.parse(m.value) as PersonAlert).phone === phone(a));
    expect(ofA.map((m) => m.headers.type)).toEqual(['ExposureNotification', 'ReleaseNotification']);
    expect(new Set(ofA.map((m) => m.key)).size).toBe(1);
    expect(raw.map((m) => m.headers.notificationId).sort()).toEqual(expected.map((e) => e.notificationId).sort());

    // from the store (no bus): the same alerts, in log order; text lines say the day, the phone and the message
    const fromStore = await cli('consume', '--store', url, '--group', 'direct', '--json');
    expect(fromStore.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PersonAlert)).toEqual(expected);
    const text = await cli('consume', '--store', url, '--group', 'direct-text');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(expected.map((e) => `${e.day}  ${e.phone}  ${e.message}\n`).join(''));
    expect(text.stdout).toContain(`2020-03-18  ${phone(a)}  Your COVID-19 contact alert is lifted as of 2020-03-18`);

    // the tracer's ledger: internal ids, kinds, the contact tick, and when the bridge published each
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare('SELECT notification_id, kind, person_id, tick, contact_tick, published_at FROM rm_notifications ORDER BY position').all() as { notification_id: string; kind: string; person_id: number; tick: number; contact_tick: number | null; published_at: string | null }[];
      expect(rows.map((r) => [r.notification_id, r.kind, r.person_id, r.tick, r.contact_tick])).toEqual([
        [`n-1-${a}`, 'exposure', a, 1, null],
        [`r-3-${a}`, 'released', a, 3, null],
        [`n-3-${b}`, 'exposure', b, 3, 1],
      ]);
      expect(rows.every((r) => r.published_at !== null)).toBe(true);
    } finally {
      db.close();
    }
  }, 120_000);
});
