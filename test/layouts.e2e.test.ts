/**
 * The two layouts of the SQLite store through the real binary: a store written by the release
 * before record batches (a fixture) still opens, verifies and continues, and so does one of
 * record batches in their first format (a fixture); `export` of a world is
 * byte-identical in the row-per-event layout and in record batches, for simulated and ingested
 * worlds.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { cli, json } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-layouts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A new empty store of `layout` (the CLI keeps the layout of the store it finds). */
async function emptyStore(layout: 'rows' | 'batches'): Promise<string> {
  const file = join(dir, `${layout}-${n++}.db`);
  await sqliteStore(file, { layout }).close();
  return file;
}

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'batches')").pluck().all() as string[];
  db.close();
  return names;
}

async function exported(file: string): Promise<string> {
  const run = await cli('export', '--store', `sqlite:${file}`);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

describe('a store of the row-per-event layout, written by the previous release', () => {
  const file = join(dir, 'old.db');
  writeFileSync(file, gunzipSync(readFileSync(join(import.meta.dirname, 'fixtures', 'old-layout', 'world-150.db.gz'))));
  const world = ['--people', '150', '--grid', '25x25', '--radius', '1', '--seed', '11'];

  it('opens, verifies every tick, exports what a new store of the same world exports, and continues in its layout', async () => {
    const verified = await cli('replay', '--verify', '--store', `sqlite:${file}`, '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(json<{ tick: number; matches: boolean }>(verified)).toMatchObject({ tick: 5, matches: true });

    const fresh = join(dir, 'new.db');
    expect((await cli('simulate', '--store', `sqlite:${fresh}`, ...world, '--ticks', '5')).code).toBe(0);
    expect(tables(fresh)).toEqual(['batches']);
    const old = await exported(file);
    expect(old.split('\n').length).toBe(1607);
    expect(await exported(fresh)).toBe(old);

    for (const store of [file, fresh]) expect((await cli('simulate', '--store', `sqlite:${store}`, ...world, '--ticks', '2')).code).toBe(0);
    expect(tables(file)).toEqual(['events']);
    expect(await exported(fresh)).toBe(await exported(file));
    expect((await cli('trace', '--store', `sqlite:${file}`, JSON.parse(old.split('\n')[1]!).data.phone, '--json')).code).toBe(0);
  }, 120_000);
});

describe('a store of record batches in format 1, written before fixed-width integer columns', () => {
  const file = join(dir, 'format-1.db');
  writeFileSync(file, gunzipSync(readFileSync(join(import.meta.dirname, 'fixtures', 'batches-format-1', 'world-150.db.gz'))));
  const world = ['--people', '150', '--grid', '25x25', '--radius', '1', '--seed', '11'];

  it('verifies every tick, exports what a new store of the same world exports, and continues with batches of the new format after the old', async () => {
    const formats = () => {
      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT DISTINCT unicode(body) FROM batches ORDER BY 1').pluck().all();
      db.close();
      return rows;
    };
    expect(formats()).toEqual([1]);
    const verified = await cli('replay', '--verify', '--store', `sqlite:${file}`, '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(json<{ tick: number; matches: boolean }>(verified)).toMatchObject({ tick: 5, matches: true });

    const fresh = join(dir, 'format-2.db');
    expect((await cli('simulate', '--store', `sqlite:${fresh}`, ...world, '--ticks', '5')).code).toBe(0);
    const old = await exported(file);
    expect(old.split('\n').length).toBe(1607);
    expect(await exported(fresh)).toBe(old);

    for (const store of [file, fresh]) expect((await cli('simulate', '--store', `sqlite:${store}`, ...world, '--ticks', '2')).code).toBe(0);
    expect(formats()).toEqual([1, 2]);
    expect(await exported(fresh)).toBe(await exported(file));
    const again = await cli('replay', '--verify', '--store', `sqlite:${file}`, '--json');
    expect(json<{ tick: number; matches: boolean }>(again)).toMatchObject({ tick: 7, matches: true });
  }, 120_000);
});

describe('export is the same in both layouts', () => {
  it.each([
    ['the seed defaults', ['--ticks', '12']],
    ['a dense world with radius 2', ['--people', '3000', '--grid', '60x60', '--radius', '2', '--seed', '5', '--ticks', '3']],
  ])('a simulated world: %s', async (_name, args) => {
    const rows = await emptyStore('rows');
    const batches = await emptyStore('batches');
    for (const store of [rows, batches]) expect((await cli('simulate', '--store', `sqlite:${store}`, ...args)).code).toBe(0);
    expect(tables(rows)).toEqual(['events']);
    expect(tables(batches)).toEqual(['batches']);
    expect(await exported(batches)).toBe(await exported(rows));
  }, 120_000);

  it('an ingested world (contact lists: ids, buckets of several hours)', async () => {
    const batches = join(dir, 'ingested.db');
    const run = await cli('ingest', 'contacts', join(import.meta.dirname, 'fixtures', 'ingest', 'contacts-abcd.tsv'), '--index', 'A', '--store', `sqlite:${batches}`);
    expect(run.code, run.stderr).toBe(0);
    expect(tables(batches)).toEqual(['batches']);
    // the same appends, stream by stream, into a store of the row layout
    const from = sqliteStore(batches, { create: false });
    const rows = await emptyStore('rows');
    const to = sqliteStore(rows);
    const streams = new Map<string, { type: string; data: unknown; metadata: unknown }[]>();
    for await (const e of from.readAll()) streams.set(e.stream, [...(streams.get(e.stream) ?? []), { type: e.type, data: e.data, metadata: e.metadata }]);
    for (const [stream, events] of streams) await to.append(stream, events, 'no_stream');
    await from.close();
    await to.close();
    expect(await exported(batches)).toBe(await exported(rows));
  }, 120_000);
});
