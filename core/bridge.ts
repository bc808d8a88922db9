/**
 * The notification bridge: from the store (the source of truth) to a notification bus.
 * It reads committed ticks after its checkpoint, publishes each tick's `NotificationIssued`
 * events, and saves its checkpoint only after the bus acknowledged them (DESIGN.md,
 * "Notifications through Kafka"). Delivery is at least once: after a crash the last tick's
 * alerts may be published again, with the same notification ids.
 * @module
 */
import type { EventData, StoredEvent } from '../events/index.js';
import type { EventStore, Notification, NotificationBus } from './ports.js';
import { committedTicks } from './replay.js';

/** Event types the bridge reads: the notifications and the commit marker. */
export const BRIDGE_TYPES = ['NotificationIssued', 'TickCompleted'] as const;

/** The alert carried by a `NotificationIssued` event. */
export function toNotification(event: StoredEvent): Notification {
  const data = event.data as EventData<'NotificationIssued'>;
  return { notificationId: data.notificationId, personId: data.personId, phone: data.phone, tick: event.metadata.tick, at: event.metadata.at };
}

/** Options of {@link runBridge}. */
export interface BridgeOptions {
  /** Checkpoint name in the store, e.g. `bridge:stopcovid.notifications`. */
  checkpoint: string;
  /** Keep following the store live until `signal` aborts; otherwise stop once caught up. */
  follow: boolean;
  signal?: AbortSignal;
  /** Most notifications per publish call (default 2000). */
  batchSize?: number;
  /** After each committed tick: total published so far and the checkpoint saved. */
  onProgress?(published: number, position: number): void;
  /**
   * Called when a publish failed; resolve true (after waiting) to try the same batch again,
   * false to give up (the error is then thrown). Without it, errors are thrown at once.
   */
  onPublishError?(error: unknown, attempt: number): Promise<boolean>;
}

/** What a bridge run did. */
export interface BridgeResult {
  published: number;
  /** The checkpoint reached (global position). */
  position: number;
}

/**
 * Run the bridge from `store` to `bus`.
 * @throws the bus's error when `onPublishError` gives up; EventDecodeError on a corrupt event.
 */
export async function runBridge(store: EventStore, bus: NotificationBus, options: BridgeOptions): Promise<BridgeResult> {
  const batchSize = options.batchSize ?? 2000;
  let position = (await store.checkpoints.load(options.checkpoint)) ?? 0;
  let published = 0;
  const source = options.follow
    ? store.subscribeAll({ after: position, types: BRIDGE_TYPES, signal: options.signal })
    : store.readAll({ after: position, types: BRIDGE_TYPES });
  for await (const tick of committedTicks(source)) {
    const notifications = tick.filter((e) => e.type === 'NotificationIssued').map(toNotification);
    for (let i = 0; i < notifications.length; i += batchSize) {
      const batch = notifications.slice(i, i + batchSize);
      for (let attempt = 1; ; attempt++) {
        try {
          await bus.publish(batch);
          break;
        } catch (error) {
          if (!options.onPublishError || !(await options.onPublishError(error, attempt))) throw error;
          if (options.signal?.aborted) return { published, position };
        }
      }
      published += batch.length;
    }
    position = tick[tick.length - 1]!.position;
    await store.checkpoints.save(options.checkpoint, position);
    options.onProgress?.(published, position);
    if (options.signal?.aborted) break;
  }
  return { published, position };
}
