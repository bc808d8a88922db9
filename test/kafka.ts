/**
 * What the Kafka tests share: the broker from STOPCOVID_KAFKA_URL (default 127.0.0.1:9092),
 * whether it answers (a missing broker fails when STOPCOVID_REQUIRE_KAFKA=1, as in CI, and skips
 * with a notice elsewhere), the CLI run with a clean environment, a topic's size and its
 * read-committed messages.
 */
import { execFile } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { BIN } from './cli.js';

export const URL = process.env.STOPCOVID_KAFKA_URL ?? 'kafka://127.0.0.1:9092';
export const BROKER = URL.replace(/^kafka:\/\//, '').split(',')[0]!;
export const REQUIRED = process.env.STOPCOVID_REQUIRE_KAFKA === '1';
/** The environment of the CLI processes: no store or bus from the caller's. */
export const env = { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '', KAFKAJS_NO_PARTITIONER_WARNING: '1' };

/** True when the broker answers; throws when it does not and STOPCOVID_REQUIRE_KAFKA=1. */
export async function brokerAvailable(what: string): Promise<boolean> {
  const i = BROKER.lastIndexOf(':');
  const ok = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: BROKER.slice(0, i), port: Number(BROKER.slice(i + 1)), timeout: 1500 }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => (socket.destroy(), resolve(false)));
  });
  if (!ok) {
    if (REQUIRED) throw new Error(`STOPCOVID_REQUIRE_KAFKA=1 but no Kafka broker answers at ${BROKER}`);
    console.warn(`${what} SKIPPED: no broker at ${BROKER}. Run them with: npm run kafka:start && npm test (needs Java 17), or set STOPCOVID_KAFKA_URL.`);
  }
  return ok;
}

/** Run `stopcovid ...args` to completion with {@link env}. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { maxBuffer: 1 << 28, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Offsets in a topic (sum of high watermarks: messages, transaction markers, aborted messages); 0 for no topic. */
export async function topicSize(topic: string, broker = BROKER): Promise<number> {
  const admin = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

/** A TCP port free on 127.0.0.1 at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Every message of `topic` that a READ_COMMITTED consumer receives, raw (no de-duplication by id):
 * their `notificationId` headers (`<worldId>:<opaque>`), one per offset of the log. Reads until
 * each partition's position reaches its end. The consumer itself is at-least-once: a batch it
 * fetches again (its group rejoined, a slow machine) is the same offsets, not a message twice in
 * the log, and is counted once; two offsets with one id are two messages.
 */
export async function readCommitted(topic: string, broker = BROKER): Promise<string[]> {
  const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `raw-${topic}-${Math.random()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const ids: string[] = [];
  /** `partition:offset` of the messages taken. */
  const seen = new Set<string>();
  let again = 0;
  const reached = new Map<number, bigint>();
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const check = () => [...ends].every(([p, end]) => (reached.get(p) ?? 0n) >= end) && done();
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const { partition, lastOffset } = e.payload as { partition: number; lastOffset: string };
    reached.set(partition, BigInt(lastOffset) + 1n);
    check();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const at = `${batch.partition}:${m.offset}`;
        if (seen.has(at)) {
          again++;
          continue;
        }
        seen.add(at);
        ids.push((m.headers?.notificationId ?? '').toString());
      }
    },
  });
  check();
  const timeout = setTimeout(done, 60_000);
  await finished;
  clearTimeout(timeout);
  await consumer.disconnect();
  if (again > 0) console.info(`readCommitted(${topic}): the consumer fetched ${again} messages again (the same offsets), counted once`);
  return ids;
}
