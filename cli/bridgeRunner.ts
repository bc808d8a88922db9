/**
 * Running the notification bridge from the CLI: retries with exponential backoff and jitter
 * while the bus is down (never for errors a retry cannot mend), with one line per outage.
 * @module
 */
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
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

/** How long a bridge's lease lasts without renewal, milliseconds: a SIGKILLed bridge blocks another this long at most. */
export const LEASE_MS = 15_000;

/** A held lease: renewed in the background until released. */
export interface Lease {
  /** Aborts when the lease was lost (another bridge took it after this one stalled past {@link LEASE_MS}). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * Take the lease that lets one bridge at a time publish a world's alerts to `topic`: checkpoints
 * of the store hold the holder's random token, its process id and host (a hash), and the lease's
 * end (wall ms), renewed every third of {@link LEASE_MS}. A lease whose holder was a process of
 * this host that no longer exists (a SIGKILLed bridge) is taken over at once. The transactional
 * Kafka producer fences a second publisher anyway; the lease makes a second bridge refuse at once
 * with one clear line instead.
 * @throws Error (code `INPUT`) when another live bridge holds it.
 */
export async function takeLease(store: EventStore, topic: string): Promise<Lease> {
  const name = (what: string) => `bridge-lease-${what}:${topic}`;
  const token = randomInt(1, 2 ** 47);
  const host = hostHash();
  const [until, holder, pid, holderHost] = await Promise.all(['until', 'holder', 'pid', 'host'].map((w) => store.checkpoints.load(name(w))));
  const dead = holderHost === host && pid !== undefined && !alive(pid);
  if ((until ?? 0) > Date.now() && holder !== token && !dead)
    throw leaseError(`another bridge${holderHost === host && pid ? ` (process ${pid})` : ''} publishes this world's alerts to ${topic}; its lease runs until ${new Date(until!).toISOString()} and is renewed while it runs: stop it first ('simulate --bus' and 'bridge' must not run together)`);
  await store.checkpoints.save(name('holder'), token);
  await store.checkpoints.save(name('pid'), process.pid);
  await store.checkpoints.save(name('host'), host);
  await store.checkpoints.save(name('until'), Date.now() + LEASE_MS);
  if ((await store.checkpoints.load(name('holder'))) !== token) throw leaseError(`another bridge took the lease of ${topic} at the same moment: stop it first`);
  const lost = new AbortController();
  const renew = setInterval(() => {
    void (async () => {
      if ((await store.checkpoints.load(name('holder'))) !== token) return lost.abort();
      await store.checkpoints.save(name('until'), Date.now() + LEASE_MS);
    })().catch(() => undefined);
  }, LEASE_MS / 3);
  renew.unref();
  return {
    lost: lost.signal,
    async release() {
      clearInterval(renew);
      if ((await store.checkpoints.load(name('holder')).catch(() => undefined)) === token) await store.checkpoints.save(name('until'), 0).catch(() => undefined);
    },
  };
}

/** A 32-bit hash of this host's name, to tell this host's processes from other hosts'. */
function hostHash(): number {
  let h = 2166136261;
  for (const c of hostname()) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** True while process `pid` of this host exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

function leaseError(message: string): Error {
  return Object.assign(new Error(message), { code: 'INPUT' });
}
