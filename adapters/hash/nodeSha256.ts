/**
 * Node's native SHA-256 (`node:crypto`) in the shape of core's {@link Sha256Hex}: the same hashes
 * as the pure TypeScript default, about 20 times faster on a tick of 100,000 people.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Sha256Hex } from '../../core/index.js';

/** Hex SHA-256 of `parts` concatenated, by `node:crypto`. */
export const nodeSha256Hex: Sha256Hex = (parts) => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest('hex');
};
