/**
 * Leases in the store: one process at a time holds a named role over a world (the bridge of a
 * topic, the tick writer). Checkpoints of the store hold the holder's random token, its process
 * id and host (a hash), and the lease's end (wall ms), renewed every third of {@link LEASE_MS}. A
 * lease whose holder was a process of this host that no longer exists (a SIGKILLed process) is
 * taken over at once.
 * @module
 */
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventStore } from '../core/index.js';

/** How long a lease lasts without renewal, milliseconds: a SIGKILLed holder on another host blocks others this long at most. */
export const LEASE_MS = 15_000;

/** A held lease: renewed in the background until released. */
export interface Lease {
  /** Aborts when the lease was lost (another process took it after this one stalled past {@link LEASE_MS}). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/** The live holder of a lease, as a refusal describes it. */
export interface LeaseHolder {
  /** Its process id when it runs on this host. */
  pid?: number;
  /** When its lease ends unless renewed, wall ms. */
  until: number;
}

/**
 * Take the lease named by `key` (`%` is replaced by `until`, `holder`, `pid`, `host`).
 * @throws Error (code `INPUT`, message from `refusal`) when another live process holds it.
 */
export async function acquireLease(store: EventStore, key: string, refusal: (holder: LeaseHolder) => string): Promise<Lease> {
  const name = (what: string) => key.replace('%', what);
  const token = randomInt(1, 2 ** 47);
  const host = hostHash();
  const [until, holder, pid, holderHost] = await Promise.all(['until', 'holder', 'pid', 'host'].map((w) => store.checkpoints.load(name(w))));
  const dead = holderHost === host && pid !== undefined && !alive(pid);
  if ((until ?? 0) > Date.now() && holder !== token && !dead) throw leaseError(refusal({ ...(holderHost === host && pid ? { pid } : {}), until: until! }));
  await store.checkpoints.save(name('holder'), token);
  await store.checkpoints.save(name('pid'), process.pid);
  await store.checkpoints.save(name('host'), host);
  await store.checkpoints.save(name('until'), Date.now() + LEASE_MS);
  if ((await store.checkpoints.load(name('holder'))) !== token) throw leaseError(refusal({ until: Date.now() + LEASE_MS }));
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

/**
 * Take the tick writer's lease of the world in `store`: `simulate` holds it while it runs, and
 * `stopcovid test` / `policy set` hold it for the one tick they write when no simulate runs.
 * @throws Error (code `INPUT`) when another live writer holds it.
 */
export function writerLease(store: EventStore): Promise<Lease> {
  return acquireLease(store, 'writer-lease-%', (holder) => `another process${holder.pid ? ` (process ${holder.pid})` : ''} writes this world's ticks (its lease runs until ${new Date(holder.until).toISOString()})`);
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
