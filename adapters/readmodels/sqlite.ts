/**
 * The world's read models in SQLite (better-sqlite3): `people`, `exposures`, `metrics` and
 * `notifications` (core/projections/readModels.ts), each with its checkpoint in the table
 * `read_models`, saved in the same transaction as its rows. With the SQLite event store they
 * live in the store's own file and are applied inline, inside each append's transaction; with
 * other stores they live in a file of their own and the projection runner keeps them current.
 *
 * Rebuilds are blue/green: the new tables are built under the prefix `rmn_` beside the live
 * `rm_` ones, with their own checkpoints (`<name>~next`), then swapped in by renames in one
 * transaction; a killed rebuild leaves the live tables untouched and is resumed by the next one.
 * @module
 */
import Database from 'better-sqlite3';
import { schemas, type Policy, type StoredEvent } from '../../events/index.js';
import {
  adoptPolicy,
  evolveItems,
  isEventRun,
  INBOX_STREAM,
  SEED_POLICY,
  initialTracing,
  ProjectionVersionError,
  StoreError,
  initialState,
  isIndexChange,
  worldReadModels,
  type CaseState,
  type EpidemicRow,
  type EventStore,
  type ExplainSource,
  type Checkpoint,
  type ExposureEdge,
  type ExposureRow,
  type MetricsRow,
  type NotificationRow,
  type Projection,
  type ReadModelStore,
  type StoredItem,
  type TraceSource,
  type WorldReadModelTx,
  type WorldState,
} from '../../core/index.js';
import type { SqliteEventStore } from '../store/sqlite.js';
import { EPIDEMIC_TABLES, epidemicDdl, epidemicRows, epidemicWriter } from './epidemic.js';
import { explainSource } from './explainSource.js';
import { dropIndexes, insertEach, insertMap } from './bulk.js';
import { peopleRows } from './peopleRows.js';
import { HISTORY_TABLES, HistoryQueries, historyDdl, historyWriter } from './history.js';

/** The live tables' prefix, and the prefix of tables being rebuilt. */
const LIVE = 'rm_';
const NEXT = 'rmn_';
/** Suffix of a rebuild's checkpoint name. */
const NEXT_SUFFIX = '~next';

/** The tables of each read model, by projection name. */
const TABLES: Record<string, string[]> = {
  people: ['people', 'people_state'],
  exposures: ['exposures', 'cases'],
  metrics: ['metrics'],
  notifications: ['notifications'],
  history: HISTORY_TABLES,
  epidemic: EPIDEMIC_TABLES,
};

/** DDL of one read model's tables under `prefix`; `tag` makes index names unique across rebuilds. */
function ddl(name: string, prefix: string, tag: string): string {
  const p = prefix;
  switch (name) {
    case 'people':
      return `
CREATE TABLE ${p}people (person_id INTEGER PRIMARY KEY, phone TEXT NOT NULL, source_id TEXT, status INTEGER NOT NULL DEFAULT 0,
  last_tick INTEGER, last_at TEXT, last_from INTEGER, last_to INTEGER, last_reason TEXT, last_position INTEGER, hops INTEGER NOT NULL DEFAULT -1,
  tests INTEGER NOT NULL DEFAULT 0, positives INTEGER NOT NULL DEFAULT 0, negatives INTEGER NOT NULL DEFAULT 0, last_test TEXT, last_test_tick INTEGER,
  releases INTEGER NOT NULL DEFAULT 0, expiries INTEGER NOT NULL DEFAULT 0, alerted INTEGER NOT NULL DEFAULT 0, really_infected INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX ix_${tag}_people_phone ON ${p}people (phone);
CREATE INDEX ix_${tag}_people_source ON ${p}people (source_id) WHERE source_id IS NOT NULL;
CREATE INDEX ix_${tag}_people_status ON ${p}people (status, person_id);
CREATE TABLE ${p}people_state (id INTEGER PRIMARY KEY CHECK (id = 1), params TEXT, ingest TEXT, tick INTEGER NOT NULL, registered INTEGER NOT NULL,
  counts TEXT NOT NULL, recorded_hash TEXT, xs BLOB NOT NULL, ys BLOB NOT NULL, status BLOB NOT NULL,
  tracing TEXT);`;
    case 'exposures':
      return `
CREATE TABLE ${p}exposures (status_position INTEGER PRIMARY KEY, exposed INTEGER NOT NULL, source INTEGER NOT NULL, tick INTEGER NOT NULL, at TEXT NOT NULL,
  x INTEGER NOT NULL, y INTEGER NOT NULL, contact_id TEXT NOT NULL, hops INTEGER NOT NULL, source_status INTEGER NOT NULL, contact_position INTEGER NOT NULL,
  contact_tick INTEGER);
CREATE INDEX ix_${tag}_exposures_exposed ON ${p}exposures (exposed, status_position);
CREATE INDEX ix_${tag}_exposures_source ON ${p}exposures (source, status_position);
CREATE TABLE ${p}cases (person_id INTEGER PRIMARY KEY, status INTEGER NOT NULL, hops INTEGER NOT NULL);`;
    case 'metrics':
      return `
CREATE TABLE ${p}metrics (tick INTEGER PRIMARY KEY, at TEXT NOT NULL, healthy INTEGER NOT NULL, suspicious INTEGER NOT NULL, infected INTEGER NOT NULL,
  contacts INTEGER NOT NULL, exposures INTEGER NOT NULL, notifications INTEGER NOT NULL, position INTEGER NOT NULL,
  tests INTEGER NOT NULL DEFAULT 0, positives INTEGER NOT NULL DEFAULT 0, negatives INTEGER NOT NULL DEFAULT 0, releases INTEGER NOT NULL DEFAULT 0,
  expiries INTEGER NOT NULL DEFAULT 0);`;
    case 'notifications':
      return `
CREATE TABLE ${p}notifications (position INTEGER PRIMARY KEY, notification_id TEXT NOT NULL, kind TEXT NOT NULL, person_id INTEGER NOT NULL, phone TEXT NOT NULL,
  tick INTEGER NOT NULL, at TEXT NOT NULL, contact_tick INTEGER, published_at TEXT);
CREATE UNIQUE INDEX ix_${tag}_notifications_id ON ${p}notifications (notification_id);
CREATE INDEX ix_${tag}_notifications_person ON ${p}notifications (person_id, position);`;
    case 'history':
      return historyDdl(p, tag);
    case 'epidemic':
      return epidemicDdl(p);
    default:
      throw new Error(`unknown read model ${name}`);
  }
}

const META = `
CREATE TABLE IF NOT EXISTS read_models (name TEXT PRIMARY KEY, version INTEGER NOT NULL, position INTEGER NOT NULL,
  events INTEGER NOT NULL, applied_at INTEGER, generation TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS read_model_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`;

/** A read model's state, as `status` shows it. */
export interface ReadModelInfo {
  name: string;
  /** The version its rows were built by (the projection's own when never built). */
  version: number;
  /** The projection's version in this code: when it differs from `version`, the next query rebuilds the read model first. */
  projectionVersion: number;
  /** Global position of the last event applied; 0 before any. */
  position: number;
  /** Events applied since the read model was (re)built. */
  events: number;
  /** Wall time of the last batch applied, ISO-8601, or `null`. */
  appliedAt: string | null;
  /** Rows by table. */
  rows: Record<string, number>;
}

/** A person as the `people` read model answers. */
export interface PersonView {
  personId: number;
  phone: string;
  sourceId?: string;
  status: number;
  /** Cell now (metres for GPS worlds). */
  cell: { x: number; y: number };
  /** The last status change, if any: tick, simulated time, reason and the event's global position. */
  lastChange?: { tick: number; at: string; from: number; to: number; reason: string; position: number };
}

/** Options of {@link sqliteReadModels}. */
export interface SqliteReadModelOptions {
  /** For a file of its own: the URL of the store it mirrors; a file made for another store is refused. */
  storeUrl?: string;
}

/** Row shapes in raw mode. */
type StateRow = {
  params: string | null;
  ingest: string | null;
  tick: number;
  registered: number;
  counts: string;
  recorded_hash: string | null;
  xs: Buffer;
  ys: Buffer;
  status: Buffer;
  tracing: string | null;
};

/**
 * The SQLite read models: a {@link ReadModelStore} for the world projections, queries, the
 * inline hook and blue/green rebuilds.
 */
export class SqliteReadModels implements ReadModelStore<WorldReadModelTx> {
  /** The projections kept here, in order. */
  readonly projections = worldReadModels;
  private cache?: { key: string; state: WorldState };
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    private readonly ownsDb: boolean,
  ) {
    // only write when something is missing: a reader must never take the write lock for nothing
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'read_model_meta'").get() === undefined) db.exec(META);
    const missing = this.projections.filter((p) => !this.exists(LIVE, p.name));
    if (missing.length > 0) db.transaction(() => missing.forEach((p) => this.create(LIVE, p.name))).immediate();
  }

  // ---- ReadModelStore -------------------------------------------------------------------

  /** The checkpoint of `projection` (a world read model, or the `read-models` group: the lowest of them). */
  async checkpoint(projection: Projection<WorldReadModelTx>): Promise<Checkpoint | undefined> {
    return this.checkpointSync(projection, '');
  }

  async commit(projection: Projection<WorldReadModelTx>, events: readonly StoredItem[], position: number): Promise<void> {
    this.commitSync(projection, events, position, LIVE);
  }

  /** The read-model store of a rebuild in progress: the `rmn_` tables and `~next` checkpoints. */
  next(): ReadModelStore<WorldReadModelTx> {
    return {
      checkpoint: async (projection) => this.checkpointSync(projection, NEXT_SUFFIX),
      commit: async (projection, events, position) => this.commitSync(projection, events, position, NEXT),
    };
  }

  private checkpointSync(projection: Projection<WorldReadModelTx>, suffix: string): Checkpoint | undefined {
    const members = membersOf(projection);
    let low: Checkpoint | undefined;
    for (const m of members) {
      const row = this.row(m.name + suffix);
      if (row && row.version !== m.version) throw new ProjectionVersionError(m.name, row.version, m.version);
      const position = row?.position ?? 0;
      if (!low || position < low.position) low = { position, version: projection.version };
    }
    return low && low.position > 0 ? low : undefined;
  }

  /**
   * Apply `events` to each member of `projection` past its own checkpoint, and save the
   * checkpoints, in one IMMEDIATE transaction (or the caller's, when one is open).
   */
  private commitSync(projection: Projection<WorldReadModelTx>, events: readonly StoredItem[], position: number, prefix: string): void {
    const suffix = prefix === LIVE ? '' : NEXT_SUFFIX;
    const tx = this.tx(prefix, suffix);
    const run = () => {
      const now = Date.now();
      for (const m of membersOf(projection)) {
        const row = this.row(m.name + suffix);
        if (row && row.version !== m.version) throw new ProjectionVersionError(m.name, row.version, m.version);
        const from = row?.position ?? 0;
        if (position <= from) continue;
        const fresh = evolveItems(m, tx, events, from);
        if (m.name === 'people') tx.flush();
        this.stmt(
          `INSERT INTO read_models (name, version, position, events, applied_at, generation) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, events = events + excluded.events, applied_at = excluded.applied_at`,
        ).run(m.name + suffix, m.version, position, fresh, now, row?.generation ?? tag());
      }
      tx.end();
    };
    try {
      if (this.db.inTransaction) run();
      else this.db.transaction(run).immediate();
    } catch (error) {
      this.cache = undefined; // the state may hold the rolled-back batch
      throw error;
    }
    tx.cacheAfterCommit();
  }

  /**
   * Apply every append of `store` inline, inside its transaction, while the read models are
   * current (each checkpoint at the position just before the append) and the append ends a
   * tick (`TickCompleted` last). Otherwise the append is left for the runner to catch up.
   * @returns a function that detaches the hook.
   */
  attachInline(store: SqliteEventStore, group: Projection<WorldReadModelTx>): () => void {
    return store.onAppend((stream, events, revision, position) => {
      const last = events[events.length - 1]!;
      // an inbox command moves the checkpoints past it (no read model reads it), so the next tick commits inline
      if ((last.type !== 'TickCompleted' || isEventRun(last)) && stream !== INBOX_STREAM) return;
      for (const m of this.projections) if ((this.row(m.name)?.position ?? 0) !== position - 1) return;
      const stored = new Array<StoredItem>(events.length);
      let at = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        // one object shape for every event: spreading 100,000 events a tick costs more than the inserts
        if (isEventRun(e)) stored[i] = { ...e, stream, revision: revision + at, position: position + at };
        else stored[i] = { type: e.type, data: e.data, metadata: e.metadata, stream, revision: revision + at, position: position + at } as StoredEvent;
        at += isEventRun(e) ? e.count : 1;
      }
      this.commitSync(group, stored, position + at - 1, LIVE);
    });
  }

  // ---- the write side of a batch --------------------------------------------------------

  /**
   * The writer of one batch under `prefix`: `flush` writes the `people` rows and snapshot (after
   * that projection), `end` the rows kept in memory for the others (after every projection).
   */
  private tx(prefix: string, suffix: string): WorldReadModelTx & { flush(): void; end(): void; cacheAfterCommit(): void } {
    const p = prefix;
    let state: WorldState | undefined;
    let touched: WorldState | undefined;
    const cases = new Map<number, CaseState | undefined>();
    let casesEmpty: boolean | undefined;
    const key = () => `${prefix}:${this.row('people' + suffix)?.generation ?? ''}:${this.row('people' + suffix)?.position ?? 0}`;
    const stmt = (sql: string) => this.stmt(sql);
    const people = peopleRows(stmt, p, (table) => dropIndexes(this.db, table), REINDEX_ROWS);
    const epidemic = epidemicWriter(stmt, p);
    return {
      ...historyWriter(stmt, p),
      ...epidemic,
      state: () => {
        if (state) return state;
        const k = key();
        state = this.cache?.key === k ? this.cache.state : this.loadState(p, true);
        this.cache = undefined;
        return state;
      },
      ...people,
      caseOf: (personId) => {
        if (cases.has(personId)) return cases.get(personId);
        // the table does not change before the batch's end: empty, nothing to look up (a world's creation)
        casesEmpty ??= this.stmt(`SELECT NOT EXISTS (SELECT 1 FROM ${p}cases)`).pluck().get() === 1;
        if (casesEmpty) return undefined;
        const row = this.stmt(`SELECT status, hops FROM ${p}cases WHERE person_id = ?`).get(personId) as CaseState | undefined;
        return row;
      },
      setCase: (personId, c) => void cases.set(personId, c),
      end: () => {
        epidemic.end();
        for (const [id, c] of cases) if (!c) this.stmt(`DELETE FROM ${p}cases WHERE person_id = ?`).run(id);
        const upsert = 'ON CONFLICT (person_id) DO UPDATE SET status = excluded.status, hops = excluded.hops';
        insertMap(stmt, `INSERT INTO ${p}cases (person_id, status, hops) VALUES`, 3, cases, (id, c) => (c ? [id, c.status, c.hops] : undefined), upsert);
        cases.clear();
      },
      addExposures: (rows: readonly ExposureRow[]) =>
        insertEach(stmt, `INSERT INTO ${p}exposures (status_position, exposed, source, tick, at, x, y, contact_id, hops, source_status, contact_position, contact_tick) VALUES`, 12, rows, (r) => [
          r.statusPosition, r.exposed, r.source, r.tick, r.at, r.x, r.y, r.contactId, r.hops, r.sourceStatus, r.contactPosition, r.contactTick ?? null,
        ]),
      putMetrics: (rows: readonly MetricsRow[]) => {
        const put = this.stmt(
          `INSERT OR REPLACE INTO ${p}metrics (tick, at, healthy, suspicious, infected, contacts, exposures, notifications, position, tests, positives, negatives, releases, expiries)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const r of rows) put.run(r.tick, r.at, r.healthy, r.suspicious, r.infected, r.contacts, r.exposures, r.notifications, r.position, r.tests, r.positives, r.negatives, r.releases, r.expiries);
      },
      addNotifications: (rows: readonly NotificationRow[]) =>
        insertEach(stmt, `INSERT INTO ${p}notifications (position, notification_id, kind, person_id, phone, tick, at, contact_tick) VALUES`, 8, rows, (r) => [
          r.position, r.notificationId, r.kind, r.personId, r.phone, r.tick, r.at, r.contactTick ?? null,
        ]),
      flush: () => {
        people.write();
        if (!state) return;
        const s = state;
        this.stmt(
          `INSERT OR REPLACE INTO ${p}people_state (id, params, ingest, tick, registered, counts, recorded_hash, xs, ys, status, tracing)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          s.params ? JSON.stringify(s.params) : null,
          s.ingest ? JSON.stringify(s.ingest) : null,
          s.tick,
          s.registered,
          JSON.stringify(s.counts),
          s.recordedHash,
          bytes(s.xs),
          bytes(s.ys),
          bytes(s.status),
          JSON.stringify({ policy: s.tracing.policy, inboxNext: s.tracing.inboxNext }),
        );
        touched = s;
      },
      cacheAfterCommit: () => {
        // valid for the next batch while nobody else moves the checkpoint: the key holds it
        if (touched) this.cache = { key: key(), state: touched };
      },
    };
  }

  /** The `people` snapshot as a {@link WorldState}; `full`: with phones and the per-person tracing state, read from the rows. */
  private loadState(prefix: string, full: boolean): WorldState {
    const row = this.stmt(`SELECT * FROM ${prefix}people_state WHERE id = 1`).get() as StateRow | undefined;
    const state = initialState();
    if (row) {
      state.params = row.params ? JSON.parse(row.params) : null;
      if (row.ingest) state.ingest = JSON.parse(row.ingest);
      state.tick = row.tick;
      state.registered = row.registered;
      state.counts = JSON.parse(row.counts);
      state.recordedHash = row.recorded_hash;
      state.xs = new Int32Array(copy(row.xs));
      state.ys = new Int32Array(copy(row.ys));
      state.status = new Uint8Array(copy(row.status));
      state.phones = new Array<string>(state.xs.length);
      const tickMs = state.params?.tickMs ?? state.ingest?.tickMs ?? 60_000;
      state.tracing = initialTracing(state.xs.length, tickMs, state.ingest?.contactMs);
      if (row.tracing) {
        const { policy, inboxNext } = JSON.parse(row.tracing) as { policy: Policy; inboxNext: number };
        adoptPolicy(state.tracing, policy, tickMs);
        state.tracing.inboxNext = inboxNext;
      }
    }
    if (!full) return state;
    // phones, and the per-person tracing state: it lives in the people rows (written when it changes, not each tick)
    const t = state.tracing;
    for (const [id, phone, since, hops, alerted, infected] of this.stmt(`SELECT person_id, phone, COALESCE(last_tick, 0), hops, alerted, really_infected FROM ${prefix}people`).raw().iterate() as Iterable<
      [number, string, number, number, number, number]
    >) {
      state.phones[id] = phone;
      t.since[id] = since;
      t.hops[id] = hops;
      t.alerted[id] = alerted;
      t.truth[id] = infected;
    }
    return state;
  }

  // ---- queries ----------------------------------------------------------------------------

  /** Every person's cell and status now, and the tick they are of (-1: no world): typed arrays of the `people` snapshot. */
  cells(): { xs: Int32Array; ys: Int32Array; status: Uint8Array; tick: number } {
    const { xs, ys, status, tick } = this.loadState(LIVE, false);
    return { xs, ys, status, tick };
  }

  /** The last `limit` alerts of the ledger, newest first. */
  lastNotifications(limit: number): (NotificationRow & { publishedAt: string | null })[] {
    return (this.stmt(`SELECT * FROM ${LIVE}notifications ORDER BY position DESC LIMIT ?`).all(limit) as NotificationRowDb[]).map(ledgerRow);
  }

  /** The index cases that exposed someone: the sources of exposures at hop 1. */
  exposingIndexCases(): number[] {
    return this.stmt(`SELECT DISTINCT source FROM ${LIVE}exposures WHERE hops = 1 ORDER BY source`).pluck().all() as number[];
  }

  /** The current state from the `people` read model, phones included: a snapshot to resume a world from. */
  snapshot(): WorldState {
    return this.loadState(LIVE, true);
  }

  /** The world as the `people` read model knows it, without the per-person arrays: tick -1 when there is none. */
  world(): Pick<WorldState, 'params' | 'ingest' | 'tick' | 'counts' | 'recordedHash' | 'registered'> {
    const row = this.stmt(`SELECT params, ingest, tick, registered, counts, recorded_hash FROM ${LIVE}people_state WHERE id = 1`).get() as Omit<StateRow, 'xs' | 'ys' | 'status'> | undefined;
    if (!row) return { params: null, tick: -1, counts: [0, 0, 0], recordedHash: null, registered: 0 };
    return {
      params: row.params ? JSON.parse(row.params) : null,
      ...(row.ingest ? { ingest: JSON.parse(row.ingest) } : {}),
      tick: row.tick,
      counts: JSON.parse(row.counts),
      recordedHash: row.recorded_hash,
      registered: row.registered,
    };
  }

  /** The policy in force (the seed's for a world without one, or none yet), from the `people` snapshot. */
  policy(): Policy {
    const row = this.stmt(`SELECT tracing FROM ${LIVE}people_state WHERE id = 1`).get() as { tracing: string | null } | undefined;
    return row?.tracing ? (JSON.parse(row.tracing) as { policy: Policy }).policy : SEED_POLICY;
  }

  /** True when `personId` was ever sent an exposure alert. */
  alerted(personId: number): boolean {
    return this.stmt(`SELECT alerted FROM ${LIVE}people WHERE person_id = ?`).pluck().get(personId) === 1;
  }

  /** The last status change of `personId` (to, reason, tick), or `undefined` when they never changed status. */
  lastChange(personId: number): { to: number; reason: string; tick: number } | undefined {
    const row = this.stmt(`SELECT last_to AS "to", last_reason AS reason, last_tick AS tick FROM ${LIVE}people WHERE person_id = ? AND last_reason IS NOT NULL`).get(personId) as { to: number; reason: string; tick: number } | undefined;
    return row ?? undefined;
  }

  /** The person with this phone (E.164), or `undefined`. */
  personByPhone(phone: string): number | undefined {
    return (this.stmt(`SELECT person_id FROM ${LIVE}people WHERE phone = ?`).pluck().get(phone) as number | undefined) ?? undefined;
  }

  /** The person with this id in the input data, or `undefined`. */
  personBySourceId(sourceId: string): number | undefined {
    return (this.stmt(`SELECT person_id FROM ${LIVE}people WHERE source_id = ?`).pluck().get(sourceId) as number | undefined) ?? undefined;
  }

  /** People, by id, optionally of one status; `limit` rows at most. */
  people(options: { status?: number; limit?: number; offset?: number } = {}): PersonView[] {
    const where = options.status === undefined ? '' : 'WHERE status = ?';
    const args: unknown[] = options.status === undefined ? [] : [options.status];
    const rows = this.stmt(`SELECT * FROM ${LIVE}people ${where} ORDER BY person_id LIMIT ? OFFSET ?`).all(...args, options.limit ?? -1, options.offset ?? 0) as PersonRowDb[];
    const cells = this.stmt(`SELECT xs, ys FROM ${LIVE}people_state WHERE id = 1`).get() as { xs: Buffer; ys: Buffer } | undefined;
    const xs = cells ? new Int32Array(copy(cells.xs)) : new Int32Array(0);
    const ys = cells ? new Int32Array(copy(cells.ys)) : new Int32Array(0);
    return rows.map((r) => personView(r, xs[r.person_id] ?? 0, ys[r.person_id] ?? 0));
  }

  /** One person, or `undefined`. */
  person(personId: number): PersonView | undefined {
    const row = this.stmt(`SELECT * FROM ${LIVE}people WHERE person_id = ?`).get(personId) as PersonRowDb | undefined;
    if (!row) return undefined;
    const cells = this.stmt(`SELECT substr(xs, ?, 4) AS x, substr(ys, ?, 4) AS y FROM ${LIVE}people_state WHERE id = 1`).get(personId * 4 + 1, personId * 4 + 1) as { x: Buffer; y: Buffer } | undefined;
    const x = cells && cells.x.length === 4 ? cells.x.readInt32LE(0) : 0;
    const y = cells && cells.y.length === 4 ? cells.y.readInt32LE(0) : 0;
    return personView(row, x, y);
  }

  /** The contact graph as a {@link TraceSource}: each call is an indexed query. */
  traceSource(): TraceSource {
    const phone = this.stmt(`SELECT phone FROM ${LIVE}people WHERE person_id = ?`).pluck();
    const sourceId = this.stmt(`SELECT source_id FROM ${LIVE}people WHERE person_id = ?`).pluck();
    const status = this.stmt(`SELECT status, last_reason, hops FROM ${LIVE}people WHERE person_id = ?`);
    const tests = this.stmt(`SELECT tests, positives, negatives, last_test, last_test_tick, releases, expiries, hops FROM ${LIVE}people WHERE person_id = ?`);
    const into = this.stmt(`SELECT * FROM ${LIVE}exposures WHERE exposed = ? ORDER BY status_position`);
    const out = this.stmt(`SELECT * FROM ${LIVE}exposures WHERE source = ? ORDER BY status_position`);
    return {
      phoneOf: (id) => (phone.get(id) as string | undefined) ?? undefined,
      sourceIdOf: (id) => (sourceId.get(id) as string | null | undefined) ?? undefined,
      exposuresOf: (id) => (into.all(id) as ExposureRowDb[]).map(edge),
      exposedBy: (id) => (out.all(id) as ExposureRowDb[]).map(edge),
      statusOf: (id) => ((status.get(id) as { status: number } | undefined)?.status ?? 0),
      isIndexCase: (id) => {
        const row = status.get(id) as { status: number; last_reason: string | null; hops: number } | undefined;
        return row !== undefined && row.last_reason !== null && isIndexChange({ to: row.status, reason: row.last_reason, hops: row.hops });
      },
      testsOf: (id) => {
        type Row = { tests: number; positives: number; negatives: number; last_test: 'positive' | 'negative' | 'revoked' | null; last_test_tick: number | null; releases: number; expiries: number; hops: number };
        const r = tests.get(id) as Row | undefined;
        if (!r) return { taken: 0, positives: 0, negatives: 0, releases: 0, expiries: 0, hops: -1 };
        return {
          taken: r.tests,
          positives: r.positives,
          negatives: r.negatives,
          ...(r.last_test ? { last: { result: r.last_test, tick: r.last_test_tick! } } : {}),
          releases: r.releases,
          expiries: r.expiries,
          hops: r.hops,
        };
      },
    };
  }

  /** The `history` read model's queries (time travel, explain). */
  history(): HistoryQueries {
    return new HistoryQueries((sql) => this.stmt(sql), LIVE);
  }

  /** What `explain` reads: these read models, and single contact events of `store` (see adapters/readmodels/explainSource.ts). */
  explainSource(store: EventStore): ExplainSource {
    return explainSource((sql) => this.stmt(sql), LIVE, store);
  }

  /** The `epidemic` read model: incidence, alerts, alerted people who later tested positive, the longest active chain; one row per tick, oldest first. */
  epidemic(): EpidemicRow[] {
    return epidemicRows((sql) => this.stmt(sql), LIVE);
  }

  /** The epidemic curve, one row per tick, oldest first. */
  metrics(): MetricsRow[] {
    return this.stmt(`SELECT * FROM ${LIVE}metrics ORDER BY tick`).all() as MetricsRow[];
  }

  /** The internal id of every alert of the ledger (`n-<tick>-<personId>`, `r-...`), oldest first, read as iterated. */
  notificationIds(): IterableIterator<string> {
    return this.stmt(`SELECT notification_id FROM ${LIVE}notifications ORDER BY position`).pluck().iterate() as IterableIterator<string>;
  }

  /** Alerts of the ledger after global position `position`, oldest first, `limit` at most. */
  notificationsAfter(position: number, limit: number): (NotificationRow & { publishedAt: string | null })[] {
    return (this.stmt(`SELECT * FROM ${LIVE}notifications WHERE position > ? ORDER BY position LIMIT ?`).all(position, limit) as NotificationRowDb[]).map(ledgerRow);
  }

  /** Record that the bridge published these alerts (their internal ids, as the ledger holds them; wall time `at`, ISO-8601); ids not in the ledger yet are ignored. */
  markPublished(notificationIds: readonly string[], at: string): void {
    const update = this.stmt(`UPDATE ${LIVE}notifications SET published_at = ? WHERE notification_id = ? AND published_at IS NULL`);
    this.db.transaction(() => {
      for (const id of notificationIds) update.run(at, id);
    }).immediate();
  }

  /** Each read model's checkpoint (global position, 0 before any), in the order of {@link projections}; no row counts. */
  positions(): number[] {
    return this.projections.map((p) => this.row(p.name)?.position ?? 0);
  }

  /** Each read model's version, checkpoint, events applied and row counts. */
  info(): ReadModelInfo[] {
    return this.projections.map((p) => {
      const row = this.row(p.name);
      const rows: Record<string, number> = {};
      for (const t of TABLES[p.name]!) rows[t] = this.stmt(`SELECT COUNT(*) FROM ${LIVE}${t}`).pluck().get() as number;
      return { name: p.name, version: row?.version ?? p.version, projectionVersion: p.version, position: row?.position ?? 0, events: row?.events ?? 0, appliedAt: row?.applied_at ? new Date(row.applied_at).toISOString() : null, rows };
    });
  }

  /** Every row of read model `name` (live, or the rebuild's with `next`), in a stable order, for comparisons. */
  dump(name: string, next = false): Record<string, unknown[]> {
    const prefix = next ? NEXT : LIVE;
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES[name]!) {
      // published_at is when the bridge delivered an alert: a fact of the delivery, not of the log
      const columns = (this.db.prepare(`PRAGMA table_info(${prefix}${t})`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'published_at');
      const rows = this.stmt(`SELECT ${columns.join(', ')} FROM ${prefix}${t} ORDER BY 1`).raw().all() as unknown[][];
      out[t] = rows.map((r) => r.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
    }
    return out;
  }

  // ---- rebuilds ---------------------------------------------------------------------------

  /**
   * Prepare a blue/green rebuild of `names`: keep a rebuild left by a killed run (same
   * versions) so that it resumes, else create empty `rmn_` tables.
   * @returns the group projection to run into {@link next}.
   */
  beginRebuild(names: readonly string[]): Projection<WorldReadModelTx> {
    const members = this.projections.filter((p) => names.includes(p.name));
    this.db
      .transaction(() => {
        for (const m of members) {
          const row = this.row(m.name + NEXT_SUFFIX);
          if (row && row.version === m.version && this.exists(NEXT, m.name)) continue;
          this.drop(NEXT, m.name);
          this.stmt('DELETE FROM read_models WHERE name = ?').run(m.name + NEXT_SUFFIX);
          this.create(NEXT, m.name);
          this.stmt('INSERT INTO read_models (name, version, position, events, applied_at, generation) VALUES (?, ?, 0, 0, NULL, ?)').run(m.name + NEXT_SUFFIX, m.version, tag());
        }
      })
      .immediate();
    return group('rebuild', members);
  }

  /**
   * Swap the rebuilt `names` in, in one transaction: the live tables are dropped, the `rmn_`
   * ones renamed, and their checkpoints take the live names. The caller holds the write lock
   * (an open IMMEDIATE transaction) and has checked that the rebuild is current.
   */
  swapIn(names: readonly string[]): void {
    const inTx = this.db.inTransaction;
    if (!inTx) this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const name of names) {
        this.drop(LIVE, name);
        for (const t of TABLES[name]!) this.db.exec(`ALTER TABLE ${NEXT}${t} RENAME TO ${LIVE}${t}`);
        this.stmt('DELETE FROM read_models WHERE name = ?').run(name);
        this.stmt('UPDATE read_models SET name = ?, generation = ? WHERE name = ?').run(name, tag(), name + NEXT_SUFFIX);
      }
      if (!inTx) this.db.exec('COMMIT');
    } catch (error) {
      if (!inTx && this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
    this.stmts.clear();
    this.cache = undefined;
  }

  /** Names of read models whose stored version differs from their projection's (to rebuild before use). */
  stale(): string[] {
    return this.projections.filter((p) => {
      const row = this.row(p.name);
      return row !== undefined && row.version !== p.version;
    }).map((p) => p.name);
  }

  /** A value kept beside the read models (e.g. the store they mirror). */
  meta(key: string): string | undefined {
    return (this.stmt('SELECT value FROM read_model_meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
  }

  /** Set {@link meta}. */
  setMeta(key: string, value: string): void {
    this.stmt('INSERT OR REPLACE INTO read_model_meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** Close the database when these read models opened it. */
  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private row(name: string): { version: number; position: number; events: number; applied_at: number | null; generation: string } | undefined {
    return this.stmt('SELECT version, position, events, applied_at, generation FROM read_models WHERE name = ?').get(name) as ReturnType<SqliteReadModels['row']>;
  }

  private exists(prefix: string, name: string): boolean {
    const first = `${prefix}${TABLES[name]![0]}`;
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(first) !== undefined;
  }

  private create(prefix: string, name: string): void {
    this.db.exec(ddl(name, prefix, tag()));
    this.stmts.clear();
  }

  private drop(prefix: string, name: string): void {
    for (const t of TABLES[name]!) this.db.exec(`DROP TABLE IF EXISTS ${prefix}${t}`);
    this.stmts.clear();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }
}

/** The world read models as one projection, applied in one pass (each member keeps its own checkpoint). */
export function group(name: string, members: readonly Projection<WorldReadModelTx>[]): Projection<WorldReadModelTx> & { members: readonly Projection<WorldReadModelTx>[] } {
  const types = new Set<string>();
  for (const m of members) for (const t of m.types === 'all' ? [] : m.types) types.add(t);
  // every type read, or the bulk of the log (the moves): read the log unfiltered, in position
  // order, rather than merging one index run per type (the events no member reads are few)
  const everything = members.some((m) => m.types === 'all') || types.has('PersonMoved') || Object.keys(schemas).every((t) => types.has(t));
  return {
    name,
    version: 1,
    types: everything ? 'all' : ([...types] as Projection<WorldReadModelTx>['types']),
    members,
    evolve(tx, events) {
      for (const m of members) m.evolve(tx, only(events, m));
    },
  };
}

function membersOf(projection: Projection<WorldReadModelTx>): readonly Projection<WorldReadModelTx>[] {
  return (projection as { members?: readonly Projection<WorldReadModelTx>[] }).members ?? [projection];
}

/** The events of `events` that `projection` reads (its types and the commit marker). */
function only(events: readonly StoredEvent[], projection: Projection<unknown>): readonly StoredEvent[] {
  if (projection.types === 'all') return events;
  let types = typeSets.get(projection);
  if (!types) typeSets.set(projection, (types = new Set<string>([...projection.types, 'TickCompleted'])));
  const out: StoredEvent[] = [];
  for (const e of events) if (types.has(e.type)) out.push(e);
  return out;
}

const typeSets = new WeakMap<Projection<unknown>, Set<string>>();

/** People added at once from which the people table's indexes are dropped and built again after. */
const REINDEX_ROWS = 50_000;

type PersonRowDb = { person_id: number; phone: string; source_id: string | null; status: number; last_tick: number | null; last_at: string | null; last_from: number | null; last_to: number | null; last_reason: string | null; last_position: number | null };
type ExposureRowDb = { status_position: number; exposed: number; source: number; tick: number; at: string; x: number; y: number; contact_id: string; hops: number; source_status: number; contact_position: number; contact_tick: number | null };
type NotificationRowDb = { position: number; notification_id: string; kind: NotificationRow['kind']; person_id: number; phone: string; tick: number; at: string; contact_tick: number | null; published_at: string | null };

function ledgerRow(r: NotificationRowDb): NotificationRow & { publishedAt: string | null } {
  return {
    notificationId: r.notification_id,
    kind: r.kind,
    personId: r.person_id,
    phone: r.phone,
    tick: r.tick,
    at: r.at,
    ...(r.contact_tick !== null ? { contactTick: r.contact_tick } : {}),
    position: r.position,
    publishedAt: r.published_at,
  };
}

function personView(r: PersonRowDb, x: number, y: number): PersonView {
  return {
    personId: r.person_id,
    phone: r.phone,
    ...(r.source_id !== null ? { sourceId: r.source_id } : {}),
    status: r.status,
    cell: { x, y },
    ...(r.last_tick !== null ? { lastChange: { tick: r.last_tick, at: r.last_at!, from: r.last_from!, to: r.last_to!, reason: r.last_reason!, position: r.last_position! } } : {}),
  };
}

function edge(r: ExposureRowDb): ExposureEdge {
  return {
    source: r.source,
    exposed: r.exposed,
    tick: r.tick,
    at: r.at,
    x: r.x,
    y: r.y,
    contactId: r.contact_id,
    sourceStatus: r.source_status,
    hops: r.hops,
    ...(r.contact_tick !== null ? { contactTick: r.contact_tick } : {}),
  };
}

function bytes(a: Int32Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A copy of a blob into a fresh, aligned ArrayBuffer. */
function copy(b: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(b);
  return out;
}

/** A short token that makes index names and generations unique. */
function tag(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

/**
 * Open the read models of a SQLite store inside its own file.
 * @throws StoreError when the file's read models cannot be created (a read-only file).
 */
export function storeReadModels(store: SqliteEventStore): SqliteReadModels {
  try {
    return new SqliteReadModels(store.db, false);
  } catch (error) {
    throw new StoreError(`cannot keep read models in ${store.file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Open read models in a file of their own (`:memory:` for one process), for a store at `storeUrl`.
 * @throws StoreError when the file cannot be opened, is not a read-model file, or mirrors another store.
 */
export function fileReadModels(file: string, storeUrl: string): SqliteReadModels {
  let db: Database.Database;
  try {
    db = new Database(file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.includes('events') || tables.includes('batches')) throw new StoreError(`${file} is an event store: give read models a file of their own`);
    if (tables.length > 0 && !tables.includes('read_models')) throw new StoreError(`${file} is a SQLite database but not a stopcovid read-model file`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open read models at ${file}: ${(error as Error).message}`, { cause: error });
  }
  const models = new SqliteReadModels(db, true);
  const mirrored = models.meta('store');
  if (mirrored === undefined) models.setMeta('store', storeUrl);
  else if (mirrored !== storeUrl) {
    models.close();
    // a URL ending in ':' (memory:) is named as a store, so that the sentence's own ':' does not double it
    const named = (url: string) => (/:$/.test(url) ? `the ${url} store` : url);
    throw new StoreError(`read models in ${file} mirror the store ${mirrored}, not ${named(storeUrl)}: use another --read-models file`);
  }
  return models;
}
