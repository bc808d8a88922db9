/**
 * The state hash recorded by `TickCompleted` and checked by replay.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { WorldState } from './world.js';

/**
 * Hex SHA-256 of the people's positions and statuses: the bytes of `xs`, then `ys` (Int32,
 * little-endian on every platform we run on), then `status` (one byte per person).
 */
export function stateHash(state: WorldState): string {
  const h = sha256.create();
  h.update(new Uint8Array(state.xs.buffer, state.xs.byteOffset, state.xs.byteLength));
  h.update(new Uint8Array(state.ys.buffer, state.ys.byteOffset, state.ys.byteLength));
  h.update(state.status);
  return bytesToHex(h.digest());
}
