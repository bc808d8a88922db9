/**
 * The Kafka notification bus (`kafka://host:port[,host:port]`), on kafkajs.
 * - Producer: idempotent, acks from all in-sync replicas, one request in flight, so a person's
 *   alerts (key: the opaque key of the person, Java-compatible murmur2 partitioner) stay in order.
 * - Messages: the value is the {@link PersonAlert} as JSON (no person id, tick or minute); headers
 *   `notificationId` (the opaque id), `worldId` and `type` (`ExposureNotification` or
 *   `ReleaseNotification`).
 * - Topic: created through the admin client when absent (name and partition count configurable).
 * - Consumer group: an alert's offset is resolved only after `onNotification` returned, and
 *   resolved offsets are committed every {@link COMMIT_EVERY} alerts, at least once a second, at
 *   the end of each fetched batch and when `consume` stops. So a consumer killed without warning
 *   (SIGKILL) handles at most {@link COMMIT_EVERY} alerts (those of its last second at most) again
 *   when its group restarts, and an alert whose handler threw is never committed: `consume` then
 *   rejects with the handler's error, and the group gets the alert again on its next run.
 * kafkajs errors become {@link BusError}s with a `retriable` flag; connecting is bounded by
 * `connectTimeoutMs`.
 * @module
 */
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { patchKafkajsThrottleCheck } from './kafkajsThrottleCheck.js';
import { BusError, parsePersonAlert, type ConsumeOptions, type NotificationBus, type OutgoingAlert, type PersonAlert } from '../../core/index.js';

/** Options of {@link kafkaBus}. */
export interface KafkaBusOptions {
  /** Topic of the alerts (default `stopcovid.notifications`). */
  topic?: string;
  /** Partitions when the topic is created (default 3). */
  partitions?: number;
  /** Bound on connecting and on each request to an absent broker, milliseconds (default 10,000). */
  connectTimeoutMs?: number;
  /** Client id shown in broker logs (default `stopcovid`). */
  clientId?: string;
}

/**
 * Largest number of handled alerts whose offsets may be uncommitted at any time (kafkajs'
 * `autoCommitThreshold`): the bound on alerts handled twice after a consumer crash.
 */
export const COMMIT_EVERY = 100;

/** The default topic of the alerts. */
export const DEFAULT_TOPIC = 'stopcovid.notifications';

/**
 * Parse `kafka://host:port[,host:port]` into broker addresses.
 * @throws BusError (not retriable) for a malformed URL.
 */
export function parseKafkaUrl(url: string): string[] {
  const m = /^kafka:\/\/([^/?#]+)\/?$/i.exec(url.trim());
  const brokers = m ? m[1]!.split(',').map((b) => b.trim()) : [];
  if (!m || brokers.some((b) => !/^[\w.-]+:\d{1,5}$/.test(b) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(b))) {
    throw new BusError(`bus URL '${url}' is not kafka://host:port[,host:port]`, false);
  }
  // a port out of range is the URL's fault, not an unreachable broker's
  const port = brokers.map((b) => Number(b.slice(b.lastIndexOf(':') + 1))).find((p) => p < 1 || p > 65535);
  if (port !== undefined) throw new BusError(`bus URL '${url}': port ${port} is not between 1 and 65535`, false);
  return brokers;
}

// a restarted broker has no group or transaction coordinator for a moment: kafkajs gives up with
// KafkaJSGroupCoordinatorNotFound, which an outage retry mends
const OUTAGES = ['KafkaJSGroupCoordinatorNotFound', 'KafkaJSConnectionError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound', 'KafkaJSConnectionClosedError', 'KafkaJSTimeout', 'KafkaJSLockTimeout', 'KafkaJSMetadataNotLoaded'];

/**
 * Turn a kafkajs error into a BusError. Outages are retriable, also when kafkajs gave up on them
 * (a KafkaJSNonRetriableError whose `cause` is a connection error); the rest are not.
 */
function translate(error: unknown, what: string): BusError {
  if (error instanceof BusError) return error;
  type KafkaError = { name?: string; message?: string; retriable?: boolean; cause?: KafkaError; originalError?: KafkaError };
  const e = error as KafkaError;
  const outage = (x: KafkaError | undefined): boolean => !!x && (x.retriable === true || OUTAGES.includes(x.name ?? '') || outage(x.cause) || outage(x.originalError));
  return new BusError(`${what}: ${e.message ?? String(error)}`, outage(e), { cause: error });
}

/**
 * Run an admin request again while Kafka answers with a retriable error (a fresh broker's group
 * coordinator is still loading, say), for at most `ms` milliseconds.
 */
async function retrying<T>(request: () => Promise<T>, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await request();
    } catch (error) {
      if (!translate(error, '').retriable || performance.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Wait for `promise` to settle, `ms` milliseconds at most, never rejecting: a disconnect from a
 * broker that accepts connections and never answers keeps a request open until kafkajs' request
 * timeout (5 s at least), and an error must not wait for it.
 */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BusError(message, true)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Run `request` unless `signal` aborted, and stop waiting for it `graceMs` after `signal` aborts:
 * then reject with a retriable BusError "`what`: stopped ..." (the request goes on unobserved: a
 * kafkajs request to a broker that is down retries for seconds and cannot be cancelled).
 */
function stoppable<T>(request: () => Promise<T>, signal: AbortSignal | undefined, what: string, graceMs = 0): Promise<T> {
  const stopped = () => new BusError(`${what}: stopped before Kafka answered`, true);
  if (!signal) return request();
  if (signal.aborted) return Promise.reject(stopped());
  const pending = request();
  pending.catch(() => undefined); // its failure after the stop is nobody's concern
  let onAbort!: () => void;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => (timer = setTimeout(() => reject(stopped()), graceMs))), { once: true }));
  return Promise.race([pending, aborted]).finally(() => {
    signal.removeEventListener('abort', onAbort);
    clearTimeout(timer);
  });
}

/**
 * How long a publish that a stop interrupts may still finish, milliseconds: on a live broker a
 * transaction commits well within it, so a stopped bridge leaves none open (an open one holds
 * read-committed consumers back until the next bridge, or Kafka's transaction timeout, aborts it).
 */
const STOP_GRACE_MS = 500;

/** How long a consumer may go without a fetch before it says so (milliseconds), and how often it looks. */
const STALL_MS = 30_000;
const WATCHDOG_MS = 2_000;

/** The `type` header of each kind of alert. */
const TYPE_HEADER = { exposure: 'ExposureNotification', released: 'ReleaseNotification' } as const;

/** The Kafka message of an alert: keyed by its opaque person key, so one person's alerts stay in order. */
function message({ key, alert }: OutgoingAlert): { key: string; value: string; headers: Record<string, string> } {
  return { key, value: JSON.stringify(alert), headers: { notificationId: alert.notificationId, worldId: alert.worldId, type: TYPE_HEADER[alert.kind] } };
}

/** The alert in a message's value; `undefined` for a value that is not one (it is skipped). */
function alertIn(value: Buffer | null): PersonAlert | undefined {
  try {
    return parsePersonAlert(JSON.parse(value?.toString() ?? 'null'));
  } catch {
    return undefined;
  }
}

/**
 * The Kafka request that the server refused as unknown (kafkajs' KafkaJSServerDoesNotSupportApiKey:
 * it answered ApiVersions without it, as a KRaft controller does for Metadata), or `undefined`.
 */
function unsupportedApi(error: unknown): { apiName?: string } | undefined {
  type E = { name?: string; apiName?: string; cause?: E; originalError?: E };
  const e = error as E | undefined;
  if (!e) return undefined;
  return e.name === 'KafkaJSServerDoesNotSupportApiKey' ? { apiName: e.apiName } : (unsupportedApi(e.cause) ?? unsupportedApi(e.originalError));
}

/** True for Kafka's "producer fenced" answers: a newer producer with the same transactional id exists. */
function fenced(error: unknown): boolean {
  type E = { type?: string; name?: string; cause?: E; originalError?: E };
  const e = error as E | undefined;
  return !!e && (e.type === 'PRODUCER_FENCED' || e.type === 'INVALID_PRODUCER_EPOCH' || e.name === 'KafkaJSProducerFencedError' || fenced(e.cause) || fenced(e.originalError));
}

/** True for Kafka's CONCURRENT_TRANSACTIONS answer: the transactional id's previous transaction is still being completed. */
function concurrent(error: unknown): boolean {
  type E = { type?: string; cause?: E; originalError?: E };
  const e = error as E | undefined;
  return !!e && (e.type === 'CONCURRENT_TRANSACTIONS' || concurrent(e.cause) || concurrent(e.originalError));
}

/**
 * Connect to Kafka at `url`: create the topic if needed and connect an idempotent producer.
 * @throws BusError when the broker does not answer within `connectTimeoutMs` ("cannot reach Kafka ...");
 *   not retriable when the server there answers but is not a broker ("... is not a Kafka broker").
 */
export async function kafkaBus(url: string, options: KafkaBusOptions = {}): Promise<NotificationBus> {
  const brokers = parseKafkaUrl(url);
  const topic = options.topic ?? DEFAULT_TOPIC;
  const partitions = options.partitions ?? 3;
  const timeout = options.connectTimeoutMs ?? 10_000;
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) throw new BusError(`'${topic}' is not a valid Kafka topic name`, false);
  if (!Number.isInteger(partitions) || partitions < 1) throw new BusError(`partitions must be a positive integer, got ${partitions}`, false);
  const where = brokers.join(',');
  patchKafkajsThrottleCheck();
  const kafka = new Kafka({
    clientId: options.clientId ?? 'stopcovid',
    brokers,
    connectionTimeout: Math.min(timeout, 3000),
    requestTimeout: Math.max(timeout, 5000),
    // short retries inside kafkajs (about timeout/2 in all); longer outages are retried by the caller
    retry: { initialRetryTime: 100, maxRetryTime: Math.max(500, timeout / 4), retries: 5 },
    logLevel: logLevel.NOTHING,
  });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  const consumers = new Set<Consumer>();
  const disconnectAll = async () => {
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), ...[...consumers].map((c) => c.disconnect())]);
  };
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        const existing = await admin.listTopics();
        if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
        await producer.connect();
      })(),
      timeout,
      `cannot reach Kafka at ${where} within ${timeout} ms`,
    );
  } catch (error) {
    // the connect timeout is the bound, not kafkajs' request timeout
    await settledWithin(disconnectAll(), 100);
    // a server that speaks Kafka's protocol but serves no clients: the URL names the wrong port, no retry mends it
    const api = unsupportedApi(error);
    if (api) throw new BusError(`${where} answers but is not a Kafka broker (it does not serve ${api.apiName ? `the ${api.apiName} request` : "a client's requests"}: a KRaft controller's port?)`, false, { cause: error });
    const e = translate(error, `cannot reach Kafka at ${where}`);
    throw e.message.startsWith('cannot reach') ? e : new BusError(`cannot reach Kafka at ${where}: ${e.message}`, e.retriable, { cause: error });
  }

  const checkpointTopic = `${topic}.bridge-checkpoints`;
  return {
    async publish(alerts: readonly OutgoingAlert[], signal?: AbortSignal) {
      if (alerts.length === 0) return;
      try {
        await stoppable(() => producer.send({ topic, acks: -1, messages: alerts.map(message) }), signal, `publishing to Kafka at ${where}`);
      } catch (error) {
        throw translate(error, `publishing to Kafka at ${where}`);
      }
    },

    /**
     * A transactional producer (`transactional.id` `stopcovid-bridge.<name>`) whose checkpoint is
     * the committed offset of consumer group `stopcovid-bridge.<name>` on partition 0 of the topic
     * `<topic>.bridge-checkpoints`, written with `sendOffsets` inside each transaction (Kafka's
     * exactly-once: the alerts and the position become visible together, or neither does).
     */
    async transactional(name: string) {
      const group = `stopcovid-bridge.${name}`;
      const producer = () => kafka.producer({ transactionalId: group, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, transactionTimeout: 60_000 });
      let tx = producer();
      let connected = false;
      const connect = async () => {
        if (connected) return;
        await tx.connect(); // InitProducerId: fences an older producer of the same name and aborts its open transaction
        connected = true;
      };
      try {
        await withTimeout(
          (async () => {
            if (!(await admin.listTopics()).includes(checkpointTopic)) await admin.createTopics({ topics: [{ topic: checkpointTopic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
            await connect();
          })(),
          timeout,
          `cannot reach Kafka at ${where} within ${timeout} ms`,
        );
      } catch (error) {
        await settledWithin(tx.disconnect(), 100);
        throw translate(error, `starting a transactional producer on Kafka at ${where}`);
      }
      /**
       * Kafka writes a transaction's commit markers after the commit returns: wait (10 s at most)
       * until read-committed consumers can see the offsets just written, so that "published"
       * means visible and a consumer started right after sees them; not once `signal` aborted.
       */
      const visible = async (written: Map<number, bigint>, signal?: AbortSignal) => {
        const deadline = performance.now() + 10_000;
        while (written.size > 0 && performance.now() < deadline && !signal?.aborted) {
          const stable = new Map((await stoppable(() => admin.fetchTopicOffsets(topic), signal, 'reading offsets')).map((p) => [p.partition, BigInt(p.offset)]));
          if ([...written].every(([partition, last]) => (stable.get(partition) ?? 0n) > last)) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      return {
        async checkpoint(signal?: AbortSignal) {
          const what = `reading the bridge checkpoint from Kafka at ${where}`;
          const offsets = await stoppable(() => retrying(() => admin.fetchOffsets({ groupId: group, topics: [checkpointTopic] }), timeout), signal, what).catch((error) => {
            throw translate(error, what);
          });
          const offset = Number(offsets[0]?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
          return offset >= 0 ? offset : undefined;
        },
        async publishAt(alerts: readonly OutgoingAlert[], position: number, signal?: AbortSignal) {
          // a transaction of offsets alone (a batch without alerts) writes its markers after EndTxn
          // returns, and the coordinator refuses the next one's AddOffsetsToTxn with
          // CONCURRENT_TRANSACTIONS until they are written: not an outage, so try again at once (as
          // Kafka's Java producer does), within the request bound, before saying anything
          const deadline = performance.now() + timeout;
          for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
            const outcome = await attempt(alerts, position, signal);
            if (outcome === undefined) return;
            if (!outcome.again || performance.now() + delay > deadline || signal?.aborted) throw outcome.error;
            await new Promise((resolve) => setTimeout(resolve, delay));
          }
        },
        async close() {
          await tx.disconnect().catch(() => undefined);
        },
      };

      /**
       * Leave the producer `old` behind for a new one of the same transactional id; `old` is
       * disconnected in the background, after `before` (an abort of its transaction) settled.
       */
      function replace(old: Producer, before: Promise<unknown> = Promise.resolve()) {
        if (tx !== old) return;
        void before.catch(() => undefined).then(() => old.disconnect().catch(() => undefined));
        tx = producer();
        connected = false;
      }

      /**
       * One transaction of `alerts` and the checkpoint `position`: `undefined` when it committed,
       * else the error, and `again` when it was refused before its commit and aborted, for a
       * transaction still finishing (CONCURRENT_TRANSACTIONS), so that trying again is safe.
       * When `signal` aborts before the commit returned, the transaction is left to Kafka (it
       * commits whole or is aborted by the next producer's InitProducerId) and its producer is
       * replaced: the error says it stopped.
       */
      async function attempt(alerts: readonly OutgoingAlert[], position: number, signal?: AbortSignal): Promise<{ error: BusError; again: boolean } | undefined> {
        const current = tx;
        let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
        let committing = false;
        // partition -> an offset this transaction wrote: once the stable offset passes it, the transaction is visible there
        const written = new Map<number, bigint>();
        const what = `publishing to Kafka at ${where}`;
        try {
          await stoppable(
            async () => {
              await connect();
              transaction = await current.transaction();
              for (let i = 0; i < alerts.length; i += 2000)
                for (const r of await transaction.send({ topic, acks: -1, messages: alerts.slice(i, i + 2000).map(message) })) {
                  const offset = BigInt(r.baseOffset ?? '-1');
                  if (offset > (written.get(r.partition) ?? -1n)) written.set(r.partition, offset);
                }
              await transaction.sendOffsets({ consumerGroupId: group, topics: [{ topic: checkpointTopic, partitions: [{ partition: 0, offset: String(position) }] }] });
              committing = true;
              await transaction.commit();
            },
            signal,
            what,
            STOP_GRACE_MS,
          );
        } catch (error) {
          if (signal?.aborted && !fenced(error)) {
            // the request goes on unobserved: this producer's state is unknown, the next try takes a
            // new one; a broker that answers gets the transaction aborted now rather than at the next start
            replace(current, committing ? undefined : transaction?.abort());
            return { error: translate(error, what), again: false };
          }
          const aborted = transaction ? await transaction.abort().then(() => true, () => false) : true;
          if (!aborted) {
            // an abort that failed (the broker gone) leaves kafkajs' producer stuck in ABORTING: start a new one
            // for the next try; its InitProducerId aborts the open transaction on the broker's side
            replace(current);
          }
          if (fenced(error)) throw new BusError(`another bridge took over publishing these alerts (Kafka fenced transactional id ${group}); this one stops`, false, { cause: error });
          return { error: translate(error, what), again: aborted && !committing && concurrent(error) };
        }
        // committed: a stop no longer waits for the markers to be readable
        await visible(written, signal).catch(() => undefined);
        return undefined;
      }
    },

    async consume(o: ConsumeOptions) {
      const consumer = kafka.consumer({ groupId: o.group, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
      consumers.add(consumer);
      try {
        // where the existing alerts end, to know when a non-following read has caught up
        const ends = new Map((await retrying(() => admin.fetchTopicOffsets(topic), timeout)).map((p) => [p.partition, BigInt(p.high)]));
        if (o.fromBeginning)
          await retrying(() => admin.resetOffsets({ groupId: o.group, topic, earliest: true }), timeout).catch((error) => {
            throw translate(error, `resetting group ${o.group} (is another member of it running?)`);
          });
        // the next offset to handle per partition: the group's committed one, then past each alert handled
        const position = new Map<number, bigint>();
        // a group with no commit on a partition (-1) starts there at offset 0
        for (const t of await retrying(() => admin.fetchOffsets({ groupId: o.group, topics: [topic] }), timeout)) for (const p of t.partitions) position.set(p.partition, BigInt(p.offset) < 0n ? 0n : BigInt(p.offset));
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        let assigned: number[] | undefined;
        let handlerError: { error: unknown } | undefined;
        let finish!: () => void;
        const finished = new Promise<void>((resolve) => (finish = resolve));
        const caughtUp = () => assigned !== undefined && assigned.every((p) => (position.get(p) ?? 0n) >= (ends.get(p) ?? 0n));
        consumer.on(consumer.events.GROUP_JOIN, (e) => {
          assigned = (e.payload.memberAssignment[topic] as number[] | undefined) ?? [];
          o.onAssigned?.([...assigned].sort((a, b) => a - b));
          if (!o.follow && caughtUp()) finish();
        });
        consumer.on(consumer.events.CRASH, (e) => {
          if (!e.payload.restart) finish();
        });
        o.signal?.addEventListener('abort', () => finish(), { once: true });
        // a deleted topic, or fetches that keep failing, would otherwise leave the consumer silent forever
        let failure: BusError | undefined;
        let lastFetch = performance.now();
        let warned = false;
        consumer.on(consumer.events.FETCH, () => {
          lastFetch = performance.now();
          warned = false;
        });
        const watchdog = setInterval(() => {
          void (async () => {
            const topics = await admin.listTopics().catch(() => undefined);
            if (topics && !topics.includes(topic)) {
              failure = new BusError(`the Kafka topic ${topic} no longer exists at ${where}`, false);
              return finish();
            }
            if (performance.now() - lastFetch < STALL_MS || warned) return;
            if (o.follow) {
              warned = true;
              o.onStall?.(`no fetch from Kafka at ${where} for ${STALL_MS / 1000} s; still trying`);
            } else {
              failure = new BusError(`cannot fetch from Kafka at ${where} for ${STALL_MS / 1000} s while alerts remain to read`, true);
              finish();
            }
          })();
        }, WATCHDOG_MS);
        watchdog.unref();
        finished.then(() => clearInterval(watchdog), () => clearInterval(watchdog));
        // ids handled by this process: a message published twice (a bridge that crashed after
        // Kafka stored a batch but before its checkpoint) is handled once
        const seen = new Set<string>();
        // a fetch of transaction markers only (the transactional bridge writes one after each commit)
        // never reaches eachBatch; kafkajs resolves and commits past it, and the position must move
        // too, or a non-following read never sees that it caught up
        const delivered = new Map<number, string | null>();
        consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
          const { partition, firstOffset, lastOffset } = e.payload as { partition: number; firstOffset: string | null; lastOffset: string };
          if (firstOffset === null || delivered.get(partition) === firstOffset) return; // a batch that eachBatch handled
          const next = BigInt(lastOffset) + 1n;
          if (BigInt(firstOffset) !== (position.get(partition) ?? 0n) || next <= (position.get(partition) ?? 0n)) return;
          position.set(partition, next);
          if (!o.follow && caughtUp()) finish();
        });
        await consumer.run({
          // kafkajs commits the offsets resolved below: every COMMIT_EVERY alerts or second, after each batch
          autoCommit: true,
          autoCommitThreshold: COMMIT_EVERY,
          autoCommitInterval: 1000,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, uncommittedOffsets, heartbeat, isRunning, isStale }) => {
            delivered.set(batch.partition, batch.firstOffset());
            let whole = true;
            for (const message of batch.messages) {
              if (!isRunning() || isStale() || handlerError || o.signal?.aborted) {
                whole = false;
                break;
              }
              const alert = alertIn(message.value);
              if (alert && !seen.has(alert.notificationId)) {
                try {
                  await o.onNotification(alert);
                } catch (error) {
                  // neither committed nor marked seen: the alert comes again to the group's next run
                  handlerError = { error };
                  whole = false;
                  break;
                }
                seen.add(alert.notificationId);
              }
              resolveOffset(message.offset);
              position.set(batch.partition, BigInt(message.offset) + 1n);
              await commitOffsetsIfNecessary();
            }
            // every alert of the batch handled: move past the transaction marker it may end with, too
            if (whole && batch.messages.length > 0) {
              resolveOffset(batch.lastOffset());
              position.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
            }
            if (handlerError || (!o.follow && caughtUp())) {
              await commitOffsetsIfNecessary(uncommittedOffsets());
              finish();
            }
            // otherwise kafkajs commits the offsets resolved above when this batch returns, also when stopping
            await heartbeat();
          },
        });
        await finished;
        if (handlerError) throw new HandlerError(handlerError.error);
        if (failure) throw failure;
      } catch (error) {
        if (error instanceof HandlerError) throw error.error;
        throw translate(error, `consuming from Kafka at ${where}`);
      } finally {
        await consumer.disconnect().catch(() => undefined);
        consumers.delete(consumer);
      }
    },

    async close() {
      await disconnectAll();
    },
  };
}

/** Carries the error of a consumer's handler past the translation of kafkajs errors, unchanged. */
class HandlerError {
  constructor(readonly error: unknown) {}
}
