/**
 * Benchmarks 3 and 4, on the row-per-event layout (record batches are measured by the storage
 * section): `simulate` on the SQLite store (WAL, synchronous=NORMAL) in events per
 * second against raw better-sqlite3 inserts of the same rows (same schema and pragmas, payloads
 * already encoded, one transaction per tick); our encoding cost per event against a bare
 * JSON.stringify loop; NORMAL against synchronous=OFF; replay (events folded per second) against
 * a raw iterate() plus decode of the same table, and replay wall time against the writing run's.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_PARAMS, eventCount, expandEvents, genesisColumnar, loadWorld, scratch, stepTickColumnar, tickStream, type TickEvents, type WorldParams } from '../core/index.js';
import { decode, type DomainEvent } from '../events/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { group, storeReadModels } from '../adapters/readmodels/sqlite.js';
import { median, type Row } from './stats.js';
import { nodeSha256Hex } from '../adapters/hash/nodeSha256.js';

interface EncodedRow {
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/**
 * Write genesis plus `ticks` ticks through our store into `file`; returns the ticks' wall time,
 * their event count and, with `keepLog` (default true), their events (for the baselines). With
 * `inline`, the read models are kept in the same transactions, as `simulate` does.
 */
export async function simulateInto(file: string, params: WorldParams, ticks: number, options: { inline?: boolean; keepLog?: boolean; layout?: 'rows' | 'batches' } = {}): Promise<{ ms: number; events: number; log: DomainEvent[][] }> {
  const store = sqliteStore(file, { layout: options.layout });
  const models = options.inline ? storeReadModels(store) : undefined;
  models?.attachInline(store, group('read-models', models.projections));
  // as `simulate` runs it: registrations and each tick's moves as runs of columns
  const world = genesisColumnar(params);
  await store.append(tickStream(0), world.events, 'no_stream');
  const buffers = scratch(nodeSha256Hex); // as `simulate` hashes the state
  const kept: TickEvents[] = [];
  let events = 0;
  const t0 = performance.now();
  for (let t = 1; t <= ticks; t++) {
    const tick = stepTickColumnar(world.state, buffers);
    await store.append(tickStream(t), tick.events, 'no_stream');
    events += eventCount(tick.events);
    if (options.keepLog ?? true) kept.push(tick.events);
  }
  const ms = performance.now() - t0;
  const log = kept.map((tick) => expandEvents(tick) as DomainEvent[]); // the baselines take objects
  models?.close();
  await store.close();
  return { ms, events, log };
}

function encode(log: DomainEvent[][]): EncodedRow[][] {
  return log.map((events, i) => events.map((e, revision) => ({ stream: tickStream(i + 1), revision, type: e.type, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) })));
}

/** The raw baseline: the same schema and pragmas as adapters/store/sqlite.ts, rows already encoded. */
function rawInsert(file: string, ticks: EncodedRow[][], synchronous: 'NORMAL' | 'OFF'): number {
  const writer = sqliteStore(file, { layout: 'rows' }); // creates the same schema
  void writer.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('cache_size = -65536');
  const insert = db.prepare('INSERT INTO events (stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)');
  const revision = db.prepare('INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision');
  const tx = db.transaction((rows: EncodedRow[]) => {
    for (const r of rows) insert.run(r.stream, r.revision, r.type, r.data, r.metadata);
    revision.run(rows[0]!.stream, rows.length - 1);
  });
  const t0 = performance.now();
  for (const rows of ticks) tx.immediate(rows);
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

/** Run benchmarks 3 and 4 for `people` at the seed's density over `ticks` ticks. */
export async function benchStore(people: number, ticks: number, reps: number, log: (s: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-bench-'));
  const side = Math.round(Math.sqrt(people * 100));
  const params: WorldParams = { ...DEFAULT_PARAMS, people, width: side, height: side };
  log(`store: ${people} people, ${ticks} ticks x ${reps} (SQLite in ${dir})`);
  try {
    let n = 0;
    const file = () => join(dir, `run-${n++}.db`);
    const ours: number[] = [];
    const raw: number[] = [];
    const rawOff: number[] = [];
    const replay: number[] = [];
    const replayRaw: number[] = [];
    let events = 0;
    let logOfTicks: DomainEvent[][] = [];
    let encoded: EncodedRow[][] = [];
    let totalEvents = 0;
    for (let r = 0; r <= reps; r++) {
      const f = file();
      const run = await simulateInto(f, params, ticks, { layout: 'rows' });
      events = run.events;
      if (r === 0) {
        logOfTicks = run.log;
        encoded = encode(run.log);
      }
      const rawMs = rawInsert(file(), encoded, 'NORMAL');
      const rawOffMs = rawInsert(file(), encoded, 'OFF');
      // replay: our fold of the whole file against a raw iterate() + JSON.parse + decode of it
      let t0 = performance.now();
      const loaded = await loadWorld(sqliteStore(f, { create: false }));
      const replayMs = performance.now() - t0;
      totalEvents = loaded.events;
      t0 = performance.now();
      const db = new Database(f, { readonly: true });
      let decoded = 0;
      for (const row of db.prepare('SELECT position, stream, revision, type, data, metadata FROM events ORDER BY position').iterate() as Iterable<{ position: number; stream: string; revision: number; type: string; data: string; metadata: string }>) {
        decode({ position: row.position, stream: row.stream, revision: row.revision, type: row.type, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) });
        decoded++;
      }
      db.close();
      const replayRawMs = performance.now() - t0;
      if (decoded !== totalEvents) throw new Error(`replay baseline read ${decoded} events, ours ${totalEvents}`);
      if (r > 0) {
        ours.push(run.ms);
        raw.push(rawMs);
        rawOff.push(rawOffMs);
        replay.push(replayMs);
        replayRaw.push(replayRawMs);
      }
    }
    // encoding: our encode path (JSON text of data, metadata text shared per tick as the adapter does) vs a bare JSON.stringify loop
    const flat = logOfTicks.flat();
    const encodeOurs: number[] = [];
    const encodeBare: number[] = [];
    for (let r = 0; r <= reps; r++) {
      let t0 = performance.now();
      let last: unknown;
      let lastJson = '';
      let bytes = 0;
      for (const e of flat) {
        if (e.metadata !== last) (last = e.metadata), (lastJson = JSON.stringify(e.metadata));
        bytes += JSON.stringify(e.data).length + lastJson.length;
      }
      const oursMs = performance.now() - t0;
      t0 = performance.now();
      for (const e of flat) bytes += JSON.stringify(e.data).length;
      const bareMs = performance.now() - t0;
      if (r > 0) encodeOurs.push(oursMs), encodeBare.push(bareMs);
      if (bytes < 0) throw new Error('unreachable');
    }
    const oursRate = events / (median(ours) / 1000);
    const rawRate = events / (median(raw) / 1000);
    const offRate = events / (median(rawOff) / 1000);
    const perEventEncode = median(encodeOurs) / flat.length;
    const perEventInsert = median(raw) / events;
    const writeWall = median(ours);
    const replayWall = median(replay);
    return [
      { section: 'simulate', case: `${people.toLocaleString('en-US')} people x ${ticks} ticks on SQLite (WAL, NORMAL), row per event`, ours: oursRate, unit: 'events/s', baseline: 'raw better-sqlite3 inserts, pre-encoded', base: rawRate, ratio: oursRate / rawRate, target: '>= 0.7x raw', met: oursRate / rawRate >= 0.7, note: `${events.toLocaleString('en-US')} events per run, simulation included` },
      { section: 'simulate', case: 'encoding cost per event', ours: perEventEncode * 1e6, unit: 'ns/event', baseline: 'raw insert cost per event', base: perEventInsert * 1e6, ratio: perEventEncode / perEventInsert, target: '<= 0.3x raw insert', met: perEventEncode / perEventInsert <= 0.3, note: `bare JSON.stringify loop: ${((median(encodeBare) / flat.length) * 1e6).toFixed(0)} ns/event` },
      { section: 'simulate', case: 'durable (synchronous=NORMAL) vs synchronous=OFF, raw inserts', ours: rawRate, unit: 'events/s', baseline: 'synchronous=OFF', base: offRate, ratio: rawRate / offRate, target: '>= 0.9x OFF', met: rawRate / offRate >= 0.9 },
      { section: 'replay', case: `fold ${totalEvents.toLocaleString('en-US')} events from SQLite, row per event`, ours: totalEvents / (replayWall / 1000), unit: 'events/s', baseline: 'raw iterate() + JSON.parse + decode', base: totalEvents / (median(replayRaw) / 1000), ratio: median(replayRaw) / replayWall, target: '>= 0.6x raw', met: median(replayRaw) / replayWall >= 0.6 },
      { section: 'replay', case: 'replay wall time vs the run that wrote the log', ours: replayWall, unit: 'ms', baseline: 'writing run (ticks only)', base: writeWall, ratio: replayWall / writeWall, target: '<= 0.5x', met: replayWall / writeWall <= 0.5, note: 'replay also folds tick 0 (registrations)' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
