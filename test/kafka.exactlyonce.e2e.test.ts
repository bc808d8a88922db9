/**
 * Exactly once from the store to Kafka, against a real broker: the bridge SIGKILLed 10 times
 * mid-publish leaves every alert exactly once on the topic for a read-committed consumer; two
 * worlds made with the same seed share a topic and each consumer gets exactly its own world's
 * alerts; a bridge started beside `simulate --bus` is refused, so each alert is on the topic once.
 * Counts are of raw messages read with isolation READ_COMMITTED, without any de-duplication.
 * Skipped with a notice without a broker, unless STOPCOVID_REQUIRE_KAFKA=1 (CI).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { afterAll, describe, expect, it } from 'vitest';
import { alertId } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { worldAlertKey } from '../cli/identity.js';
import { BIN } from './cli.js';
import { BROKER, brokerAvailable, cli, env, readCommitted, topicSize, URL } from './kafka.js';

const run = `${process.pid}-${Math.floor(performance.now())}`;
const topicName = (name: string) => `test-eo-${run}-${name}`;

const available = await brokerAvailable('Kafka exactly-once tests');

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-eo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/**
 * The opaque ids of the alerts a world's store holds: each `NotificationIssued` of its log, its
 * internal id keyed with the world's identity and secret.
 */
async function storedIds(store: string): Promise<string[]> {
  const sqlite = sqliteStore(store.replace(/^sqlite:/, ''), { create: false });
  try {
    const key = await worldAlertKey(sqlite);
    const ids: string[] = [];
    for await (const e of sqlite.readAll({ types: ['NotificationIssued'] })) ids.push(alertId(key, (e.data as { notificationId: string }).notificationId));
    return ids;
  } finally {
    await sqlite.close();
  }
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe.runIf(available)('exactly once from the store to Kafka', () => {
  it('10 SIGKILLs of the bridge mid-publish: every alert exactly once for a read-committed consumer', async () => {
    const topic = topicName('kills');
    const store = `sqlite:${join(dir, 'kills.db')}`;
    // about 21,000 alerts over 40 ticks, a tick a transaction (a tick is never split): work for ten bridges to be killed in
    expect((await cli('simulate', '--store', store, '--people', '30000', '--grid', '300x300', '--ticks', '40')).code).toBe(0);
    const expected = await storedIds(store);
    expect(expected.length).toBeGreaterThan(10000);
    const rng = xoroshiro128plus(12);
    const delays: number[] = [];
    let midPublish = 0;
    let offsets = 0;
    for (let k = 0; k < 10; k++) {
      const child = spawn(process.execPath, [BIN, 'bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up', '--batch-size', '20'], { env, stdio: 'ignore' });
      // wait until this bridge writes to the topic, then kill it a random moment later
      const start = offsets;
      const deadline = performance.now() + 30_000;
      while ((offsets = await topicSize(topic)) === start && performance.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      const delay = uniformInt(rng, 0, 150);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      const killedRunning = child.exitCode === null;
      child.kill('SIGKILL');
      await exited(child);
      if (killedRunning && offsets > start) midPublish++;
    }
    expect(midPublish).toBeGreaterThanOrEqual(8); // the kills landed while the bridge was publishing
    const last = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up', '--json');
    expect(last.code, last.stderr).toBe(0);
    const raw = await readCommitted(topic);
    const counts = new Map<string, number>();
    for (const id of raw) counts.set(id, (counts.get(id) ?? 0) + 1);
    const lost = expected.filter((id) => !counts.has(id));
    const repeated = [...counts.values()].filter((n) => n > 1).length;
    console.info(`bridge kill test: ${expected.length} alerts, 10 SIGKILLs (${midPublish} mid-publish) ${delays.join(', ')} ms after each bridge's first write; read committed: ${raw.length} messages, ${lost.length} lost, ${repeated} repeated; the last bridge published ${JSON.parse(last.stdout).published}`);
    expect(lost).toEqual([]);
    expect(repeated).toBe(0);
    expect(raw.length).toBe(expected.length);
  }, 300_000);

  it('two worlds with the same seed on one topic: each consumer gets all of its own world, none of the other', async () => {
    const topic = topicName('worlds');
    const stores = ['a', 'b'].map((w) => `sqlite:${join(dir, `world-${w}.db`)}`);
    const expected: string[][] = [];
    for (const store of stores) {
      expect((await cli('simulate', '--store', store, '--people', '3000', '--grid', '90x90', '--ticks', '8')).code).toBe(0);
      expected.push(await storedIds(store));
      const bridged = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up');
      expect(bridged.code, bridged.stderr).toBe(0);
    }
    // the same seed and parameters: the same alerts inside each world, but each world's secret gives them other ids
    expect(expected[0]!.length).toBe(expected[1]!.length);
    const opaqueA = new Set(expected[0]!.map((id) => id.split(':')[1]));
    expect(expected[1]!.filter((id) => opaqueA.has(id.split(':')[1]))).toEqual([]);
    const got: string[][] = [];
    for (const store of stores) {
      const out = await cli('consume', '--bus', URL, '--topic', topic, '--store', store, '--group', `g-${topic}-${got.length}`, '--json');
      expect(out.code, out.stderr).toBe(0);
      got.push(out.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { notificationId: string }).notificationId));
    }
    const worlds = got.map((ids) => new Set(ids.map((id) => id.split(':')[0])));
    expect(worlds.map((w) => w.size)).toEqual([1, 1]);
    expect([...worlds[0]!][0]).not.toBe([...worlds[1]!][0]);
    for (const w of [0, 1]) expect([...got[w]!].sort()).toEqual([...expected[w]!].sort());
    console.info(`two worlds on one topic: world A ${expected[0]!.length} alerts stored, ${got[0]!.length} consumed; world B ${expected[1]!.length} stored, ${got[1]!.length} consumed`);
  }, 180_000);

  it('a bridge beside simulate --bus is refused with one line; each alert is on the topic once', async () => {
    const topic = topicName('beside');
    const store = `sqlite:${join(dir, 'beside.db')}`;
    const sim = spawn(process.execPath, [BIN, 'simulate', '--store', store, '--people', '2000', '--grid', '80x80', '--ticks', '40', '--tick-ms', '100', '--bus', URL, '--topic', topic], { env, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 3000));
    const second = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^Error: another bridge \(process \d+\) publishes this world's alerts to [^\n]+\n$/);
    expect(await exited(sim)).toBe(0);
    const raw = await readCommitted(topic);
    const expected = await storedIds(store);
    expect(new Set(raw).size).toBe(raw.length);
    expect(raw.length).toBe(expected.length);
    expect(new Set(raw)).toEqual(new Set(expected));
  }, 180_000);

  it('consume --dedupe keeps a ledger of handled ids: a second group reading the topic again prints nothing', async () => {
    const topic = topicName('dedupe');
    const store = `sqlite:${join(dir, 'dedupe.db')}`;
    const ledger = join(dir, 'ledger.db');
    expect((await cli('simulate', '--store', store, '--people', '1500', '--grid', '60x60', '--ticks', '5')).code).toBe(0);
    expect((await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up')).code).toBe(0);
    const expected = await storedIds(store);
    const first = await cli('consume', '--bus', URL, '--topic', topic, '--store', store, '--group', `d1-${topic}`, '--dedupe', ledger, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean)).toHaveLength(expected.length);
    const second = await cli('consume', '--bus', URL, '--topic', topic, '--store', store, '--group', `d2-${topic}`, '--dedupe', ledger);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(`0 alerts for group d2-${topic}`);
    expect(second.stderr).toContain(`${expected.length} already in the --dedupe ledger, skipped`);
  }, 120_000);

  it('a consumer whose topic is deleted says so and exits non-zero', async () => {
    const topic = topicName('deleted');
    const store = `sqlite:${join(dir, 'deleted.db')}`;
    expect((await cli('simulate', '--store', store, '--people', '500', '--ticks', '3')).code).toBe(0);
    expect((await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up')).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'consume', '--bus', URL, '--topic', topic, '--store', store, '--group', `g-${topic}`, '--follow'], { env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const deadline = performance.now() + 30_000;
    while (!stderr.includes('joined group') && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const admin = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    const started = performance.now();
    const code = await exited(child);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`Error: the Kafka topic ${topic} no longer exists at [^\\n]+\\n$`));
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 120_000);
});
