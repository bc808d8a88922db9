/**
 * The alert ledger (`notifications` read model, version 2: with the kind and the contact tick)
 * on a store written before kinds: the built binary rebuilds it on first use, without touching
 * the log, and its alerts keep the ids and days they get from a fresh ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, lines } from './cli.js';
import { logDigest } from './storedLog.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the alert ledger of a store from before alert kinds', () => {
  it('is rebuilt to version 2 on first use, with every alert an exposure, and consume prints the same alerts', async () => {
    const file = join(dir, 'old.db');
    const store = `sqlite:${file}`;
    expect((await cli('simulate', '--store', store, '--people', '400', '--grid', '25x25', '--ticks', '4')).code).toBe(0);
    const before = await cli('consume', '--store', store, '--group', 'before', '--json');
    expect(before.code, before.stderr).toBe(0);
    // the ledger as version 1 wrote it: no kind, no contact tick
    const events = logDigest(file);
    const db = new Database(file);
    db.exec(`CREATE TABLE v1 AS SELECT position, notification_id, person_id, phone, tick, at, published_at FROM rm_notifications;
      DROP TABLE rm_notifications; ALTER TABLE v1 RENAME TO rm_notifications;
      UPDATE read_models SET version = 1 WHERE name = 'notifications';`);
    db.close();
    const after = await cli('consume', '--store', store, '--group', 'after', '--json');
    expect(after.code, after.stderr).toBe(0);
    expect(lines(after.stdout)).toEqual(lines(before.stdout));
    const reopened = new Database(file, { readonly: true });
    try {
      expect(reopened.prepare("SELECT version FROM read_models WHERE name = 'notifications'").pluck().get()).toBe(2);
      expect(reopened.prepare('SELECT kind, COUNT(*) AS n FROM rm_notifications GROUP BY kind').all()).toEqual([{ kind: 'exposure', n: lines(before.stdout).length }]);
      expect(logDigest(file)).toBe(events);
    } finally {
      reopened.close();
    }
  });
});
