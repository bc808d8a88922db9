/**
 * Running the notification bridge from the CLI: retries with exponential backoff and jitter
 * while the bus is down (never for errors a retry cannot mend), with one line per outage.
 * @module
 */
import { isBusError, runBridge, type BridgeResult, type EventStore, type Notification, type NotificationBus } from '../core/index.js';

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
  /** After the bus acknowledged `batch`. */
  onPublished?(batch: readonly Notification[]): void;
}

/** Start the bridge; the promise settles when it stops (caught up, aborted, or a fatal error). */
export function startBridge(store: EventStore, bus: NotificationBus, options: StartBridgeOptions): Promise<BridgeResult> {
  let down = false;
  return runBridge(store, bus, {
    checkpoint: bridgeCheckpoint(options.topic),
    follow: options.follow,
    signal: options.signal,
    batchSize: options.batchSize,
    onPublished: options.onPublished,
    onProgress: (published, position) => {
      if (down) options.warn('Kafka is back: publishing the alerts written meanwhile');
      down = false;
      options.onProgress?.(published, position);
    },
    onPublishError: async (error, attempt) => {
      if (!isBusError(error) || !error.retriable || options.signal.aborted) return false;
      if (!down) options.warn(`Kafka unavailable (${error.message}); alerts stay in the store, retrying`);
      down = true;
      const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt - 1, 10)) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        options.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      return !options.signal.aborted;
    },
  });
}
