/**
 * Running the notification bridge from the CLI: retries with exponential backoff and jitter
 * while the bus is down (never for errors a retry cannot mend), with one line per outage.
 * @module
 */
import { acquireLease, type Lease } from './lease.js';
export type { Lease };
import { isBusError, runBridge, type BridgeResult, type EventStore, type Notification, type NotificationBus } from '../core/index.js';
import { alertSecret } from './alertSecret.js';
import { worldIdentity } from './identity.js';

/** Checkpoint name of the bridge for `topic`. */
export function bridgeCheckpoint(topic: string): string {
  return `bridge:${topic}`;
}

/** Options of {@link startBridge}. */
export interface StartBridgeOptions {
  topic: string;
  follow: boolean;
  signal: AbortSignal;
  batchSize?: number;
  /** Told about outages and recoveries, one line each. */
  warn(line: string): void;
  onProgress?(published: number, position: number): void;
  /** Once the bridge knows the position it resumes from: Kafka's checkpoint, or the store's copy where Kafka's lost an acknowledged commit. */
  onStart?(position: number): void;
  /** After the bus acknowledged `batch`. */
  onPublished?(batch: readonly Notification[]): void;
  /** The world's identity (see cli/identity.ts); read from the store when absent. */
  worldId?: string;
}

/**
 * Start the bridge, with the world's alert key (identity and secret, created when absent); the
 * promise settles when it stops (caught up, aborted, or a fatal error).
 */
export async function startBridge(store: EventStore, bus: NotificationBus, options: StartBridgeOptions): Promise<BridgeResult> {
  let down = false;
  const key = { worldId: options.worldId ?? (await worldIdentity(store))!, secret: (await alertSecret(store))! };
  return runBridge(store, bus, {
    key,
    checkpoint: bridgeCheckpoint(options.topic),
    follow: options.follow,
    signal: options.signal,
    batchSize: options.batchSize,
    onPublished: options.onPublished,
    onStart: options.onStart,
    onBusBehind: (bus, stored) =>
      options.warn(`Kafka's checkpoint (${bus}) is behind the last one it acknowledged to this store (${stored}): it lost a committed offset; resuming from ${stored}, so that those alerts are not published again`),
    onProgress: (published, position) => {
      if (down) options.warn('Kafka is back: publishing the alerts written meanwhile');
      down = false;
      options.onProgress?.(published, position);
    },
    // true for an outage, after a backoff that a stop cuts short (runBridge then stops cleanly, the
    // batch left in the store for the next run; an outage once stopped never gets here); false for
    // an error no retry mends, which is thrown
    onPublishError: async (error, attempt) => {
      if (!isBusError(error) || !error.retriable) return false;
      if (!down) options.warn(`Kafka unavailable (${error.message}); alerts stay in the store, retrying`);
      down = true;
      const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt - 1, 10)) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const stop = () => (clearTimeout(timer), resolve());
        const timer = setTimeout(() => (options.signal.removeEventListener('abort', stop), resolve()), delay);
        options.signal.addEventListener('abort', stop, { once: true });
      });
      return true;
    },
  });
}

/**
 * Take the lease that lets one bridge at a time publish a world's alerts to `topic` (see
 * cli/lease.ts). The transactional Kafka producer fences a second publisher anyway; the lease
 * makes a second bridge refuse at once with one clear line instead.
 * @throws Error (code `INPUT`) when another live bridge holds it.
 */
export function takeLease(store: EventStore, topic: string): Promise<Lease> {
  return acquireLease(store, `bridge-lease-%:${topic}`, (holder) =>
    `another bridge${holder.pid ? ` (process ${holder.pid})` : ''} publishes this world's alerts to ${topic}; its lease runs until ${new Date(holder.until).toISOString()} and is renewed while it runs: stop it first ('simulate --bus' and 'bridge' must not run together)`,
  );
}
