/**
 * A world's identity: a random id recorded once per store (one store holds one world), so that
 * alerts of different worlds never collide on a shared Kafka topic. It lives in the store's
 * checkpoints (a 48-bit number under the name `world-identity`), outside the event log: existing
 * worlds get one on first use without any event being written or rewritten. Its alert secret
 * (cli/alertSecret.ts) is created with it.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { AlertKey, EventStore } from '../core/index.js';
import { alertSecret } from './alertSecret.js';

/** The checkpoint name that holds the identity. */
export const IDENTITY_CHECKPOINT = 'world-identity';

/**
 * The identity of the world in `store` (`w` and 10 base-36 digits), created when absent, and with
 * `create` its alert secret too. Two processes creating it at once agree on the one saved last:
 * each reads it back after saving.
 */
export async function worldIdentity(store: EventStore, create = true): Promise<string | undefined> {
  let n = await store.checkpoints.load(IDENTITY_CHECKPOINT);
  if (n === undefined) {
    if (!create) return undefined;
    await store.checkpoints.save(IDENTITY_CHECKPOINT, randomInt(1, 2 ** 48 - 1));
    n = (await store.checkpoints.load(IDENTITY_CHECKPOINT))!;
  }
  if (create) await alertSecret(store);
  return `w${n.toString(36).padStart(10, '0')}`;
}

/** The world's identity and alert secret, both created when absent: the key of its outward alerts (core/alertId.ts). */
export async function worldAlertKey(store: EventStore): Promise<AlertKey> {
  const worldId = (await worldIdentity(store))!;
  return { worldId, secret: (await alertSecret(store))! };
}
