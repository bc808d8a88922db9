/**
 * A world's alert secret: the key of its opaque alert ids (core/alertId.ts). Random bytes from
 * the operating system, created once per store beside the world's identity (cli/identity.ts), in
 * the store's checkpoints (three 48-bit numbers under `world-alert-secret-0..2`: 144 bits, more
 * than the 112 that NIST SP 800-131A asks of keys), outside the event log: an exported log
 * holds no secret, and worlds made before alert ids were opaque get one on first use without
 * any event being written or rewritten.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { EventStore } from '../core/index.js';

/** The checkpoint names that hold the secret, 48 bits each. */
export const SECRET_CHECKPOINTS = ['world-alert-secret-0', 'world-alert-secret-1', 'world-alert-secret-2'] as const;

/**
 * The alert secret of the world in `store` (18 bytes), with the parts that are absent created
 * (unless `create` is false: then `undefined` when a part is absent). Like the identity, two
 * processes creating it at once agree on the parts saved last: each reads them back after saving.
 */
export async function alertSecret(store: EventStore, create = true): Promise<Uint8Array | undefined> {
  const parts = await Promise.all(SECRET_CHECKPOINTS.map((name) => store.checkpoints.load(name)));
  if (parts.some((p) => p === undefined)) {
    if (!create) return undefined;
    const random = randomBytes(6 * SECRET_CHECKPOINTS.length);
    for (const [i, name] of SECRET_CHECKPOINTS.entries()) if (parts[i] === undefined) await store.checkpoints.save(name, random.readUIntBE(6 * i, 6));
    for (const [i, name] of SECRET_CHECKPOINTS.entries()) parts[i] = await store.checkpoints.load(name);
  }
  const secret = new Uint8Array(6 * SECRET_CHECKPOINTS.length);
  for (const [i, part] of parts.entries()) for (let b = 0; b < 6; b++) secret[6 * i + b] = Math.floor(part! / 2 ** (8 * (5 - b))) % 256;
  return secret;
}
