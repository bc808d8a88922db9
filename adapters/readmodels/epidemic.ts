/**
 * The `epidemic` read model in SQLite (core/projections/epidemic.ts): the per-tick measures
 * (`epidemic`), what the projection remembers of each person (`epidemic_people`) and the active
 * cases by hop count (`epidemic_chains`), with their writer and query. Wired into the read-model
 * store by adapters/readmodels/sqlite.ts.
 * @module
 */
import type { EpidemicPerson, EpidemicRow, EpidemicTx } from '../../core/index.js';
import { insertMap } from './bulk.js';
import type { Prepare } from './history.js';

/** The tables of the `epidemic` read model. */
export const EPIDEMIC_TABLES = ['epidemic', 'epidemic_people', 'epidemic_chains'];

/** DDL of the `epidemic` tables under `p`. */
export function epidemicDdl(p: string): string {
  return `
CREATE TABLE ${p}epidemic (tick INTEGER PRIMARY KEY, at TEXT NOT NULL, new_cases INTEGER NOT NULL, alerts INTEGER NOT NULL, alerted_total INTEGER NOT NULL,
  alerted_positive INTEGER NOT NULL, active_cases INTEGER NOT NULL, longest_chain INTEGER NOT NULL, position INTEGER NOT NULL);
CREATE TABLE ${p}epidemic_people (person_id INTEGER PRIMARY KEY, status INTEGER NOT NULL, hops INTEGER NOT NULL, alerted_tick INTEGER NOT NULL, positive_after_alert INTEGER NOT NULL);
CREATE TABLE ${p}epidemic_chains (hops INTEGER PRIMARY KEY, people INTEGER NOT NULL);`;
}

type RowDb = { tick: number; at: string; new_cases: number; alerts: number; alerted_total: number; alerted_positive: number; active_cases: number; longest_chain: number; position: number };

function row(r: RowDb): EpidemicRow {
  return {
    tick: r.tick,
    at: r.at,
    newCases: r.new_cases,
    alerts: r.alerts,
    alertedTotal: r.alerted_total,
    alertedPositive: r.alerted_positive,
    activeCases: r.active_cases,
    longestChain: r.longest_chain,
    position: r.position,
  };
}

/**
 * The writer of the `epidemic` tables under prefix `p`. What the batch remembers of people is
 * kept in memory and written once a person by `end` (a world's creation: one row for each
 * initial case, a few hundred rows a statement).
 */
export function epidemicWriter(stmt: Prepare, p: string): EpidemicTx & { end(): void } {
  const people = new Map<number, EpidemicPerson>();
  let empty: boolean | undefined;
  return {
    epidemicPerson: (id) => {
      const cached = people.get(id);
      if (cached) return cached;
      // the table does not change before `end`: empty, nothing to look up (a world's creation)
      empty ??= stmt(`SELECT NOT EXISTS (SELECT 1 FROM ${p}epidemic_people)`).pluck().get() === 1;
      if (empty) return undefined;
      const r = stmt(`SELECT status, hops, alerted_tick, positive_after_alert FROM ${p}epidemic_people WHERE person_id = ?`).get(id) as
        | { status: number; hops: number; alerted_tick: number; positive_after_alert: number }
        | undefined;
      return r && { status: r.status, hops: r.hops, alertedTick: r.alerted_tick, positiveAfterAlert: r.positive_after_alert === 1 };
    },
    setEpidemicPerson: (id, person) => void people.set(id, person),
    end: () => {
      insertMap(
        stmt,
        `INSERT INTO ${p}epidemic_people (person_id, status, hops, alerted_tick, positive_after_alert) VALUES`,
        5,
        people,
        (id, person) => [id, person.status, person.hops, person.alertedTick, person.positiveAfterAlert ? 1 : 0],
        `ON CONFLICT (person_id) DO UPDATE SET status = excluded.status, hops = excluded.hops, alerted_tick = excluded.alerted_tick, positive_after_alert = excluded.positive_after_alert`,
      );
      people.clear();
      empty = undefined;
    },
    activeChains: () => new Map(stmt(`SELECT hops, people FROM ${p}epidemic_chains`).raw().all() as [number, number][]),
    saveActiveChains: (chains) => {
      stmt(`DELETE FROM ${p}epidemic_chains`).run();
      const insert = stmt(`INSERT INTO ${p}epidemic_chains (hops, people) VALUES (?, ?)`);
      for (const [hops, n] of chains) insert.run(hops, n);
    },
    lastEpidemic: () => {
      const r = stmt(`SELECT * FROM ${p}epidemic ORDER BY tick DESC LIMIT 1`).get() as RowDb | undefined;
      return r && row(r);
    },
    putEpidemic: (rows) => {
      const put = stmt(
        `INSERT OR REPLACE INTO ${p}epidemic (tick, at, new_cases, alerts, alerted_total, alerted_positive, active_cases, longest_chain, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const r of rows) put.run(r.tick, r.at, r.newCases, r.alerts, r.alertedTotal, r.alertedPositive, r.activeCases, r.longestChain, r.position);
    },
  };
}

/** The epidemic measures, one row per tick, oldest first (prefix `p`: the live tables). */
export function epidemicRows(stmt: Prepare, p: string): EpidemicRow[] {
  return (stmt(`SELECT * FROM ${p}epidemic ORDER BY tick`).all() as RowDb[]).map(row);
}

/** The global position of tick `tick`'s `TickCompleted` (the end of that tick in the log), or `undefined`. */
export function tickEnd(stmt: Prepare, p: string, tick: number): number | undefined {
  return (stmt(`SELECT position FROM ${p}epidemic WHERE tick = ?`).pluck().get(tick) as number | undefined) ?? undefined;
}
