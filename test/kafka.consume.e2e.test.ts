/**
 * What a consumer group commits, against a real Apache Kafka broker (STOPCOVID_KAFKA_URL, default
 * kafka://127.0.0.1:9092; skipped with a notice without one, unless STOPCOVID_REQUIRE_KAFKA=1):
 * nothing for an alert whose handler threw or whose line could not be written (a closed stdout),
 * and at most COMMIT_EVERY alerts handled again after a consumer is killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { personAlert, type AlertKey, type PersonAlert } from '../core/index.js';
import { COMMIT_EVERY, kafkaBus } from '../adapters/bus/kafka.js';
import Consume from '../cli/commands/consume.js';
import { brokerAvailable, env, URL } from './kafka.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'run.js');
const run = `${process.pid}-${Math.floor(performance.now())}`;
const topicName = (name: string) => `test-${run}-${name}`;

const available = await brokerAvailable('Kafka consumer tests');

const key: AlertKey = { worldId: 'w0consumer0', secret: new Uint8Array(18).fill(5) };

/** `count` alerts for distinct people, published to a new topic of `partitions` partitions, as the bridge publishes them. */
async function backlog(topic: string, count: number, partitions = 3): Promise<PersonAlert[]> {
  const outgoing = Array.from({ length: count }, (_, i) =>
    personAlert({ notificationId: `n-1-${i}`, kind: 'exposure', personId: i, phone: `+336${String(i).padStart(8, '0')}`, tick: 1, at: '2020-03-17T00:01:00.000Z' }, key, { tickMs: 60_000, buckets: false }),
  );
  const bus = await kafkaBus(URL, { topic, partitions });
  try {
    for (let i = 0; i < count; i += 1000) await bus.publish(outgoing.slice(i, i + 1000));
  } finally {
    await bus.close();
  }
  return outgoing.map((o) => o.alert);
}

/** The ids a group reads (to its end) from `topic`, through the library. */
async function drain(topic: string, group: string): Promise<string[]> {
  const bus = await kafkaBus(URL, { topic });
  const ids: string[] = [];
  try {
    await bus.consume({ group, onNotification: (n) => void ids.push(n.notificationId) });
  } finally {
    await bus.close();
  }
  return ids;
}

afterEach(() => vi.restoreAllMocks());

describe.runIf(available)('consumer commits against a real broker', () => {
  it('a handler that throws: consume rejects with its error, and the alert comes again to the next run of the group, nothing before it', async () => {
    const topic = topicName('throws');
    const alerts = await backlog(topic, 40, 1);
    const group = `g-${topic}`;
    const bus = await kafkaBus(URL, { topic });
    const handled: string[] = [];
    const failure = new Error('SMS gateway down');
    try {
      await expect(
        bus.consume({
          group,
          onNotification: (n) => {
            if (handled.length === 25) throw failure;
            handled.push(n.notificationId);
          },
        }),
      ).rejects.toBe(failure);
    } finally {
      await bus.close();
    }
    expect(handled).toEqual(alerts.slice(0, 25).map((a) => a.notificationId));
    // one partition: the group resumes exactly at the alert whose handler threw
    expect(await drain(topic, group)).toEqual(alerts.slice(25).map((a) => a.notificationId));
  });

  it('stopped by its signal (Ctrl-C) in the middle of a batch: the alerts handled so far are committed, the next run starts after them', async () => {
    const topic = topicName('abort');
    const alerts = await backlog(topic, 60, 1);
    const group = `g-${topic}`;
    const stop = new AbortController();
    const handled: string[] = [];
    const bus = await kafkaBus(URL, { topic });
    try {
      // fewer than COMMIT_EVERY alerts, within a second: no commit would have happened yet
      await bus.consume({
        group,
        signal: stop.signal,
        onNotification: (n) => {
          handled.push(n.notificationId);
          if (handled.length === 10) stop.abort();
        },
      });
    } finally {
      await bus.close();
    }
    expect(handled).toEqual(alerts.slice(0, 10).map((a) => a.notificationId));
    expect(await drain(topic, group)).toEqual(alerts.slice(10).map((a) => a.notificationId));
  });

  it('consume --bus with a stdout that fails (EPIPE) at the 6th alert: exit 0, and the next run of the group starts at that alert', async () => {
    const topic = topicName('epipe');
    const alerts = await backlog(topic, 30, 1);
    const group = `g-${topic}`;
    const written: string[] = [];
    // the reader goes away after 5 lines, like `| head -n 5`: the 6th write fails
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string, callback?: (error?: Error | null) => void) => {
      if (written.length >= 5) {
        const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        if (callback) process.nextTick(callback, error);
        return false;
      }
      written.push(String(chunk));
      if (callback) process.nextTick(callback);
      return true;
    }) as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const saved = process.exitCode;
    await Consume.run(['--bus', URL, '--topic', topic, '--group', group, '--json', '--store', 'memory:'], ROOT);
    const code = process.exitCode;
    process.exitCode = saved;
    vi.restoreAllMocks();
    expect(code ?? 0).toBe(0);
    expect(written.map((l) => (JSON.parse(l) as { notificationId: string }).notificationId)).toEqual(alerts.slice(0, 5).map((a) => a.notificationId));
    expect(await drain(topic, group)).toEqual(alerts.slice(5).map((a) => a.notificationId));
  });

  it(`a consumer killed with SIGKILL in a backlog: its group, restarted, loses no alert and repeats at most ${COMMIT_EVERY}`, async () => {
    const topic = topicName('sigkill');
    const alerts = await backlog(topic, 6000, 3);
    const group = `g-${topic}`;
    const child = spawn(process.execPath, [BIN, 'consume', '--bus', URL, '--topic', topic, '--group', group, '--json', '--store', 'memory:'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let first = '';
    child.stdout.on('data', (d) => (first += d));
    const closed = new Promise((resolve) => child.stdout.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (first.split('\n').length > 2000) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
      child.on('exit', () => (clearInterval(timer), reject(new Error(`consume ended before it was killed, after ${first.split('\n').length - 1} alerts`))));
    });
    child.kill('SIGKILL');
    await closed; // everything it wrote before dying was printed
    const printed = first.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { notificationId: string }).notificationId);
    expect(printed.length).toBeLessThan(alerts.length);
    const again = await drain(topic, group);
    const repeated = again.filter((id) => printed.includes(id)).length;
    console.info(`SIGKILL test: ${alerts.length} alerts, ${printed.length} printed before SIGKILL, ${again.length} after the restart, ${repeated} repeated (bound ${COMMIT_EVERY})`);
    expect(new Set([...printed, ...again])).toEqual(new Set(alerts.map((a) => a.notificationId)));
    expect(repeated).toBeLessThanOrEqual(COMMIT_EVERY);
  });
});
