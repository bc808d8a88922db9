import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { alertSecret, SECRET_CHECKPOINTS } from './alertSecret.js';
import { worldAlertKey, worldIdentity } from './identity.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a world's alert secret (in a real SQLite store)", () => {
  it('is created once beside the identity, outside the log, and read back the same after reopening', async () => {
    const file = join(dir, 'a.db');
    let store = sqliteStore(file);
    expect(await alertSecret(store, false)).toBeUndefined();
    const worldId = await worldIdentity(store); // a new world's identity brings its secret
    const secret = await alertSecret(store, false);
    expect(secret).toHaveLength(18);
    expect(new Set(secret).size).toBeGreaterThan(4); // random bytes, not zeros
    expect(await store.lastPosition()).toBe(0); // no event written
    await store.close();
    store = sqliteStore(file, { create: false });
    expect(await worldAlertKey(store)).toEqual({ worldId, secret });
    await store.close();
  });

  it('differs between worlds; an old world with an identity but no secret gets one on first use', async () => {
    const [a, b] = ['b.db', 'c.db'].map((f) => sqliteStore(join(dir, f)));
    const [ka, kb] = [await worldAlertKey(a!), await worldAlertKey(b!)];
    expect(ka.secret).not.toEqual(kb.secret);
    expect(ka.worldId).not.toBe(kb.worldId);
    // a store from before secrets: the parts are absent
    const old = sqliteStore(join(dir, 'd.db'));
    await old.checkpoints.save('world-identity', 12345);
    expect(await alertSecret(old, false)).toBeUndefined();
    const key = await worldAlertKey(old);
    expect(key.worldId).toBe(`w${(12345).toString(36).padStart(10, '0')}`);
    for (const name of SECRET_CHECKPOINTS) expect(await old.checkpoints.load(name)).toBeGreaterThanOrEqual(0);
    expect(await worldAlertKey(old)).toEqual(key);
    for (const s of [a!, b!, old]) await s.close();
  });
});
