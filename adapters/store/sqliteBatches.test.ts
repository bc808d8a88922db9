import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, eventCount, expandRun, genesis, genesisColumnar, isEventRun, scratch, stepTick, stepTickColumnar, tickStream, type RawItem, type StoredRun } from '../../core/index.js';
import type { RawEvent } from '../../events/index.js';
import { sqliteStore, type SqliteEventStore } from './sqlite.js';
import { BATCH } from './sqliteBatches.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A dense world with exposures and notifications: 12,000 people on 90x90, 6 ticks. */
async function writeWorld(file: string, layout: 'rows' | 'batches', columnar = false): Promise<number> {
  const store = sqliteStore(file, { layout });
  const params = { ...DEFAULT_PARAMS, people: 12_000, width: 90, height: 90, seed: 3 };
  const world = columnar ? genesisColumnar(params) : genesis(params);
  await store.append(tickStream(0), world.events, 'no_stream');
  const buffers = scratch();
  for (let t = 1; t <= 6; t++) await store.append(tickStream(t), (columnar ? stepTickColumnar : stepTick)(world.state, buffers).events, 'no_stream', { signal: new AbortController().signal });
  const last = await store.lastPosition();
  await store.close();
  return last;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const rowsFile = join(dir, 'rows.db');
const batchesFile = join(dir, 'batches.db');
const columnsFile = join(dir, 'columns.db');
let events = 0;
let log: RawEvent[];
let open: SqliteEventStore[] = [];
const reopen = (file = batchesFile) => {
  const store = sqliteStore(file, { create: false });
  open.push(store);
  return store;
};

beforeAll(async () => {
  events = await writeWorld(rowsFile, 'rows');
  expect(await writeWorld(batchesFile, 'batches')).toBe(events);
  expect(await writeWorld(columnsFile, 'batches', true)).toBe(events);
  log = await all(reopen(rowsFile).readAll());
});
afterAll(async () => {
  for (const s of open) await s.close();
  open = [];
});

describe('sqlite store: record batches', () => {
  it('every event keeps its identity: the batch layout reads what the row layout reads, in order', async () => {
    const store = reopen();
    expect(store.layout).toBe('batches');
    expect(log.length).toBe(events);
    expect(await all(store.readAll())).toEqual(log);
    expect(await all(store.readStream(tickStream(3)))).toEqual(log.filter((e) => e.stream === tickStream(3)));
    expect(await all(store.readStream(tickStream(3), 777))).toEqual(log.filter((e) => e.stream === tickStream(3) && e.revision >= 777));
  });

  it('a world written in runs of columns (as simulate writes it) reads back event for event', async () => {
    expect(await all(reopen(columnsFile).readAll())).toEqual(log);
  });

  it('readAllRuns hands batches of one type as runs of columns: the same events, a run cut exactly at a position', async () => {
    const store = reopen(columnsFile);
    const expand = (items: readonly RawItem[]) =>
      items.flatMap((item) => (isEventRun(item) ? expandRun(item).map((e, i) => ({ position: (item as StoredRun).position + i, stream: (item as StoredRun).stream, revision: (item as StoredRun).revision + i, ...e })) : [item]));
    const pages = await all(store.readAllRuns!());
    const items = pages.flat();
    const runs = items.filter(isEventRun) as StoredRun[];
    // registrations and moves; also any long run of objects of one type whose values fit columns (contacts at distance 0)
    const types = new Set(runs.map((r) => r.type));
    expect(types.has('PersonRegistered') && types.has('PersonMoved')).toBe(true);
    const columnar = (type: string) => eventCount(runs.filter((r) => r.type === type));
    expect(columnar('PersonMoved')).toBe(log.filter((e) => e.type === 'PersonMoved').length);
    expect(columnar('PersonRegistered')).toBe(12_000);
    expect(expand(items).map((e) => JSON.stringify(e))).toEqual(log.map((e) => JSON.stringify({ position: e.position, stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata })));
    // from the middle of a run of moves, and only moves
    const after = log.findIndex((e) => e.type === 'PersonMoved' && e.stream === tickStream(4)) + 1000;
    const moves = (await all(store.readAllRuns!({ after, types: ['PersonMoved'], limit: 5000 }))).flat();
    expect((moves[0] as StoredRun).position).toBe(after + 1);
    expect(eventCount(moves)).toBe(5000);
    expect(expand(moves).map((e) => e.position)).toEqual(log.filter((e) => e.type === 'PersonMoved' && e.position > after).slice(0, 5000).map((e) => e.position));
  });

  it('a read of some types decodes no batch without one of them', async () => {
    const store = reopen();
    const alerts = await all(store.readAll({ types: ['NotificationIssued'] }));
    expect(alerts.length).toBeGreaterThan(50);
    expect(alerts).toEqual(log.filter((e) => e.type === 'NotificationIssued'));
    const stop = new AbortController();
    let seen = 0;
    for await (const _ of store.subscribeAll({ types: ['NotificationIssued', 'TickCompleted'], signal: stop.signal })) if (++seen === alerts.length + 7) stop.abort();
    const decoded = [...store.decodedBatches.keys()];
    expect(decoded.length).toBeGreaterThan(0);
    for (const type of decoded) expect(type.split(',').some((t) => t === 'NotificationIssued' || t === 'TickCompleted'), type).toBe(true);
    expect(decoded.some((type) => type.includes('PersonMoved') || type.includes('ContactDetected'))).toBe(false);
  });

  it('a read from a position decodes only the batches that hold later events, and begins exactly after it', async () => {
    const store = reopen();
    const after = log.findIndex((e) => e.type === 'PersonMoved' && e.stream === tickStream(5)) + 1234;
    const rest = await all(store.readAll({ after }));
    expect(rest).toEqual(log.slice(after));
    const db = new Database(batchesFile, { readonly: true });
    const holding = db.prepare('SELECT COUNT(*) FROM batches WHERE position + count - 1 > ?').pluck().get(after) as number;
    const largest = db.prepare('SELECT MAX(count) FROM batches').pluck().get() as number;
    db.close();
    expect(largest).toBe(BATCH);
    expect([...store.decodedBatches.values()].reduce((a, b) => a + b, 0)).toBe(holding);
  });

  it('keeps a simulated world in at most 24 bytes per event (the batches table and its indexes)', () => {
    const db = new Database(batchesFile, { readonly: true });
    const bytes = db.prepare("SELECT SUM(pgsize) FROM dbstat WHERE name IN ('batches', 'batches_type', 'batches_stream')").pluck().get() as number;
    const rowBytes = db.prepare("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'events%'").pluck().get() as number | null;
    db.close();
    expect(rowBytes).toBeNull();
    expect(bytes / events).toBeLessThan(24);
  });
});

describe('sqlite store: stores of the row layout (earlier releases)', () => {
  it('open in their layout, read, and take new ticks in that layout', async () => {
    const file = join(dir, 'old.db');
    const store = sqliteStore(file, { layout: 'rows' });
    const world = genesis({ ...DEFAULT_PARAMS, people: 200, seed: 8 });
    await store.append(tickStream(0), world.events, 'no_stream');
    await store.close();
    const again = sqliteStore(file); // the default layout does not apply to an existing store
    expect(again.layout).toBe('rows');
    await again.append(tickStream(1), stepTick(world.state).events, 'no_stream');
    const read = await all(again.readAll());
    expect(read.map((e) => e.position)).toEqual(read.map((_, i) => i + 1));
    expect(read.at(-1)).toMatchObject({ type: 'TickCompleted', stream: tickStream(1) });
    await again.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['checkpoints', 'events', 'streams']);
    db.close();
  });
});
