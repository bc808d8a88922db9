/**
 * A bus checkpoint behind the store's copy. The store's copy of the bridge's checkpoint is saved
 * only after the bus acknowledged the transaction that carried it, so the bus's checkpoint can
 * trail it (a crash between the two saves) but never lead... unless the bus lost an acknowledged
 * offset: Kafka 4.4 did, across a broker restart (test/kafka.e2e.test.ts, 'stopped by Ctrl-C
 * while the broker is down': the bridge resumed from Kafka's 21280 while the store held 25500, and
 * published the 242 alerts between them a second time). Here a transactional bus of the test's
 * own loses its last offset, on a real SQLite world: the next run resumes from the store's copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBridge, type NotificationBus, type OutgoingAlert } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { worldAlertKey } from '../cli/identity.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-bus-behind-'));
const file = join(dir, 'world.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A transactional bus in memory: its checkpoint is what the last commit saved, unless the test rewinds it. */
function memoryBus() {
  const state = { checkpoint: undefined as number | undefined, published: [] as string[], commits: [] as number[] };
  const bus: NotificationBus = {
    publish: async () => {
      throw new Error('the bridge publishes through the transactional publisher');
    },
    consume: async () => undefined,
    close: async () => undefined,
    transactional: async () => ({
      checkpoint: async () => state.checkpoint,
      publishAt: async (alerts: readonly OutgoingAlert[], position: number) => {
        state.published.push(...alerts.map((a) => a.alert.notificationId));
        state.commits.push(position);
        state.checkpoint = position;
      },
      close: async () => undefined,
    }),
  };
  return { bus, state };
}

async function bridge(bus: NotificationBus, behind: [number, number][]) {
  const store = sqliteStore(file, { create: false });
  try {
    return await runBridge(store, bus, { checkpoint: 'bridge:test', follow: false, batchSize: 50, key: await worldAlertKey(store), onBusBehind: (b, s) => void behind.push([b, s]) });
  } finally {
    await store.close();
  }
}

describe('the bus lost the offset of a commit it acknowledged', () => {
  it('the bridge resumes from the store copy, says so, and publishes no alert twice', async () => {
    expect((await run('simulate', '--store', `sqlite:${file}`, '--people', '300', '--grid', '30x30', '--ticks', '6', '--json')).code).toBe(0);
    const { bus, state } = memoryBus();
    const behind: [number, number][] = [];
    const first = await bridge(bus, behind);
    expect(state.commits.length).toBeGreaterThan(2);
    expect(first.published).toBe(state.published.length);
    // the bus forgets its last commit (the store's copy holds it), then the world goes on
    const stored = state.commits.at(-1)!;
    const lost = state.commits.at(-2)!;
    state.checkpoint = lost;
    expect((await run('simulate', '--store', `sqlite:${file}`, '--ticks', '3', '--json')).code).toBe(0);
    const second = await bridge(bus, behind);
    expect(behind).toEqual([[lost, stored]]);
    expect(second.published).toBeGreaterThan(0);
    // every alert of the world once: none of the last acknowledged commit again (before: its alerts twice)
    expect(new Set(state.published).size).toBe(state.published.length);
  });
});
