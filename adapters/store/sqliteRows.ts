/**
 * The row-per-event layout of the SQLite store: one row per event with its data and metadata as
 * JSON text, indexed by stream and by type. Stores written before record batches have it; they
 * keep it (opened, read and continued in it); `stopcovid migrate` converts them.
 * @module
 */
import type Database from 'better-sqlite3';
import { EventDecodeError, type RawEvent } from '../../events/index.js';
import type { SqliteLayout } from './sqliteLayout.js';

/** The tables of the row layout (the streams and checkpoints tables are the store's). */
export const ROWS_SCHEMA = `
CREATE TABLE events (
  position INTEGER PRIMARY KEY,
  stream   TEXT    NOT NULL,
  revision INTEGER NOT NULL,
  type     TEXT    NOT NULL,
  data     TEXT    NOT NULL,
  metadata TEXT    NOT NULL
);
CREATE UNIQUE INDEX events_stream ON events (stream, revision);
CREATE INDEX events_type ON events (type, position);
`;

/** A row in raw mode, columns in table order: position, stream, revision, type, data, metadata. */
type Row = [position: number, stream: string, revision: number, type: string, data: string, metadata: string];

/** The row layout on `db`, whose tables exist. */
export function rowsLayout(db: Database.Database): SqliteLayout {
  const insert = db.prepare('INSERT INTO events (position, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const last = db.prepare('SELECT COALESCE(MAX(position), 0) FROM events').pluck();
  const streamPage = db.prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?').raw();
  const pageAll = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
  const pageOfType = db.prepare('SELECT * FROM events WHERE type = ? AND position > ? ORDER BY position LIMIT ?').raw();
  return {
    name: 'rows',
    decoded: new Map(),
    forget() {},
    /** A tick's events share their metadata object, so its JSON text is made once per run of equal metadata. */
    write(stream, events, from, to, revision, position) {
      let lastMeta: unknown;
      let lastMetaJson = '';
      for (let i = from; i < to; i++) {
        const e = events[i]!;
        if (e.metadata !== lastMeta) {
          lastMeta = e.metadata;
          lastMetaJson = JSON.stringify(e.metadata);
        }
        insert.run(position + i, stream, revision + i, e.type, JSON.stringify(e.data), lastMetaJson);
      }
    },
    /**
     * Each type is read along its (type, position) index, already in order, and the runs are
     * merged here: one `type IN (...) ORDER BY position` query would sort every matching row on
     * every page, quadratic on a large log.
     */
    page(after, limit, types) {
      if (!types) return decodeRows(pageAll.all(after, limit) as Row[]);
      const runs = types.map((type) => pageOfType.all(type, after, limit) as Row[]);
      if (runs.length === 1) return decodeRows(runs[0]!);
      const merged: Row[] = [];
      const next = runs.map(() => 0);
      while (merged.length < limit) {
        let best = -1;
        for (let r = 0; r < runs.length; r++) if (next[r]! < runs[r]!.length && (best < 0 || runs[r]![next[r]!]![0] < runs[best]![next[best]!]![0])) best = r;
        if (best < 0) break;
        merged.push(runs[best]![next[best]!++]!);
      }
      return decodeRows(merged);
    },
    streamPage(stream, fromRevision, limit) {
      return decodeRows(streamPage.all(stream, fromRevision, limit) as Row[]);
    },
    lastPosition() {
      return last.get() as number;
    },
  };
}

/**
 * Parse rows' JSON. The events of one tick share their metadata text, so a run of equal metadata
 * is parsed once and shared (read-only) by those events.
 * @throws EventDecodeError naming stream, revision and type for text that is not JSON.
 */
function decodeRows(rows: Row[]): RawEvent[] {
  const out = new Array<RawEvent>(rows.length);
  let lastText = '';
  let lastMeta: unknown;
  for (let i = 0; i < rows.length; i++) {
    const [position, stream, revision, type, dataText, metaText] = rows[i]!;
    let data: unknown;
    try {
      data = JSON.parse(dataText);
      if (metaText !== lastText) {
        lastMeta = JSON.parse(metaText);
        lastText = metaText;
      }
    } catch (error) {
      throw new EventDecodeError({ stream, revision, type }, `not JSON (${(error as Error).message})`);
    }
    out[i] = { position, stream, revision, type, data, metadata: lastMeta };
  }
  return out;
}
