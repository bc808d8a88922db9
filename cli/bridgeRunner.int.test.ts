/**
 * The CLI's bridge runner on a real SQLite store, with a bus that is down (our own retry logic:
 * the bus is a stand-in that fails as an unreachable broker does).
 */
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BusError, type NotificationBus } from '../core/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { cli } from '../test/kafka.js';
import { bridgeCheckpoint, startBridge } from './bridgeRunner.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-bridge-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bus whose broker is gone: every transaction fails as an outage (retriable). */
function downBus(): NotificationBus & { attempts: number } {
  const bus = {
    attempts: 0,
    async transactional() {
      return {
        checkpoint: async () => undefined,
        publishAt: async () => {
          bus.attempts++;
          throw new BusError('publishing to Kafka at 127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1', true);
        },
        close: async () => undefined,
      };
    },
    publish: async () => undefined,
    consume: async () => undefined,
    close: async () => undefined,
  };
  return bus;
}

describe('startBridge while Kafka is down', () => {
  it('stops cleanly at Ctrl-C during the retries: no error, the checkpoint where it was, one warning line and no listener leak', async () => {
    const file = join(dir, 'down.db');
    const made = await cli('simulate', '--store', `sqlite:${file}`, '--ticks', '20');
    expect(made.code, made.stderr).toBe(0);
    const store = sqliteStore(file, { create: false });
    const bus = downBus();
    const stop = new AbortController();
    const warnings: string[] = [];
    try {
      const running = startBridge(store, bus, { topic: 't', follow: true, signal: stop.signal, warn: (line) => warnings.push(line) });
      // each wait between retries listens to the signal; one that ended must stop listening (an
      // outage of a minute printed MaxListenersExceededWarning)
      await until(() => bus.attempts >= 2, 30_000);
      const listening = getEventListeners(stop.signal, 'abort').length;
      await until(() => bus.attempts >= 4, 30_000);
      expect(getEventListeners(stop.signal, 'abort').length).toBe(listening);
      // then Ctrl-C while waiting for the next retry
      stop.abort();
      const result = await running; // rejected with the outage's error before
      expect(result).toEqual({ published: 0, position: 0 });
      expect(await store.checkpoints.load(bridgeCheckpoint('t'))).toBeUndefined();
      expect(warnings).toEqual(['Kafka unavailable (publishing to Kafka at 127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1); alerts stay in the store, retrying']);
    } finally {
      await store.close();
    }
  }, 60_000);
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
