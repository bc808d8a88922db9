/**
 * The Kafka pipeline against a real Apache Kafka broker: the bridge, consumer groups, a crashed
 * bridge, a broker outage. The broker comes from `npm run kafka:start` (scripts/kafka-local.sh),
 * or STOPCOVID_KAFKA_URL. Without one these tests are skipped with a notice, unless
 * STOPCOVID_REQUIRE_KAFKA=1 (as in CI), where a missing broker fails.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_MESSAGES, alertId, DEFAULT_PARAMS, genesis, runBridge, stepTick, tickStream, type AlertKey, type PersonAlert } from '../core/index.js';
import { memoryStore } from '../adapters/store/memory.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { kafkaBus } from '../adapters/bus/kafka.js';
import { worldAlertKey } from '../cli/identity.js';
import { brokerAvailable, cli, env, freePort, readCommitted, topicSize, URL } from './kafka.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'run.js');
const SCRIPT = join(ROOT, 'scripts', 'kafka-local.sh');
const run = `${process.pid}-${Math.floor(performance.now())}`;
const topicName = (name: string) => `test-${run}-${name}`;

const available = await brokerAvailable('Kafka tests');

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-kafka-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/**
 * The alerts people should get from a SQLite store: each `NotificationIssued` read back through
 * `export`, with its opaque id computed from the internal one under the world's key, and its day.
 */
async function storedAlerts(store: string): Promise<{ notificationId: string; phone: string; day: string }[]> {
  const out = await cli('export', '--store', store);
  expect(out.code, out.stderr).toBe(0);
  const sqlite = sqliteStore(store.replace(/^sqlite:/, ''), { create: false });
  const key = await worldAlertKey(sqlite).finally(() => sqlite.close());
  return out.stdout
    .split('\n')
    .filter((l) => l.includes('"NotificationIssued"'))
    .map((l) => JSON.parse(l) as { data: { notificationId: string; phone: string }; metadata: { at: string } })
    .map((e) => ({ notificationId: alertId(key, e.data.notificationId), phone: e.data.phone, day: e.metadata.at.slice(0, 10) }));
}

/** Alerts printed by `consume --json`. */
function parseAlerts(stdout: string): PersonAlert[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PersonAlert);
}

const key: AlertKey = { worldId: 'w0kafkatest', secret: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };

describe.runIf(available)('Kafka pipeline against a real broker', () => {
  it('each exposure in the store reaches a consumer group as exactly one alert with the right phone and day, under an opaque id', async () => {
    const topic = topicName('exactly-once');
    const store = memoryStore();
    const world = genesis({ ...DEFAULT_PARAMS, people: 1500, width: 50, height: 50, seed: 5 });
    await store.append(tickStream(0), world.events, 'no_stream');
    // the alert each exposed person should get: an opaque id, the day, no person id, tick or time
    const expected: PersonAlert[] = [];
    for (let t = 1; t <= 6; t++) {
      const { events } = stepTick(world.state);
      await store.append(tickStream(t), events, 'no_stream');
      for (const e of events) {
        if (e.type !== 'NotificationIssued') continue;
        const day = e.metadata.at.slice(0, 10);
        expected.push({ notificationId: alertId(key, e.data.notificationId), worldId: key.worldId, kind: 'exposure', phone: e.data.phone, day, message: ALERT_MESSAGES.exposure(day) });
      }
    }
    expect(expected.length).toBeGreaterThan(50);
    const bus = await kafkaBus(URL, { topic, partitions: 3 });
    try {
      const result = await runBridge(store, bus, { checkpoint: 'bridge', follow: false, key });
      expect(result.published).toBe(expected.length);
      const received: PersonAlert[] = [];
      await bus.consume({ group: `g-${topic}`, onNotification: (n) => void received.push(n) });
      const byId = (a: PersonAlert, b: PersonAlert) => a.notificationId.localeCompare(b.notificationId);
      expect([...received].sort(byId)).toEqual([...expected].sort(byId));
    } finally {
      await bus.close();
      await store.close();
    }
  });

  it("one person's alerts arrive in the order they were written", async () => {
    const topic = topicName('order');
    const store = memoryStore();
    const meta = (tick: number) => ({ tick, at: new Date(Date.UTC(2020, 2, 17, 0, tick)).toISOString(), schemaVersion: 1 });
    // persons 1..4 get one alert per tick for 40 ticks, interleaved, across 4 partitions
    for (let t = 1; t <= 40; t++) {
      const events = [1, 2, 3, 4].map((p) => ({ type: 'NotificationIssued', data: { notificationId: `n-${t}-${p}`, personId: p, phone: `+3361000000${p}` }, metadata: meta(t) }));
      events.push({ type: 'TickCompleted', data: { tick: t, healthy: 0, suspicious: 4, infected: 0, moves: 0, contacts: 0, exposures: 4, events: 5, stateHash: '0'.repeat(64) } as never, metadata: meta(t) });
      await store.append(tickStream(t), events, 'no_stream');
    }
    const bus = await kafkaBus(URL, { topic, partitions: 4 });
    try {
      // no world in this store (alerts only): the clock is given
      await runBridge(store, bus, { checkpoint: 'bridge', follow: false, batchSize: 7, key, clock: { tickMs: 60_000, buckets: false } });
      const received: PersonAlert[] = [];
      await bus.consume({ group: `g-${topic}`, onNotification: (n) => void received.push(n) });
      expect(received).toHaveLength(160);
      // the payload has no person id or tick: a person's alerts are known by phone, their order by the ids of ticks 1..40
      for (const p of [1, 2, 3, 4]) expect(received.filter((n) => n.phone === `+3361000000${p}`).map((n) => n.notificationId)).toEqual([...Array(40).keys()].map((i) => alertId(key, `n-${i + 1}-${p}`)));
    } finally {
      await bus.close();
      await store.close();
    }
  });

  it('two consumers in one group split the partitions; a consumer in another group sees everything', async () => {
    const topic = topicName('groups');
    const store = `sqlite:${join(dir, 'groups.db')}`;
    expect((await cli('simulate', '--store', store, '--people', '1500', '--grid', '50x50', '--ticks', '5', '--json')).code).toBe(0);
    const expected = await storedAlerts(store);
    // create the topic with 4 partitions before the consumers join
    const bus = await kafkaBus(URL, { topic, partitions: 4 });
    await bus.close();
    const member = (group: string) => {
      const child = spawn(process.execPath, [BIN, 'consume', '--bus', URL, '--topic', topic, '--store', store, '--group', group, '--follow', '--json'], { env });
      const state = { child, stdout: '', stderr: '' };
      child.stdout.on('data', (d) => (state.stdout += d));
      child.stderr.on('data', (d) => (state.stderr += d));
      return state;
    };
    const a1 = member(`a-${topic}`);
    const a2 = member(`a-${topic}`);
    const b = member(`b-${topic}`);
    const lastAssignment = (s: { stderr: string }) => [...s.stderr.matchAll(/partitions ([\d, ]+|none)\n/g)].at(-1)?.[1];
    try {
      // wait until the group settled: a1 and a2 hold 4 partitions between them, b holds all 4
      await until(() => {
        const p1 = lastAssignment(a1)?.split(', ').filter((x) => x !== 'none') ?? [];
        const p2 = lastAssignment(a2)?.split(', ').filter((x) => x !== 'none') ?? [];
        return p1.length > 0 && p2.length > 0 && p1.length + p2.length === 4 && lastAssignment(b) === '0, 1, 2, 3';
      }, 30_000);
      const bridge = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up', '--json');
      expect(bridge.code, bridge.stderr).toBe(0);
      await until(() => parseAlerts(a1.stdout).length + parseAlerts(a2.stdout).length >= expected.length && parseAlerts(b.stdout).length >= expected.length, 30_000);
      const ids = (s: { stdout: string }) => parseAlerts(s.stdout).map((a) => a.notificationId);
      const [i1, i2, ib] = [ids(a1), ids(a2), ids(b)];
      expect(i1.length).toBeGreaterThan(0);
      expect(i2.length).toBeGreaterThan(0);
      expect(i1.filter((id) => i2.includes(id))).toEqual([]);
      expect([...i1, ...i2].sort()).toEqual(expected.map((e) => e.notificationId).sort());
      expect([...ib].sort()).toEqual(expected.map((e) => e.notificationId).sort());
    } finally {
      for (const s of [a1, a2, b]) s.child.kill('SIGINT');
      await Promise.all([a1, a2, b].map((s) => exited(s.child)));
    }
  });

  it('a bridge killed with SIGKILL in the middle of a large batch, restarted, delivers every alert; after de-duplication each appears once', async () => {
    const topic = topicName('crash');
    const store = `sqlite:${join(dir, 'crash.db')}`;
    // 30,000 people at about 2 per cell: thousands of exposures in the first ticks
    expect((await cli('simulate', '--store', store, '--people', '30000', '--grid', '120x120', '--ticks', '3', '--json')).code).toBe(0);
    const expected = await storedAlerts(store);
    expect(expected.length).toBeGreaterThan(5000);
    const child = spawn(process.execPath, [BIN, 'bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up', '--batch-size', '50'], { env, stdio: 'ignore' });
    let atKill = 0;
    await until(async () => (atKill = await topicSize(topic)) > 0, 30_000, 5);
    child.kill('SIGKILL');
    await exited(child);
    expect(atKill).toBeLessThan(expected.length); // killed mid-way, not after the end
    const restart = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up', '--json');
    expect(restart.code, restart.stderr).toBe(0);
    const raw = await topicSize(topic);
    expect(raw).toBeGreaterThanOrEqual(expected.length);
    const consumed = await cli('consume', '--bus', URL, '--topic', topic, '--store', store, '--group', `g-${topic}`, '--json');
    expect(consumed.code, consumed.stderr).toBe(0);
    const alerts = parseAlerts(consumed.stdout);
    expect(alerts).toHaveLength(expected.length);
    expect(new Set(alerts.map((a) => a.notificationId)).size).toBe(expected.length);
    expect([...alerts].map((a) => `${a.notificationId} ${a.phone} ${a.day}`).sort()).toEqual(expected.map((a) => `${a.notificationId} ${a.phone} ${a.day}`).sort());
    console.info(`crash test: ${expected.length} alerts, topic offsets ${atKill} at SIGKILL, ${raw} after the restart (offsets include transaction markers and aborted messages)`);
  });

  it("bridge's start-up line names the checkpoint it resumes from (Kafka's), also when the store's copy trails it", async () => {
    const topic = topicName('resume-line');
    const file = join(dir, 'resume-line.db');
    const store = `sqlite:${file}`;
    expect((await cli('simulate', '--store', store, '--people', '1500', '--grid', '50x50', '--ticks', '4')).code).toBe(0);
    const first = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up', '--json');
    expect(first.code, first.stderr).toBe(0);
    const { position } = JSON.parse(first.stdout) as { position: number };
    expect(position).toBeGreaterThan(0);
    // as a bridge SIGKILLed between Kafka's commit and the store's save leaves it: the store's copy behind
    const sqlite = sqliteStore(file, { create: false });
    await sqlite.checkpoints.save(`bridge:${topic}`, 0);
    await sqlite.close();
    const again = await cli('bridge', '--store', store, '--bus', URL, '--topic', topic, '--until-caught-up');
    expect(again.code, again.stderr).toBe(0);
    // it said 'checkpoint 0' and then published nothing, resuming from Kafka's
    expect(again.stdout).toContain(`bridge from ${store} (checkpoint ${position}) to ${URL} topic ${topic}\n`);
    expect(again.stdout).toMatch(/published 0 alerts/);
  });

  // its own broker, on free ports: stopping the shared one would break the Kafka tests running beside this file
  it('a broker outage during a simulation loses no alert', async () => {
    const home = mkdtempSync(join(tmpdir(), 'stopcovid-outage-broker-'));
    const jars = join(ROOT, '.kafka', 'lib');
    if (existsSync(jars)) symlinkSync(jars, join(home, 'lib')); // the jars of the shared broker, when there are some
    const port = await freePort();
    const brokerEnv = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_HOME_DIR: home, KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m' };
    const broker = (command: string) => execFileSync('bash', [SCRIPT, command], { stdio: 'ignore', env: brokerEnv });
    const url = `kafka://127.0.0.1:${port}`;
    broker('start');
    try {
      const topic = topicName('outage');
      const store = `sqlite:${join(dir, 'outage.db')}`;
      const child = spawn(process.execPath, [BIN, 'simulate', '--store', store, '--people', '3000', '--grid', '80x80', '--ticks', '60', '--tick-ms', '150', '--bus', url, '--topic', topic, '--json'], { env });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => (stdout += d));
      try {
        // the bridge is publishing: now take the broker away for several seconds
        await until(async () => (await topicSize(topic, `127.0.0.1:${port}`)) > 0, 30_000, 100);
        broker('stop');
        await new Promise((r) => setTimeout(r, 4000));
      } finally {
        broker('start');
      }
      const code = await exited(child);
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/Kafka unavailable/);
      const result = JSON.parse(stdout) as { published: number; exposures: number };
      const expected = await storedAlerts(store);
      expect(result.published).toBeGreaterThanOrEqual(expected.length);
      const consumed = await cli('consume', '--bus', url, '--topic', topic, '--store', store, '--group', `g-${topic}`, '--json');
      expect(consumed.code, consumed.stderr).toBe(0);
      const ids = parseAlerts(consumed.stdout).map((a) => a.notificationId);
      expect(ids.sort()).toEqual(expected.map((a) => a.notificationId).sort());
    } finally {
      broker('stop');
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);

  it('simulate --bus and bridge stopped by Ctrl-C while the broker is down exit 0 within 3 s, the alerts left in the store; a bridge later delivers each exactly once', async () => {
    const { url, port, broker, home } = await ownBroker();
    try {
      const topic = topicName('ctrlc-outage');
      const store = `sqlite:${join(dir, 'ctrlc-outage.db')}`;
      /** Send SIGINT to `child` once its stderr says Kafka is unavailable; its exit code, stderr and stdout, and the seconds it took to exit. */
      const stopWhenDown = async (child: ChildProcess, output: { stdout: string; stderr: string }) => {
        await until(() => output.stderr.includes('Kafka unavailable'), 30_000).catch((error: Error) => {
          throw new Error(`${error.message}; stderr: ${output.stderr.slice(-500)}`);
        });
        await new Promise((r) => setTimeout(r, 500)); // a publish or checkpoint read under way again, retrying inside kafkajs
        const stopped = performance.now();
        child.kill('SIGINT');
        const code = await exited(child);
        return { code, seconds: (performance.now() - stopped) / 1000 };
      };
      const spawned = (...args: string[]) => {
        const child = spawn(process.execPath, [BIN, ...args], { env });
        const output = { stdout: '', stderr: '' };
        child.stderr.on('data', (d) => (output.stderr += d));
        child.stdout.on('data', (d) => (output.stdout += d));
        return { child, output };
      };
      const sim = spawned('simulate', '--store', store, '--people', '3000', '--grid', '80x80', '--tick-ms', '100', '--bus', url, '--topic', topic, '--json');
      await until(async () => (await topicSize(topic, `127.0.0.1:${port}`)) > 0, 30_000, 100);
      broker('stop');
      const simStop = await stopWhenDown(sim.child, sim.output);
      // before, it waited the drain timeout (60 s) and exited 1; then 6 to 8 s, a publish in flight
      // retrying inside the Kafka client until its own timeout: a second without a checkpoint, then the stop
      expect(simStop.code, sim.output.stderr).toBe(0);
      expect(simStop.seconds).toBeLessThan(3);
      expect(sim.output.stderr).toMatch(/stopped before Kafka acknowledged every alert; they are safe in the store/);
      expect((JSON.parse(sim.output.stdout) as { stoppedBy: string }).stoppedBy).toBe('signal');
      // the same with 'bridge': started on a live broker, which goes away while new alerts wait
      broker('start');
      const bridge = spawned('bridge', '--store', store, '--bus', url, '--topic', topic);
      // caught up with what simulate left, its transactional producer started: now take the broker away
      const file = store.replace(/^sqlite:/, '');
      await until(async () => {
        const sqlite = sqliteStore(file, { create: false });
        try {
          return (await sqlite.checkpoints.load(`bridge:${topic}`)) === (await sqlite.lastPosition());
        } finally {
          await sqlite.close();
        }
      }, 30_000, 200);
      broker('stop');
      expect((await cli('simulate', '--store', store, '--ticks', '3')).code).toBe(0);
      const bridgeStop = await stopWhenDown(bridge.child, bridge.output);
      expect(bridgeStop.code, bridge.output.stderr).toBe(0);
      expect(bridgeStop.seconds).toBeLessThan(3);
      console.info(`Ctrl-C with the broker down: simulate --bus stopped in ${simStop.seconds.toFixed(1)} s, bridge in ${bridgeStop.seconds.toFixed(1)} s`);
      broker('start');
      const bridged = await cli('bridge', '--store', store, '--bus', url, '--topic', topic, '--until-caught-up', '--json');
      expect(bridged.code, bridged.stderr).toBe(0);
      // raw read-committed messages, no de-duplication: each alert exactly once
      const raw = await readCommitted(topic, `127.0.0.1:${port}`);
      expect(raw.sort()).toEqual((await storedAlerts(store)).map((a) => a.notificationId).sort());
    } finally {
      broker('stop');
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);

  it('an unreachable broker is one clear line within the connect timeout', async () => {
    const started = performance.now();
    const out = await cli('simulate', '--store', 'memory:', '--ticks', '1', '--bus', 'kafka://127.0.0.1:1', '--connect-timeout', '2000');
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^Error: cannot reach Kafka at 127\.0\.0\.1:1[^\n]*\n$/);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

/** A broker of the test's own, on free ports (the jars of the shared broker when there are some), to stop and start at will. */
async function ownBroker(): Promise<{ url: string; port: number; home: string; broker: (command: 'start' | 'stop') => void }> {
  const home = mkdtempSync(join(tmpdir(), 'stopcovid-own-broker-'));
  const jars = join(ROOT, '.kafka', 'lib');
  if (existsSync(jars)) symlinkSync(jars, join(home, 'lib'));
  const port = await freePort();
  const brokerEnv = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_HOME_DIR: home, KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m' };
  const broker = (command: 'start' | 'stop') => execFileSync('bash', [SCRIPT, command], { stdio: 'ignore', env: brokerEnv });
  broker('start');
  return { url: `kafka://127.0.0.1:${port}`, port, home, broker };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}
