/**
 * The SQLite event store (`sqlite:<file>`), the embedded default: one file, WAL journal,
 * `synchronous=NORMAL` (a committed tick survives a process crash), one transaction per append.
 * Events are kept as record batches (sqliteBatches.ts); stores written before them keep one
 * JSON row per event (sqliteRows.ts) and are read and continued in that layout.
 * Events from other processes reach subscribers by polling.
 * @module
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { RawEvent } from '../../events/index.js';
import { AppendAbortedError, checkExpectedRevision, StoreError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type AppendItem, type EventRun, type RawItem, eventCount, expandRun, isEventRun, sliceRun, type ReadAllOptions, type SubscribeOptions } from '../../core/index.js';
import { AppendSignal, catchUp, PAGE } from './catchUp.js';
import type { LayoutName, SqliteLayout } from './sqliteLayout.js';
import { ROWS_SCHEMA, rowsLayout } from './sqliteRows.js';
import { BATCH, BATCHES_SCHEMA, LONG_RUN, batchesLayout } from './sqliteBatches.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** Create the file and its tables when absent (default true); false makes a missing file an error. */
  create?: boolean;
  /** Poll interval of subscriptions for other processes' appends, milliseconds (default 100). */
  pollMs?: number;
  /**
   * Layout of the event tables when the store is created (default `batches`: record batches;
   * `rows`: one JSON row per event, as stores written before record batches). An existing store
   * keeps its own layout whatever this says.
   */
  layout?: LayoutName;
}

/** The store's own tables, beside the layout's event tables. */
const SCHEMA = `
CREATE TABLE streams (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Called inside an append's transaction, after its events were inserted: `events[i]` is at
 * `revision + i` in `stream` and at global position `position + i`. What it writes to the same
 * database commits or rolls back with the events (inline projections). It must not throw for
 * anything but a fault that should refuse the append.
 */
export type AppendHook = (stream: string, events: readonly AppendItem[], revision: number, position: number) => void;

/** The SQLite store: the port plus the database handle, for read models kept in the same file. */
export interface SqliteEventStore extends EventStore {
  /** The open database (one connection), shared by the read models of this file. */
  readonly db: Database.Database;
  /** The file, as given. */
  readonly file: string;
  /** Run `hook` inside every later append's transaction; returns a function that removes it. */
  onAppend(hook: AppendHook): () => void;
  /** The layout of the event tables: `batches` (record batches) or `rows` (one JSON row per event). */
  readonly layout: LayoutName;
  /** Record batches decoded by reads so far, by event type (empty for the `rows` layout). */
  readonly decodedBatches: ReadonlyMap<string, number>;
}

/** Events written between two pauses of a large append that can be given up (see `appendInSteps`). */
const STEP = 20_000;

/** Longest a read of the log keeps the event loop out, milliseconds (a signal waits at most about this long, plus one page). */
const YIELD_MS = 50;

/** Events of a run written between two pauses: whole record batches, about {@link STEP}. */
const RUN_STEP = Math.ceil(STEP / BATCH) * BATCH;

/** Part of an append: consecutive event objects, or a run of columns. */
type Segment = { events: readonly NewEvent[] } | { run: EventRun };

/**
 * The segments of an append's `items`: runs of at least {@link LONG_RUN} events stay columns when
 * the layout writes runs (`columnar`); shorter ones, and every run otherwise, are expanded and
 * joined to the event objects around them, so the events are batched as if written one by one.
 */
function segmentsOf(items: readonly AppendItem[], columnar: boolean): Segment[] {
  const out: Segment[] = [];
  let events: NewEvent[] = [];
  for (const item of items) {
    if (isEventRun(item) && columnar && item.count >= LONG_RUN) {
      if (events.length > 0) out.push({ events });
      events = [];
      out.push({ run: item });
    } else if (isEventRun(item)) for (const e of expandRun(item)) events.push(e);
    else events.push(item);
  }
  if (events.length > 0) out.push({ events });
  return out;
}

/**
 * Open the SQLite store in `file`.
 * @throws StoreError when the file is missing or empty (and `create` is false), unreadable, not a
 *   SQLite database, or a SQLite database that is not a stopcovid store. Nothing in the file is changed then.
 */
export function sqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteEventStore {
  const create = options.create ?? true;
  const pollMs = options.pollMs ?? 100;
  if (!create && !existsSync(file)) throw new StoreError(`no store at ${file}: run 'stopcovid simulate' first`);
  let db: Database.Database;
  let layout: SqliteLayout;
  try {
    db = new Database(file, { fileMustExist: !create });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (!tables.includes('events') && !tables.includes('batches')) {
      if (tables.length > 0) throw new StoreError(`${file} is a SQLite database but not a stopcovid store`);
      // an empty file (or database) is no store either, and a reader must not make it one
      if (!create) {
        db.close();
        throw new StoreError(`no store in ${file} (it holds no tables): run 'stopcovid simulate' first`);
      }
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA + (options.layout === 'rows' ? ROWS_SCHEMA : BATCHES_SCHEMA));
    }
    layout = tables.includes('events') || (!tables.includes('batches') && options.layout === 'rows') ? rowsLayout(db) : batchesLayout(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536'); // 64 MiB: index inserts of a large tick stay in memory
    // checkpoint the WAL every 64 MiB instead of every 4 MiB: a tick's read-model rows dirty pages
    // at random (indexes), and a page written by several ticks is copied to the file once
    db.pragma('wal_autocheckpoint = 16384');
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open ${file} as a SQLite store: ${(error as Error).message}`, { cause: error });
  }

  const streamRevision = db.prepare('SELECT revision FROM streams WHERE stream = ?').pluck();
  const setRevision = db.prepare('INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision');
  const loadCheckpoint = db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck();
  const saveCheckpoint = db.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
  const appended = new AppendSignal();
  const hooks = new Set<AppendHook>();
  let closed = false;

  /**
   * The writes of one append within the caller's transaction, each of at most about {@link STEP}
   * events (a run of columns is one write): the append's events go to revisions `current + 1`
   * on and to the positions after the log's last, in order.
   */
  const inserter = (stream: string, items: readonly AppendItem[], current: number) => {
    const first = layout.lastPosition() + 1;
    const steps: (() => void)[] = [];
    let at = 0;
    for (const segment of segmentsOf(items, layout.writeRun !== undefined)) {
      const revision = current + 1 + at;
      const position = first + at;
      if ('run' in segment) {
        // slices of whole batches: the batches are those of the whole run, and a Ctrl-C is seen between them
        const { run } = segment;
        for (let k = 0; k < run.count; k += RUN_STEP) steps.push(() => layout.writeRun!(stream, sliceRun(run, k, Math.min(k + RUN_STEP, run.count)), revision + k, position + k));
      } else for (let from = 0; from < segment.events.length; from += STEP) {
        const to = Math.min(from + STEP, segment.events.length);
        steps.push(() => layout.write(stream, segment.events, from, to, revision, position));
      }
      at += 'run' in segment ? segment.run.count : segment.events.length;
    }
    const count = at;
    return {
      /** The number of events. */
      count,
      /** The position of the append's last event (of the log's last when it is empty). */
      position: first + count - 1,
      steps,
      /** The stream's new revision and the inline hooks, once every event is in. */
      finish() {
        if (count === 0) return;
        setRevision.run(stream, current + count);
        for (const hook of hooks) hook(stream, items, current + 1, first);
      },
    };
  };

  const appendTx = db.transaction((stream: string, items: readonly AppendItem[], expected: ExpectedRevision): AppendResult => {
    const current = (streamRevision.get(stream) as number | undefined) ?? -1;
    checkExpectedRevision(stream, expected, current);
    const tick = inserter(stream, items, current);
    for (const step of tick.steps) step();
    tick.finish();
    return { nextExpectedRevision: current + tick.count, position: tick.position };
  });

  /**
   * A large append with a signal: the same transaction as {@link appendTx}, written {@link STEP}
   * events at a time with the event loop let in between (so a Ctrl-C is seen during a tick of a
   * million events). If `signal` aborted before the last step, everything is rolled back. The
   * last step, the stream's revision, the hooks (inline read models) and the commit run without
   * a pause, so that no reader of this connection sees a tick's last event before it commits.
   */
  const appendInSteps = async (stream: string, items: readonly AppendItem[], expected: ExpectedRevision, signal: AbortSignal): Promise<AppendResult> => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const current = (streamRevision.get(stream) as number | undefined) ?? -1;
      checkExpectedRevision(stream, expected, current);
      const tick = inserter(stream, items, current);
      for (let k = 0; k < tick.steps.length - 1; k++) {
        tick.steps[k]!();
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted || closed) throw new AppendAbortedError(stream);
      }
      tick.steps.at(-1)?.();
      tick.finish();
      db.exec('COMMIT');
      return { nextExpectedRevision: current + tick.count, position: tick.position };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      layout.forget();
      throw error;
    }
  };

  const page = (after: number, limit: number, types?: readonly string[]): RawEvent[] => layout.page(after, limit, types);
  const guard = () => {
    if (closed) throw new StoreError('the store is closed');
  };
  /**
   * `$all` after `options.after` in pages of up to ten catch-up pages, each read by `read` (events
   * only, or with runs of one type as columns).
   */
  async function* paged<T extends RawItem>(options: ReadAllOptions, read: (after: number, limit: number, types?: readonly string[]) => T[]): AsyncGenerator<T[]> {
    guard();
    let after = options.after ?? 0;
    let left = options.limit ?? Infinity;
    let turn = performance.now();
    while (left > 0 && !closed) {
      const items = read(after, Math.min(PAGE * 10, left), options.types);
      if (items.length === 0) return;
      yield items;
      // reading and folding are synchronous: let the event loop in now and then, so that a
      // Ctrl-C (a signal handler is a macrotask) is seen while a long log is read
      if (performance.now() - turn >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
      const last = items[items.length - 1]!;
      after = isEventRun(last) ? last.position + last.count - 1 : last.position;
      left -= eventCount(items);
    }
  }
  const pages = (options: ReadAllOptions = {}) => paged(options, page);
  const runPages = (options: ReadAllOptions = {}) => paged<RawItem>(options, layout.pageOfRuns ?? page);

  return {
    db,
    file,
    layout: layout.name,
    decodedBatches: layout.decoded,
    onAppend(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    async append(stream, events, expected, options) {
      guard();
      const result = options?.signal && eventCount(events) > STEP ? await appendInSteps(stream, events, expected, options.signal) : appendTx.immediate(stream, events, expected);
      appended.notify();
      return result;
    },
    async *readStream(stream, fromRevision = 0) {
      guard();
      for (;;) {
        const rows: RawEvent[] = layout.streamPage(stream, fromRevision, PAGE);
        yield* rows;
        if (rows.length < PAGE) return;
        fromRevision = rows[rows.length - 1]!.revision + 1;
      }
    },
    async *readAll(options: ReadAllOptions = {}) {
      for await (const rows of pages(options)) yield* rows;
    },
    readAllPages: pages,
    readAllRuns: runPages,
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
      return layout.lastPosition();
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
