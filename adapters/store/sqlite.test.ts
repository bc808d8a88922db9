import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isStoreError, type NewEvent } from '../../core/index.js';
import { decode, isEventDecodeError, type RawEvent } from '../../events/index.js';
import { sqliteStore } from './sqlite.js';
import { openStore } from '../registry.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const meta = { tick: 0, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1 };

describe('sqlite store: the file', () => {
  it('a missing file is an error when not creating, and is not created', () => {
    const file = join(dir, 'missing.db');
    expect(() => sqliteStore(file, { create: false })).toThrow(/no store at/);
    expect(() => readFileSync(file)).toThrow();
  });

  it('an empty file is an error when not creating, and stays empty; creating makes it a store', async () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    expect(() => sqliteStore(file, { create: false })).toThrow(/no store in .*empty\.db \(it holds no tables\)/);
    expect(readFileSync(file).length).toBe(0);
    const store = sqliteStore(file);
    expect(await store.lastPosition()).toBe(0);
    await store.close();
    expect(readFileSync(file).length).toBeGreaterThan(0);
  });

  it('a file that is not SQLite is a store error and is left unchanged', () => {
    const file = join(dir, 'text.db');
    writeFileSync(file, 'hello, not a database\n'.repeat(100));
    const before = readFileSync(file);
    let error: unknown;
    try {
      sqliteStore(file);
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/not a database/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('another application\'s SQLite database is refused, not altered', () => {
    const file = join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE people (name TEXT)');
    db.close();
    expect(() => sqliteStore(file)).toThrow(/not a stopcovid store/);
    const check = new Database(file);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all()).toEqual(['people']);
    check.close();
  });

  it('uses WAL journaling', async () => {
    const file = join(dir, 'wal.db');
    const store = sqliteStore(file);
    await store.close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  /** Write `events` to a new store of `layout` in `file`, damage the file, and read it all back: the error thrown. */
  async function readDamaged(file: string, layout: 'rows' | 'batches', events: NewEvent[], damage: (db: Database.Database) => void): Promise<unknown> {
    const store = sqliteStore(file, { layout });
    await store.append('stopcovid.tick-0', events, 'no_stream');
    await store.close();
    const db = new Database(file);
    damage(db);
    db.close();
    const reopened = sqliteStore(file);
    const error = await (async () => {
      for await (const _ of reopened.readAll());
    })().catch((e: unknown) => e);
    await reopened.close();
    expect(isEventDecodeError(error)).toBe(true);
    return error;
  }

  it('a row whose data is not JSON (row layout) reads as a decode error naming stream, revision and type', async () => {
    const error = await readDamaged(join(dir, 'corrupt.db'), 'rows', [{ type: 'PersonMoved', data: { personId: 1, x: 2, y: 3 }, metadata: meta }], (db) => db.prepare("UPDATE events SET data = '{oops' WHERE position = 1").run());
    expect((error as Error).message).toMatch(/^corrupt event PersonMoved at stopcovid\.tick-0@0: not JSON \(/);
  });

  it('a record batch whose body is damaged reads as a decode error naming the stream, first revision and type, and is left as it was', async () => {
    const file = join(dir, 'corrupt-batch.db');
    const moves = Array.from({ length: 40 }, (_, i) => ({ type: 'PersonMoved', data: { personId: i, x: 2, y: 3 }, metadata: meta }));
    let damaged: Buffer | undefined;
    const error = await readDamaged(file, 'batches', [{ type: 'X', data: {}, metadata: meta }, ...moves], (db) => {
      const body = db.prepare("SELECT body FROM batches WHERE type = 'PersonMoved'").pluck().get() as Buffer;
      damaged = body.subarray(0, body.length - 3);
      db.prepare("UPDATE batches SET body = ? WHERE type = 'PersonMoved'").run(damaged);
    });
    expect((error as Error).message).toMatch(/^corrupt event PersonMoved at stopcovid\.tick-0@1: corrupt record batch of 40 events \(/);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT body FROM batches WHERE type = 'PersonMoved'").pluck().get()).toEqual(damaged);
    db.close();
  });

  it('valid JSON that fails its schema is a decode error too', () => {
    const raw: RawEvent = { stream: 'stopcovid.tick-3', revision: 4, position: 9, type: 'PersonMoved', data: { personId: -1, x: 0, y: 0 }, metadata: meta };
    expect(() => decode(raw)).toThrow(/corrupt event PersonMoved at stopcovid.tick-3@4: data personId/);
  });
});

describe('sqlite store: two connections (another process)', () => {
  it("a subscription sees events appended through another connection, by polling", async () => {
    const file = join(dir, 'two.db');
    const reader = sqliteStore(file, { pollMs: 20 });
    const writer = sqliteStore(file);
    const stop = new AbortController();
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of reader.subscribeAll({ signal: stop.signal })) {
        seen.push(e.position);
        if (seen.length === 2) stop.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 60));
    await writer.append('s', [{ type: 'X', data: {}, metadata: meta }, { type: 'Y', data: {}, metadata: meta }], 'no_stream');
    await done;
    expect(seen).toEqual([1, 2]);
    await reader.close();
    await writer.close();
  });

  it('a second writer on a tick stream is refused by expected revision', async () => {
    const file = join(dir, 'writers.db');
    const a = sqliteStore(file);
    const b = sqliteStore(file);
    await a.append('stopcovid.tick-1', [{ type: 'X', data: {}, metadata: meta }], 'no_stream');
    await expect(b.append('stopcovid.tick-1', [{ type: 'X', data: {}, metadata: meta }], 'no_stream')).rejects.toThrow(/expected no_stream/);
    await a.close();
    await b.close();
  });
});

describe('store URLs', () => {
  it('opens memory: and sqlite:<path>, and names the known schemes for an unknown one', async () => {
    await (await openStore('memory:')).close();
    await (await openStore(`sqlite:${join(dir, 'url.db')}`)).close();
    await expect(openStore('postgres://x')).rejects.toThrow("unknown store scheme 'postgres:' in 'postgres://x': use one of memory:, sqlite:");
    await expect(openStore('sqlite:')).rejects.toThrow(/names no file/);
    await expect(openStore('no-scheme-here')).rejects.toThrow(/has no scheme/);
  });
});
