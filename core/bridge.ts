/**
 * The notification bridge: from the store (the source of truth) to a notification bus.
 * It reads committed ticks after its checkpoint, publishes each tick's `NotificationIssued`
 * events, and saves its checkpoint only after the bus acknowledged them (DESIGN.md,
 * "Notifications through Kafka"). On a bus with transactions (Kafka) each batch of alerts and
 * the bridge's checkpoint commit in one transaction: a killed bridge leaves no alert twice for
 * consumers that read committed messages. On other buses delivery is at least once: after a
 * crash the last batch may be published again, with the same notification ids. What it publishes
 * is each alert as its person gets it (core/personAlert.ts): an opaque id, the day, no person id.
 * @module
 */
import type { EventData, StoredEvent } from '../events/index.js';
import type { AlertKey } from './alertId.js';
import { readWorldClock, type WorldClock } from './alertDay.js';
import { personAlert } from './personAlert.js';
import { isBusError, type EventStore, type Notification, type NotificationBus } from './ports.js';
import { after, eventsOf, type Projection, type ReadModelStore } from './projections/projection.js';
import { runProjection } from './projections/runner.js';

/** Event types the bridge reads: the notifications and the commit marker. */
export const BRIDGE_TYPES = ['NotificationIssued', 'TickCompleted'] as const;

/** The alert carried by a `NotificationIssued` event (no `kind` in the event: an exposure, as every alert before kinds). */
export function toNotification(event: StoredEvent): Notification {
  const data = event.data as EventData<'NotificationIssued'>;
  return {
    notificationId: data.notificationId,
    kind: data.kind ?? 'exposure',
    personId: data.personId,
    phone: data.phone,
    tick: event.metadata.tick,
    at: event.metadata.at,
    ...(data.contactTick !== undefined ? { contactTick: data.contactTick } : {}),
  };
}

/** Options of {@link runBridge}. */
export interface BridgeOptions {
  /** Checkpoint name in the store, e.g. `bridge:stopcovid.notifications`. */
  checkpoint: string;
  /** Keep following the store live until `signal` aborts; otherwise stop once caught up. */
  follow: boolean;
  /**
   * Stops the bridge, also during a publish or a checkpoint read that the bus has not answered:
   * the batch is then left in the store for the next run (on Kafka its transaction commits whole
   * or not at all, and the next run resumes from the checkpoint Kafka kept).
   */
  signal?: AbortSignal;
  /** Most notifications per publish call (default 2000). */
  batchSize?: number;
  /** Once the bridge knows where it resumes: the later of the bus's transactional checkpoint and the store's copy, else 0. */
  onStart?(position: number): void;
  /**
   * The bus's transactional checkpoint `bus` trails the store's copy `stored`: the bus lost the
   * offset of a commit it had acknowledged, and the bridge resumes from `stored` instead.
   */
  onBusBehind?(bus: number, stored: number): void;
  /** After each committed tick: total published so far and the checkpoint saved. */
  onProgress?(published: number, position: number): void;
  /**
   * Called when a publish failed; resolve true (after waiting) to try the same batch again,
   * false to give up (the error is then thrown). True once `signal` aborted stops the bridge
   * cleanly instead, the batch unpublished. Without it, errors are thrown at once.
   */
  onPublishError?(error: unknown, attempt: number): Promise<boolean>;
  /** After the bus acknowledged `batch` (the tracer's own view of the alerts: e.g. to mark them published in the alert ledger). */
  onPublished?(batch: readonly Notification[]): void | Promise<void>;
  /**
   * The world's identity and secret: the opaque alert ids and bus keys are made with it, and
   * carry the world id so that worlds never collide on a bus.
   */
  key: AlertKey;
  /** The world's clock, for the day each alert names; read from the store's first event when absent. */
  clock?: WorldClock;
}

/** What a bridge run did. */
export interface BridgeResult {
  published: number;
  /** The checkpoint reached (global position). */
  position: number;
}

/**
 * The alerts of committed ticks as a projection: a batch's alerts are collected into the list it
 * is given, which the reader's store then publishes (the bridge) or prints (`consume`).
 */
export const alertsProjection: Projection<Notification[]> = {
  name: 'alerts',
  version: 1,
  types: BRIDGE_TYPES,
  evolve(out, events) {
    for (const e of events) if (e.type === 'NotificationIssued') out.push(toNotification(e));
  },
};

/**
 * The read-model store of a reader of alerts (the bridge, `consume`, the dashboard): its
 * position starts at `start` and lives in memory; each committed batch's alerts after it go to
 * `handle` with the batch's last position and its new events, and the position moves to that
 * one once `handle` resolved (a `handle` that throws moves nothing). `handle` saves the position
 * wherever the reader keeps it.
 */
export function alertReader(
  start: number,
  handle: (alerts: Notification[], last: number, events: readonly StoredEvent[]) => Promise<void>,
): ReadModelStore<Notification[]> & { readonly position: number } {
  let position = start;
  return {
    get position() {
      return position;
    },
    checkpoint: async () => (position > 0 ? { position, version: alertsProjection.version } : undefined),
    async commit(projection, events, last) {
      const fresh = after(eventsOf(events), position);
      const alerts: Notification[] = [];
      projection.evolve(alerts, fresh);
      await handle(alerts, last, fresh);
      position = last;
    },
  };
}

/**
 * Run the bridge from `store` to `bus` through the projection runner: the bridge's "read
 * model" is the bus, its checkpoint is saved in the store only after the bus acknowledged the
 * batch's alerts.
 * @throws the bus's error when `onPublishError` gives up; EventDecodeError on a corrupt event;
 *   Error when the store holds alerts but no `SimulationStarted` or `WorldIngested` (no clock).
 */
export async function runBridge(store: EventStore, bus: NotificationBus, options: BridgeOptions): Promise<BridgeResult> {
  const batchSize = options.batchSize ?? 2000;
  const { key } = options;
  // read when the first alert comes: a bridge may start before its world's first tick is written
  let clock = options.clock;
  const clockOf = async (): Promise<WorldClock> => {
    clock ??= await readWorldClock(store);
    if (!clock) throw new Error('the store holds alerts but no SimulationStarted or WorldIngested: the days of its alerts cannot be told');
    return clock;
  };
  const tx = bus.transactional ? await bus.transactional(`${key.worldId}.${options.checkpoint}`) : undefined;
  let published = 0;
  // the bus's transactional checkpoint is the truth; the store's one is a copy, saved only after the bus acknowledged the
  // commit that carried it (and a start for a bridge of an older release), so it may trail the bus's, never lead it: a bus
  // checkpoint behind it lost an acknowledged offset (Kafka 4.4 after a broker restart: test/kafka.e2e.test.ts), and
  // resuming there would publish the alerts of that commit again
  const stored = await store.checkpoints.load(options.checkpoint);
  let start: number;
  try {
    const bus = await tx?.checkpoint(options.signal);
    if (bus !== undefined && stored !== undefined && bus < stored) options.onBusBehind?.(bus, stored);
    start = Math.max(bus ?? 0, stored ?? 0);
  } catch (error) {
    await tx?.close();
    // stopped before the bus told where it stands: nothing published
    if (options.signal?.aborted) return { published: 0, position: stored ?? 0 };
    throw error;
  }
  options.onStart?.(start);
  let gaveUp = false;
  const retry = async (work: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        // stopped while the bus had not answered: the batch stays in the store for the next run
        if (options.signal?.aborted && isBusError(error) && error.retriable) {
          gaveUp = true;
          throw new BridgeStopped();
        }
        if (!options.onPublishError || !(await options.onPublishError(error, attempt))) throw error;
        if (options.signal?.aborted) {
          gaveUp = true;
          throw new BridgeStopped();
        }
      }
    }
  };
  const sink = alertReader(start, async (notifications, last) => {
    const c = notifications.length > 0 ? await clockOf() : undefined;
    const outgoing = c ? notifications.map((n) => personAlert(n, key, c)) : [];
    if (tx) {
      // one transaction: every alert of the batch and the new checkpoint
      let again = false;
      await retry(async () => {
        // after a failure the outcome may be unknown (a commit whose answer was lost): look before publishing again
        if (again && ((await tx.checkpoint(options.signal)) ?? 0) >= last) return;
        again = true;
        await tx.publishAt(outgoing, last, options.signal);
      });
      published += notifications.length;
      if (notifications.length > 0) await options.onPublished?.(notifications);
    } else
      for (let i = 0; i < notifications.length; i += batchSize) {
        const batch = notifications.slice(i, i + batchSize);
        await retry(() => bus.publish(outgoing.slice(i, i + batchSize), options.signal));
        published += batch.length;
        await options.onPublished?.(batch);
      }
    await store.checkpoints.save(options.checkpoint, last);
    options.onProgress?.(published, last);
  });
  try {
    // catching up, a batch holds about `batchSize` alerts; live, a tick
    await runProjection(store, alertsProjection, sink, { follow: options.follow, signal: options.signal, batchEvents: batchSize });
  } catch (error) {
    if (!(gaveUp && error instanceof BridgeStopped)) throw error;
  } finally {
    await tx?.close();
  }
  return { published, position: sink.position };
}

/** Thrown inside a commit to stop the runner when the bridge was interrupted during retries. */
class BridgeStopped extends Error {}
