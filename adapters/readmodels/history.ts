/**
 * The `history` read model in SQLite (core/projections/history.ts): tables `status_history`,
 * `test_history` and `policy_history`, their writer, and the queries of time travel and
 * `explain` over them. Wired into the read-model store by adapters/readmodels/sqlite.ts.
 * @module
 */
import type Database from 'better-sqlite3';
import { insertEach } from './bulk.js';
import { standingPositives, statusAtRule, type Bitemporal, type HistorySource, type HistoryTx, type PersonTests, type PolicyHistoryRow, type StatusAt, type StatusHistoryRow, type TestHistoryRow } from '../../core/index.js';

/** A prepared statement by its SQL (the read-model store's cache). */
export type Prepare = (sql: string) => Database.Statement;

/** The tables of the `history` read model. */
export const HISTORY_TABLES = ['status_history', 'test_history', 'policy_history'];

/** DDL of the `history` tables under `p`; `tag` makes index names unique across rebuilds. */
export function historyDdl(p: string, tag: string): string {
  return `
CREATE TABLE ${p}status_history (position INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, tick INTEGER NOT NULL, valid_tick INTEGER NOT NULL, at TEXT NOT NULL,
  from_status INTEGER NOT NULL, to_status INTEGER NOT NULL, reason TEXT NOT NULL, source INTEGER, contact_id TEXT, notification_id TEXT, notification_position INTEGER);
CREATE INDEX ix_${tag}_status_history_person ON ${p}status_history (person_id, position);
CREATE INDEX ix_${tag}_status_history_tick ON ${p}status_history (tick);
CREATE INDEX ix_${tag}_status_history_retro ON ${p}status_history (tick) WHERE valid_tick < tick;
CREATE UNIQUE INDEX ix_${tag}_status_history_alert ON ${p}status_history (notification_id) WHERE notification_id IS NOT NULL;
CREATE TABLE ${p}test_history (position INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, tick INTEGER NOT NULL, sampled_tick INTEGER NOT NULL, result TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX ix_${tag}_test_history_person ON ${p}test_history (person_id, position);
CREATE TABLE ${p}policy_history (position INTEGER PRIMARY KEY, tick INTEGER NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,
  min_minutes REAL NOT NULL, window_minutes REAL NOT NULL, radius REAL);`;
}

/** The writer of the `history` tables under prefix `p`. */
export function historyWriter(stmt: Prepare, p: string): HistoryTx {
  return {
    addStatusHistory: (rows) =>
      insertEach(
        stmt,
        `INSERT INTO ${p}status_history (position, person_id, tick, valid_tick, at, from_status, to_status, reason, source, contact_id, notification_id, notification_position) VALUES`,
        12,
        rows,
        (r) => [r.position, r.personId, r.tick, r.validTick, r.at, r.from, r.to, r.reason, r.sourcePersonId ?? null, r.contactId ?? null, r.notificationId ?? null, r.notificationPosition ?? null],
      ),
    addTestHistory: (rows) => {
      const insert = stmt(`INSERT INTO ${p}test_history (position, person_id, tick, sampled_tick, result, source) VALUES (?, ?, ?, ?, ?, ?)`);
      for (const r of rows) insert.run(r.position, r.personId, r.tick, r.sampledTick, r.result, r.source);
    },
    addPolicyHistory: (rows) => {
      const insert = stmt(`INSERT INTO ${p}policy_history (position, tick, name, source, min_minutes, window_minutes, radius) VALUES (?, ?, ?, ?, ?, ?, ?)`);
      for (const r of rows) insert.run(r.position, r.tick, r.name, r.source, r.minMinutes, r.windowMinutes, r.radius);
    },
  };
}

type ChangeDb = {
  position: number;
  person_id: number;
  tick: number;
  valid_tick: number;
  at: string;
  from_status: number;
  to_status: number;
  reason: string;
  source: number | null;
  contact_id: string | null;
  notification_id: string | null;
  notification_position: number | null;
};
type TestDb = { position: number; person_id: number; tick: number; sampled_tick: number; result: 'positive' | 'negative' | 'revoked'; source: 'simulated' | 'reported' };
type PolicyDb = { position: number; tick: number; name: string; source: string; min_minutes: number; window_minutes: number; radius: number | null };

function change(r: ChangeDb): StatusHistoryRow {
  return {
    personId: r.person_id,
    tick: r.tick,
    validTick: r.valid_tick,
    at: r.at,
    from: r.from_status,
    to: r.to_status,
    reason: r.reason,
    ...(r.source !== null ? { sourcePersonId: r.source } : {}),
    ...(r.contact_id !== null ? { contactId: r.contact_id } : {}),
    position: r.position,
    ...(r.notification_id !== null ? { notificationId: r.notification_id, notificationPosition: r.notification_position! } : {}),
  };
}

function test(r: TestDb): TestHistoryRow {
  return { personId: r.person_id, tick: r.tick, sampledTick: r.sampled_tick, result: r.result, source: r.source, position: r.position };
}

/** The queries over the live `history` tables (prefix `p`). */
export class HistoryQueries implements HistorySource {
  constructor(
    private readonly stmt: Prepare,
    private readonly p: string,
  ) {}

  /** Every status change of `personId`, in log order. */
  changesOf(personId: number): StatusHistoryRow[] {
    return (this.stmt(`SELECT * FROM ${this.p}status_history WHERE person_id = ? ORDER BY position`).all(personId) as ChangeDb[]).map(change);
  }

  /** The status of `personId` at `at` (core/timeTravel.ts, {@link statusAtRule}). */
  statusAt(personId: number, at: Bitemporal): StatusAt {
    return statusAtRule(this.changesOf(personId), at);
  }

  /** People per status (0, 1, 2) at `at`, of `people` in all, by the rule of {@link statusAtRule}, in two indexed queries. */
  countsAt(at: Bitemporal, people: number): [number, number, number] {
    const horizon = Math.min(at.tick, at.knownAt);
    const p = this.p;
    // the last change of each person recorded by the horizon (positions grow with ticks)
    const base = this.stmt(
      `SELECT h.person_id AS person, h.to_status AS status FROM ${p}status_history h
       JOIN (SELECT person_id, MAX(position) AS position FROM ${p}status_history WHERE tick <= ? GROUP BY person_id) l ON l.position = h.position`,
    ).all(horizon) as { person: number; status: number }[];
    const status = new Map<number, number>();
    for (const r of base) status.set(r.person, r.status);
    // retroactive exposures recorded after the valid tick but known by knownAt, of people healthy by the record
    const late = this.stmt(`SELECT person_id AS person, to_status AS status FROM ${p}status_history WHERE valid_tick < tick AND valid_tick <= ? AND tick > ? AND tick <= ? ORDER BY position`).all(at.tick, at.tick, at.knownAt) as {
      person: number;
      status: number;
    }[];
    const overlaid = new Set<number>();
    for (const r of late) {
      if ((status.get(r.person) ?? 0) !== 0 || overlaid.has(r.person)) continue;
      overlaid.add(r.person);
      status.set(r.person, r.status);
    }
    const counts: [number, number, number] = [people, 0, 0];
    for (const s of status.values()) {
      counts[0]--;
      counts[s as 0 | 1 | 2]++;
    }
    return counts;
  }

  /** Test results of `personId` recorded by `at.knownAt` and sampled by `at.tick`, with releases and hops then. */
  testsAt(personId: number, at: Bitemporal): PersonTests {
    const tests = (this.stmt(`SELECT * FROM ${this.p}test_history WHERE person_id = ? AND tick <= ? AND sampled_tick <= ? ORDER BY position`).all(personId, at.knownAt, at.tick) as TestDb[]).map(test);
    const changes = this.changesOf(personId).filter((c) => c.tick <= Math.min(at.tick, at.knownAt));
    const last = tests[tests.length - 1];
    const status = this.statusAt(personId, at);
    return {
      taken: tests.length,
      positives: tests.filter((t) => t.result === 'positive').length,
      negatives: tests.filter((t) => t.result === 'negative').length,
      ...(last ? { last: { result: last.result, tick: last.tick } } : {}),
      releases: changes.filter((c) => c.reason === 'test-negative' || c.reason === 'expired').length,
      expiries: changes.filter((c) => c.reason === 'expired').length,
      // a contact's hops (and a revoked positive's back to 1, which stands on an exposure) come from the exposures read model (core/timeTravel.ts fills them in)
      hops: status.status === 0 ? -1 : status.reason === 'contact' || status.reason === 'test-revoked' ? -1 : 0,
    };
  }

  /** The status change that sent alert `notificationId`. */
  changeByNotification(notificationId: string): StatusHistoryRow | undefined {
    const r = this.stmt(`SELECT * FROM ${this.p}status_history WHERE notification_id = ?`).get(notificationId) as ChangeDb | undefined;
    return r && change(r);
  }

  /** The person's latest status change that sent an alert. */
  lastAlert(personId: number): StatusHistoryRow | undefined {
    const r = this.stmt(`SELECT * FROM ${this.p}status_history WHERE person_id = ? AND notification_id IS NOT NULL ORDER BY position DESC LIMIT 1`).get(personId) as ChangeDb | undefined;
    return r && change(r);
  }

  /** The person's last status change before `position` (and, with `beforeTick`, recorded before it). */
  changeBefore(personId: number, position: number, beforeTick = Number.MAX_SAFE_INTEGER): StatusHistoryRow | undefined {
    const r = this.stmt(`SELECT * FROM ${this.p}status_history WHERE person_id = ? AND position < ? AND tick < ? ORDER BY position DESC LIMIT 1`).get(personId, position, beforeTick) as ChangeDb | undefined;
    return r && change(r);
  }

  /** The positive results of `personId` that stand now (core/policy/retraction.ts, `standingPositives`). */
  standingPositives(personId: number): number {
    const last = this.stmt(`SELECT position, reason FROM ${this.p}status_history WHERE person_id = ? ORDER BY position DESC LIMIT 1`).get(personId) as { position: number; reason: string } | undefined;
    if (last?.reason !== 'test-positive') return 0;
    const after = this.stmt(`SELECT position, result FROM ${this.p}test_history WHERE person_id = ? AND position > ? ORDER BY position`).all(personId, last.position) as { position: number; result: string }[];
    return standingPositives([last], after);
  }

  /** The person's last test result before `position`. */
  testBefore(personId: number, position: number): TestHistoryRow | undefined {
    const r = this.stmt(`SELECT * FROM ${this.p}test_history WHERE person_id = ? AND position < ? ORDER BY position DESC LIMIT 1`).get(personId, position) as TestDb | undefined;
    return r && test(r);
  }

  /** Every policy adopted, in log order (none: the world runs the seed's rule). */
  policies(): PolicyHistoryRow[] {
    const rows = this.stmt(`SELECT * FROM ${this.p}policy_history ORDER BY position`).all() as PolicyDb[];
    return rows.map((r) => ({ tick: r.tick, name: r.name, source: r.source, minMinutes: r.min_minutes, windowMinutes: r.window_minutes, radius: r.radius, position: r.position }));
  }

  /** The policy in force during `tick`: the last adopted before it (or at tick 0); `undefined`: the seed's. */
  policyDuring(tick: number): PolicyHistoryRow | undefined {
    const r = this.stmt(`SELECT * FROM ${this.p}policy_history WHERE tick < ? OR tick = 0 ORDER BY position DESC LIMIT 1`).get(tick) as PolicyDb | undefined;
    return r && { tick: r.tick, name: r.name, source: r.source, minMinutes: r.min_minutes, windowMinutes: r.window_minutes, radius: r.radius, position: r.position };
  }
}
