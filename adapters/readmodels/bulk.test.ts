import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { insertRows } from './bulk.js';

/** A real in-memory SQLite database and a statement cache that counts what it prepares. */
function db() {
  const d = new Database(':memory:');
  d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)');
  const prepared = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) prepared.set(sql, (s = d.prepare(sql)));
    return s;
  };
  return { d, stmt, prepared };
}

describe('insertRows: many rows in few statements', () => {
  it('inserts every row in order, whatever the count (a full list, then 128, 64, ... 1)', () => {
    for (const rows of [0, 1, 255, 256, 257, 1000]) {
      const { d, stmt, prepared } = db();
      const values: unknown[] = [];
      for (let i = 0; i < rows; i++) values.push(i * 3, `p${i}`);
      insertRows(stmt, 'INSERT INTO t (id, name) VALUES', 2, values);
      const got = d.prepare('SELECT id, name FROM t ORDER BY rowid').raw().all();
      expect(got).toEqual(Array.from({ length: rows }, (_, i) => [i * 3, `p${i}`]));
      // 1000 = 3 x 256 + 128 + 64 + 32 + 8: five statement sizes, never one per row
      if (rows === 1000) expect(prepared.size).toBe(5);
    }
  });

  it('takes a tail: an upsert applies to rows already there', () => {
    const { d, stmt } = db();
    insertRows(stmt, 'INSERT INTO t (id, name, n) VALUES', 3, [1, 'a', 1, 2, 'b', 1]);
    insertRows(stmt, 'INSERT INTO t (id, name, n) VALUES', 3, [2, 'b', 5, 3, 'c', 1], 'ON CONFLICT (id) DO UPDATE SET n = n + excluded.n');
    expect(d.prepare('SELECT id, n FROM t ORDER BY id').raw().all()).toEqual([
      [1, 1],
      [2, 6],
      [3, 1],
    ]);
  });

  it('refuses values that are not whole rows, and lets a constraint error through', () => {
    const { stmt } = db();
    expect(() => insertRows(stmt, 'INSERT INTO t (id, name) VALUES', 2, [1, 'a', 2])).toThrow(/not rows of 2/);
    expect(() => insertRows(stmt, 'INSERT INTO t (id, name) VALUES', 2, [1, 'a', 1, 'b'])).toThrow(/UNIQUE/);
  });
});
