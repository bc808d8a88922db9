import { describe, expect, it } from 'vitest';
import { alertId, alertPartitionKey, type AlertKey } from './alertId.js';

const secret = (fill: number) => Uint8Array.from({ length: 18 }, (_, i) => (fill * 31 + i * 7) % 256);
const key: AlertKey = { worldId: 'w00abc12345', secret: secret(1) };

/** Bits that differ between two hex strings of equal length. */
function bitsApart(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 2) for (let x = parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16); x; x >>= 1) n += x & 1;
  return n;
}
const opaque = (id: string) => id.slice(id.indexOf(':') + 1);

describe('opaque alert ids', () => {
  it('are deterministic per world and alert: the same alert gets the same id every time (consumers de-duplicate on it)', () => {
    expect(alertId(key, 'n-12-345')).toBe(alertId({ worldId: key.worldId, secret: secret(1) }, 'n-12-345'));
    expect(alertId(key, 'n-12-345')).toMatch(/^w00abc12345:[0-9a-f]{32}$/);
  });

  it('differ across alerts, kinds and worlds', () => {
    const ids = new Set<string>();
    for (let tick = 1; tick <= 30; tick++) for (let person = 0; person < 30; person++) for (const kind of ['n', 'r']) ids.add(alertId(key, `${kind}-${tick}-${person}`));
    expect(ids.size).toBe(30 * 30 * 2);
    // another world: another id for the same internal alert, with that world's prefix
    const other = alertId({ worldId: 'w00zzz99999', secret: secret(2) }, 'n-12-345');
    expect(other.startsWith('w00zzz99999:')).toBe(true);
    expect(opaque(other)).not.toBe(opaque(alertId(key, 'n-12-345')));
  });

  it('cannot be computed from the world id alone: another secret, another id for the same world and alert', () => {
    expect(alertId({ worldId: key.worldId, secret: secret(3) }, 'n-12-345')).not.toBe(alertId(key, 'n-12-345'));
  });

  it('contain neither the person id nor the tick in any readable form', () => {
    const [tick, person] = [98765, 123456];
    const id = alertId(key, `n-${tick}-${person}`);
    for (const n of [tick, person]) for (const form of [String(n), n.toString(16), n.toString(36), n.toString(2)]) expect(opaque(id)).not.toContain(form);
    expect(id).not.toContain(`n-${tick}-${person}`);
    // no structure: the next person, the next tick or the other kind change about half of the 128 bits, not a digit or two
    for (const near of [`n-${tick}-${person + 1}`, `n-${tick + 1}-${person}`, `r-${tick}-${person}`]) expect(bitsApart(opaque(id), opaque(alertId(key, near)))).toBeGreaterThan(40);
  });

  it('message keys: one per person (one partition, in order), opaque, not the alert ids', () => {
    expect(alertPartitionKey(key, 123456)).toBe(alertPartitionKey(key, 123456));
    expect(alertPartitionKey(key, 123456)).toMatch(/^w00abc12345:[0-9a-f]{32}$/);
    expect(alertPartitionKey(key, 123456)).not.toContain('123456');
    expect(alertPartitionKey(key, 123457)).not.toBe(alertPartitionKey(key, 123456));
    expect(alertPartitionKey({ worldId: key.worldId, secret: secret(3) }, 123456)).not.toBe(alertPartitionKey(key, 123456));
  });
});
