/**
 * Benchmark 5: the notification bridge against a real Kafka broker: alerts per second published
 * and committed (checkpoint saved after Kafka acknowledged) against a raw kafkajs producer sending
 * the same messages with the same batch size and acks; and the delay from an exposure being
 * written to the store to its alert being read by a consumer group (p50, p99) at 1,000 alerts/s.
 * @module
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { alertId, personAlert, runBridge, tickStream, type AlertKey, type OutgoingAlert, type WorldClock } from '../core/index.js';
import { memoryStore } from '../adapters/store/memory.js';
import { kafkaBus } from '../adapters/bus/kafka.js';
import { median, percentile, type Row } from './stats.js';

const meta = (tick: number) => ({ tick, at: new Date(Date.UTC(2020, 2, 17) + tick * 60_000).toISOString(), schemaVersion: 1 });
const completed = (tick: number, n: number) => ({ type: 'TickCompleted', data: { tick, healthy: 0, suspicious: n, infected: 0, moves: 0, contacts: n, exposures: n, events: n + 1, stateHash: '0'.repeat(64) }, metadata: meta(tick) });
/** A fixed key and the simulation's clock: the benchmark's stores hold alerts only, no world. */
const key: AlertKey = { worldId: 'wbench00000', secret: new Uint8Array(18).fill(7) };
const clock: WorldClock = { tickMs: 60_000, buckets: false };
const alert = (tick: number, p: number) => ({ type: 'NotificationIssued', data: { notificationId: `n-${tick}-${p}`, personId: p, phone: `+336${String(p).padStart(8, '0')}` }, metadata: meta(tick) });

/** Run benchmark 5 against the broker at `url` with `alerts` alerts per repetition. */
export async function benchKafka(url: string, alerts: number, batchSize: number, reps: number, log: (s: string) => void): Promise<Row[]> {
  const tag = `${process.pid}-${Math.round(performance.now())}`;
  log(`kafka: ${alerts} alerts x ${reps}, batch ${batchSize}, broker ${url}`);
  const perTick = 1000;
  const store = memoryStore();
  for (let t = 1; t * perTick <= alerts; t++) {
    const events = Array.from({ length: perTick }, (_, k) => alert(t, (t - 1) * perTick + k));
    await store.append(tickStream(t), [...events, completed(t, perTick)], 'no_stream');
  }
  // the messages the bridge sends, for the raw producer to send too
  const messages: OutgoingAlert[] = [];
  for await (const e of store.readAll({ types: ['NotificationIssued'] })) {
    const d = e.data as { notificationId: string; personId: number; phone: string };
    messages.push(personAlert({ ...d, kind: 'exposure', tick: (e.metadata as { tick: number }).tick, at: (e.metadata as { at: string }).at }, key, clock));
  }
  const brokers = url.replace(/^kafka:\/\//, '').split(',');
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const rawProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await rawProducer.connect();
  const ours: number[] = [];
  const raw: number[] = [];
  try {
    for (let r = 0; r <= reps; r++) {
      const topic = `bench-${tag}-${r}`;
      const bus = await kafkaBus(url, { topic, partitions: 3 });
      let t0 = performance.now();
      const result = await runBridge(store, bus, { checkpoint: `bench-${topic}`, follow: false, batchSize, key, clock });
      const oursMs = performance.now() - t0;
      await bus.close();
      if (result.published !== messages.length) throw new Error(`bridge published ${result.published} of ${messages.length}`);
      const rawTopic = `${topic}-raw`;
      const setup = await kafkaBus(url, { topic: rawTopic, partitions: 3 });
      await setup.close();
      t0 = performance.now();
      for (let i = 0; i < messages.length; i += batchSize)
        await rawProducer.send({ topic: rawTopic, acks: -1, messages: messages.slice(i, i + batchSize).map((m) => ({ key: m.key, value: JSON.stringify(m.alert), headers: { notificationId: m.alert.notificationId, worldId: m.alert.worldId, type: 'ExposureNotification' } })) });
      const rawMs = performance.now() - t0;
      if (r > 0) ours.push(oursMs), raw.push(rawMs);
    }
  } finally {
    await rawProducer.disconnect();
  }
  const oursRate = messages.length / (median(ours) / 1000);
  const rawRate = messages.length / (median(raw) / 1000);

  // latency: 10 alerts every 10 ms (1,000 alerts/s) for 5 s, bridge following the store, one consumer group
  const live = memoryStore();
  const topic = `bench-${tag}-latency`;
  const bus = await kafkaBus(url, { topic, partitions: 3 });
  const written = new Map<string, number>();
  const delays: number[] = [];
  const stop = new AbortController();
  const bridge = runBridge(live, bus, { checkpoint: 'latency', follow: true, signal: stop.signal, key, clock });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  const consumer = bus.consume({
    group: `${topic}-g`,
    follow: true,
    signal: stop.signal,
    onAssigned: () => joined(),
    onNotification: (n) => {
      const at = written.get(n.notificationId);
      if (at !== undefined) delays.push(performance.now() - at);
    },
  });
  await ready;
  // a warm-up of 100 ticks (1 s) that is not counted, then 500 ticks (5 s) measured
  const warmup = 100;
  const ticks = 500;
  for (let t = 1; t <= warmup + ticks; t++) {
    const events = Array.from({ length: 10 }, (_, k) => alert(t, k));
    if (t === warmup + 1) delays.length = 0;
    if (t > warmup) for (const e of events) written.set(alertId(key, e.data.notificationId), performance.now());
    await live.append(tickStream(t), [...events, completed(t, 10)], 'no_stream');
    await new Promise((r) => setTimeout(r, 10));
  }
  const deadline = performance.now() + 30_000;
  while (delays.length < ticks * 10 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  stop.abort();
  await Promise.allSettled([bridge, consumer]);
  await bus.close();
  await store.close();
  await live.close();
  const p50 = percentile(delays, 50);
  const p99 = percentile(delays, 99);
  return [
    { section: 'kafka', case: `bridge, ${messages.length.toLocaleString('en-US')} alerts, batch ${batchSize}`, ours: oursRate, unit: 'alerts/s', baseline: 'raw kafkajs producer, same messages/batch/acks', base: rawRate, ratio: oursRate / rawRate, target: '>= 0.8x raw producer', met: oursRate / rawRate >= 0.8, note: 'published and checkpointed' },
    { section: 'kafka', case: `exposure written -> alert read, p50 (1,000 alerts/s, ${delays.length} alerts)`, ours: p50, unit: 'ms' },
    { section: 'kafka', case: `exposure written -> alert read, p99 (1,000 alerts/s, ${delays.length} alerts)`, ours: p99, unit: 'ms', target: '< 50 ms', met: p99 < 50 && delays.length === ticks * 10 },
  ];
}
