/**
 * Test helpers that read and edit a SQLite store's log straight from the file, in either layout
 * (record batches or one JSON row per event): what a test that tampers with a stored event needs.
 * @module
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { decodeBatch, encodeBatch } from '../adapters/store/recordBatch.js';

/** One stored event, as the file holds it. */
export interface StoredRow {
  position: number;
  stream: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

type BatchRow = { position: number; count: number; stream: string; revision: number; type: string; body: Buffer };

function hasBatches(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'batches'").get() !== undefined;
}

/** The events of `types` (all when absent) in log order, read from the file without the store. */
export function storedEvents(file: string, types?: readonly string[]): StoredRow[] {
  const db = new Database(file, { readonly: true });
  try {
    if (!hasBatches(db)) {
      const where = types ? `WHERE type IN (${types.map(() => '?').join(',')})` : '';
      const rows = db.prepare(`SELECT * FROM events ${where} ORDER BY position`).all(...(types ?? [])) as { position: number; stream: string; revision: number; type: string; data: string; metadata: string }[];
      return rows.map((r) => ({ ...r, data: JSON.parse(r.data), metadata: JSON.parse(r.metadata) }));
    }
    // a batch's type column names one type or, for a batch of short runs, the set of its types
    const out: StoredRow[] = [];
    for (const b of db.prepare('SELECT * FROM batches ORDER BY position').all() as BatchRow[]) {
      if (types && !b.type.split(',').some((t) => types.includes(t))) continue;
      decodeBatch(b.body).forEach((e, i) => {
        if (!types || types.includes(e.type)) out.push({ position: b.position + i, stream: b.stream, revision: b.revision + i, type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata as Record<string, unknown> });
      });
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * Rewrite the data of the event at `stream`@`revision` in place (as an attacker or a disk fault
 * would): `edit` gets its data and returns the new data.
 * @returns the stored bytes of what holds the event, before and after the edit.
 */
export function editStoredEvent(file: string, stream: string, revision: number, edit: (data: Record<string, unknown>) => unknown): { type: string; before: Buffer | string; after: Buffer | string } {
  const db = new Database(file);
  try {
    if (!hasBatches(db)) {
      const row = db.prepare('SELECT type, data FROM events WHERE stream = ? AND revision = ?').get(stream, revision) as { type: string; data: string };
      const after = JSON.stringify(edit(JSON.parse(row.data)));
      db.prepare('UPDATE events SET data = ? WHERE stream = ? AND revision = ?').run(after, stream, revision);
      return { type: row.type, before: row.data, after };
    }
    const b = db.prepare('SELECT * FROM batches WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT 1').get(stream, revision) as BatchRow;
    const events = decodeBatch(b.body);
    const target = events[revision - b.revision]!;
    target.data = edit(target.data as Record<string, unknown>);
    const after = encodeBatch(events, 0, events.length);
    db.prepare('UPDATE batches SET body = ? WHERE position = ?').run(after, b.position);
    return { type: b.type, before: b.body, after };
  } finally {
    db.close();
  }
}

/** The bytes of what holds the event at `stream`@`revision` (its row, or its batch's body). */
export function storedBytes(file: string, stream: string, revision: number): Buffer | string {
  const db = new Database(file, { readonly: true });
  try {
    if (!hasBatches(db)) return db.prepare('SELECT data FROM events WHERE stream = ? AND revision = ?').pluck().get(stream, revision) as string;
    return db.prepare('SELECT body FROM batches WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT 1').pluck().get(stream, revision) as Buffer;
  } finally {
    db.close();
  }
}

/** SHA-256 of the stored log, row by row (rows or batches): what must never change. */
export function logDigest(file: string): string {
  const db = new Database(file, { readonly: true });
  const h = createHash('sha256');
  const table = hasBatches(db) ? 'batches' : 'events';
  for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY position`).raw().iterate()) h.update(JSON.stringify(row, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('hex') : v)));
  db.close();
  return h.digest('hex');
}
