/**
 * The SQLite event store (`sqlite:<file>`), the embedded default: one file, WAL journal,
 * `synchronous=NORMAL` (a committed tick survives a process crash), one transaction per append.
 * Events from other processes reach subscribers by polling.
 * @module
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { EventDecodeError, type RawEvent } from '../../events/index.js';
import { AppendAbortedError, checkExpectedRevision, StoreError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type ReadAllOptions, type SubscribeOptions } from '../../core/index.js';
import { AppendSignal, catchUp, PAGE } from './catchUp.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** Create the file and its tables when absent (default true); false makes a missing file an error. */
  create?: boolean;
  /** Poll interval of subscriptions for other processes' appends, milliseconds (default 100). */
  pollMs?: number;
}

const SCHEMA = `
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
CREATE TABLE streams (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Called inside an append's transaction, after its events were inserted: `events[i]` is at
 * `revision + i` in `stream` and at global position `position + i`. What it writes to the same
 * database commits or rolls back with the events (inline projections). It must not throw for
 * anything but a fault that should refuse the append.
 */
export type AppendHook = (stream: string, events: readonly NewEvent[], revision: number, position: number) => void;

/** The SQLite store: the port plus the database handle, for read models kept in the same file. */
export interface SqliteEventStore extends EventStore {
  /** The open database (one connection), shared by the read models of this file. */
  readonly db: Database.Database;
  /** The file, as given. */
  readonly file: string;
  /** Run `hook` inside every later append's transaction; returns a function that removes it. */
  onAppend(hook: AppendHook): () => void;
}

/** Events written between two pauses of a large append that can be given up (see `appendInSteps`). */
const STEP = 20_000;

/** A row in raw mode, columns in table order: position, stream, revision, type, data, metadata. */
type Row = [position: number, stream: string, revision: number, type: string, data: string, metadata: string];

/**
 * Open the SQLite store in `file`.
 * @throws StoreError when the file is missing (and `create` is false), unreadable, not a SQLite
 *   database, or a SQLite database that is not a stopcovid store. Nothing in the file is changed then.
 */
export function sqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteEventStore {
  const create = options.create ?? true;
  const pollMs = options.pollMs ?? 100;
  if (!create && !existsSync(file)) throw new StoreError(`no store at ${file}: run 'stopcovid simulate' first`);
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: !create });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (!tables.includes('events')) {
      if (tables.length > 0) throw new StoreError(`${file} is a SQLite database but not a stopcovid store`);
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA);
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536'); // 64 MiB: index inserts of a large tick stay in memory
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open ${file} as a SQLite store: ${(error as Error).message}`, { cause: error });
  }

  const insert = db.prepare('INSERT INTO events (stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)');
  const streamRevision = db.prepare('SELECT revision FROM streams WHERE stream = ?').pluck();
  const setRevision = db.prepare('INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision');
  const lastPosition = db.prepare('SELECT COALESCE(MAX(position), 0) FROM events').pluck();
  const streamPage = db.prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?').raw();
  const pageAll = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
  const loadCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck();
  const saveCheckpoint = db.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
  const appended = new AppendSignal();
  const hooks = new Set<AppendHook>();
  let closed = false;

  /**
   * Inserts the events of one append, `from` to `to` at a time, within the caller's transaction:
   * `events[i]` goes to revision `current + 1 + i`. A tick's events share their metadata object,
   * so its JSON text is made once per run of equal metadata.
   */
  const inserter = (stream: string, events: readonly NewEvent[], current: number) => {
    let lastMeta: unknown;
    let lastMetaJson = '';
    const out = {
      first: 0,
      position: 0,
      write(from: number, to: number) {
        for (let i = from; i < to; i++) {
          const e = events[i]!;
          if (e.metadata !== lastMeta) {
            lastMeta = e.metadata;
            lastMetaJson = JSON.stringify(e.metadata);
          }
          out.position = Number(insert.run(stream, current + 1 + i, e.type, JSON.stringify(e.data), lastMetaJson).lastInsertRowid);
          if (out.first === 0) out.first = out.position;
        }
      },
      /** The stream's new revision and the inline hooks, once every event is in. */
      finish() {
        if (events.length === 0) return;
        setRevision.run(stream, current + events.length);
        for (const hook of hooks) hook(stream, events, current + 1, out.first);
      },
    };
    return out;
  };

  const appendTx = db.transaction((stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
    const current = (streamRevision.get(stream) as number | undefined) ?? -1;
    checkExpectedRevision(stream, expected, current);
    const tick = inserter(stream, events, current);
    tick.write(0, events.length);
    tick.finish();
    return { nextExpectedRevision: current + events.length, position: tick.position || (lastPosition.get() as number) };
  });

  /**
   * A large append with a signal: the same transaction as {@link appendTx}, written {@link STEP}
   * events at a time with the event loop let in between (so a Ctrl-C is seen during a tick of a
   * million events). If `signal` aborted before the last step, everything is rolled back. The
   * last step, the stream's revision, the hooks (inline read models) and the commit run without
   * a pause, so that no reader of this connection sees a tick's last event before it commits.
   */
  const appendInSteps = async (stream: string, events: readonly NewEvent[], expected: ExpectedRevision, signal: AbortSignal): Promise<AppendResult> => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const current = (streamRevision.get(stream) as number | undefined) ?? -1;
      checkExpectedRevision(stream, expected, current);
      const tick = inserter(stream, events, current);
      const last = events.length - STEP;
      for (let from = 0; from < last; from += STEP) {
        tick.write(from, Math.min(from + STEP, last));
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted || closed) throw new AppendAbortedError(stream);
      }
      tick.write(Math.max(0, last), events.length);
      tick.finish();
      db.exec('COMMIT');
      return { nextExpectedRevision: current + events.length, position: tick.position };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };

  const pageOfType = db.prepare('SELECT * FROM events WHERE type = ? AND position > ? ORDER BY position LIMIT ?').raw();
  /**
   * Up to `limit` events after `after`, in global order, of the given types (all when none).
   * Each type is read along its (type, position) index, already in order, and the runs are
   * merged here: one `type IN (...) ORDER BY position` query would sort every matching row on
   * every page, quadratic on a large log.
   */
  const page = (after: number, limit: number, types?: readonly string[]): RawEvent[] => {
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
  };
  const guard = () => {
    if (closed) throw new StoreError('the store is closed');
  };

  return {
    db,
    file,
    onAppend(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    async append(stream, events, expected, options) {
      guard();
      const result = options?.signal && events.length > STEP ? await appendInSteps(stream, events, expected, options.signal) : appendTx.immediate(stream, events, expected);
      appended.notify();
      return result;
    },
    async *readStream(stream, fromRevision = 0) {
      guard();
      for (;;) {
        const rows: RawEvent[] = decodeRows(streamPage.all(stream, fromRevision, PAGE) as Row[]);
        yield* rows;
        if (rows.length < PAGE) return;
        fromRevision = rows[rows.length - 1]!.revision + 1;
      }
    },
    async *readAll(options: ReadAllOptions = {}) {
      guard();
      let after = options.after ?? 0;
      let left = options.limit ?? Infinity;
      while (left > 0 && !closed) {
        const rows: RawEvent[] = page(after, Math.min(PAGE * 10, left), options.types);
        yield* rows;
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.position;
        left -= rows.length;
      }
    },
    subscribeAll(options: SubscribeOptions = {}) {
      guard();
      return catchUp(
        { readPage: (after, limit) => page(after, limit, options.types), waitForAppend: (ms, signal) => appended.wait(ms, signal), closed: () => closed },
        options.after ?? 0,
        options.signal,
        pollMs,
      );
    },
    async lastPosition() {
      guard();
      return lastPosition.get() as number;
    },
    checkpoints: {
      async load(name) {
        guard();
        return (loadCheckpoint.get(name) as number | undefined) ?? undefined;
      },
      async save(name, position) {
        guard();
        saveCheckpoint.run(name, position);
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      appended.notify();
      db.close();
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
