/**
 * The state hash recorded by `TickCompleted` and checked by replay.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { WorldState } from './world.js';

/**
 * A SHA-256 implementation: the hex digest of `parts` concatenated. The default is pure
 * TypeScript (@noble/hashes, every runtime); a host may pass a native one (Node's `node:crypto`
 * is about 20 times faster on a tick of 100,000 people). Any correct one gives the same hash.
 */
export type Sha256Hex = (parts: readonly Uint8Array[]) => string;

/** SHA-256 in pure TypeScript (@noble/hashes). */
export const sha256Hex: Sha256Hex = (parts) => {
  const h = sha256.create();
  for (const part of parts) h.update(part);
  return bytesToHex(h.digest());
};

/**
 * Hex SHA-256 of the people's positions and statuses: the bytes of `xs`, then `ys` (Int32,
 * little-endian on every platform we run on), then `status` (one byte per person), computed by
 * `sha` (default {@link sha256Hex}).
 */
export function stateHash(state: WorldState, sha: Sha256Hex = sha256Hex): string {
  return sha([new Uint8Array(state.xs.buffer, state.xs.byteOffset, state.xs.byteLength), new Uint8Array(state.ys.buffer, state.ys.byteOffset, state.ys.byteLength), state.status]);
}
