/**
 * The Kafka bus against the real broker at STOPCOVID_KAFKA_URL (skipped with a notice without one).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { brokerAvailable, URL } from '../../test/kafka.js';
import { kafkaBus } from './kafka.js';
import type { NotificationBus } from '../../core/index.js';

const available = await brokerAvailable('adapters/bus/kafka.int.test.ts');
const opened: NotificationBus[] = [];
afterAll(async () => {
  for (const bus of opened) await bus.close();
});

describe.runIf(available)('the transactional publisher on a real broker', () => {
  it('commits transaction after transaction back to back, also those that only move the checkpoint (no alerts), without an error', async () => {
    // a transaction of offsets alone commits its markers after EndTxn returns: the next one's
    // AddOffsetsToTxn was refused with CONCURRENT_TRANSACTIONS, which the bridge took for an outage
    const bus = await kafkaBus(URL, { topic: `int-tx-${Date.now()}` });
    opened.push(bus);
    const tx = await bus.transactional!(`int-${Date.now()}`);
    const failures: string[] = [];
    for (let position = 1; position <= 40; position++) await tx.publishAt([], position).catch((error: Error) => failures.push(error.message));
    expect(failures).toEqual([]);
    expect(await tx.checkpoint()).toBe(40);
    await tx.close();
  });
});
