/**
 * The rows of the `people` read model that one batch writes, kept until the batch's end (or
 * 65,536 people changed) and written once a person: a world's creation registers everybody and
 * sets the initial statuses in the same batch, so the rows are inserted and the initial statuses
 * written into them before the table's indexes are built (not through them); a person changed
 * several times in a batch (a status change and its alert, a test) is updated once. Wired into
 * the read-model store by adapters/readmodels/sqlite.ts.
 * @module
 */
import type { PeopleTx, StatusChangeRow, TestRow } from '../../core/index.js';
import { insertRows } from './bulk.js';
import type { Prepare } from './history.js';

/** What a batch did to one person, merged: the last status change and test, counts to add, flags to set. */
interface PersonDelta {
  change?: StatusChangeRow;
  releases: number;
  expiries: number;
  alerted: 0 | 1;
  infected: 0 | 1;
  tests: number;
  positives: number;
  negatives: number;
  lastTest?: TestRow;
}

/** People registered in the batch: ids, phones (E.164) and, for ingested people, ids in the input data. */
interface NewPeople {
  ids: ArrayLike<number>;
  phones: readonly string[];
  sourceIds?: readonly (string | undefined)[];
}

/** Reasons that release a person (status back to 0): counted in `releases`. */
const RELEASES: ReadonlySet<string> = new Set(['test-negative', 'expired', 'retracted', 'test-revoked']);

/** People changed from which a batch's changes so far are written (a world's creation of 10,000,000 people: 2.9 million initial statuses). */
const SPILL = 65_536;

/** Phones handed to SQLite in one JSON array. */
const JSON_ROWS = 65_536;

/** The people writes of one batch under table prefix `p`; {@link PeopleRows.write} ends it. */
export type PeopleRows = Pick<PeopleTx, 'addPeople' | 'addPeopleColumns' | 'setLastChange' | 'recordTests' | 'markAlerted' | 'markInfected'> & {
  /**
   * Write what the batch did: new people first, then one update per person changed (new people
   * included), and build again the indexes dropped for them.
   * @throws SQLite's constraint errors (a person or phone registered twice): the batch rolls back.
   */
  write(): void;
};

/**
 * Start the people writes of a batch. From `reindexFrom` new people in a batch, the table's
 * indexes are dropped before they are inserted and built again by `write` (`dropIndexes`
 * drops them and returns what builds them again): a million inserts into the phone index in
 * random order cost about 7 us each, the rows first and the index after about 1.5 us. The
 * changes are kept in memory up to 65,536 people, then written.
 */
export function peopleRows(stmt: Prepare, p: string, dropIndexes: (table: string) => () => void, reindexFrom: number): PeopleRows {
  const added: NewPeople[] = [];
  const deltas = new Map<number, PersonDelta>();
  let restore: (() => void) | undefined;
  const delta = (personId: number): PersonDelta => {
    let d = deltas.get(personId);
    if (!d) {
      if (deltas.size >= SPILL) spill();
      deltas.set(personId, (d = { releases: 0, expiries: 0, alerted: 0, infected: 0, tests: 0, positives: 0, negatives: 0 }));
    }
    return d;
  };
  const insertNew = (people: NewPeople): void => {
    const { ids, phones, sourceIds } = people;
    let consecutive = sourceIds === undefined;
    for (let i = 1; consecutive && i < ids.length; i++) consecutive = ids[i] === ids[0]! + i;
    // a simulated world's people (ids in a row, phones of digits): SQLite walks a JSON array of
    // the phones (about 0.4 us a row against 0.6 for lists of bound values)
    if (consecutive) {
      for (let from = 0; from < ids.length; from += JSON_ROWS)
        stmt(`INSERT INTO ${p}people (person_id, phone) SELECT ? + key, value FROM json_each(?)`).run(ids[0]! + from, JSON.stringify(phones.slice(from, from + JSON_ROWS)));
      return;
    }
    const values = new Array<unknown>(ids.length * 3);
    for (let i = 0; i < ids.length; i++) {
      values[3 * i] = ids[i]!;
      values[3 * i + 1] = phones[i]!;
      values[3 * i + 2] = sourceIds?.[i] ?? null;
    }
    insertRows(stmt, `INSERT INTO ${p}people (person_id, phone, source_id) VALUES`, 3, values);
  };
  const update = (): void => {
    if (deltas.size === 0) return;
    // NULL: unchanged (no column these set is ever set back to NULL)
    const statement = stmt(
      `UPDATE ${p}people SET status = COALESCE(?, status), last_tick = COALESCE(?, last_tick), last_at = COALESCE(?, last_at), last_from = COALESCE(?, last_from),
         last_to = COALESCE(?, last_to), last_reason = COALESCE(?, last_reason), last_position = COALESCE(?, last_position), hops = COALESCE(?, hops),
         tests = tests + ?, positives = positives + ?, negatives = negatives + ?, last_test = COALESCE(?, last_test), last_test_tick = COALESCE(?, last_test_tick),
         releases = releases + ?, expiries = expiries + ?, alerted = MAX(alerted, ?), really_infected = MAX(really_infected, ?) WHERE person_id = ?`,
    );
    for (const id of [...deltas.keys()].sort((a, b) => a - b)) {
      const d = deltas.get(id)!;
      const c = d.change;
      statement.run(
        c ? c.to : null,
        c ? c.tick : null,
        c ? c.at : null,
        c ? c.from : null,
        c ? c.to : null,
        c ? c.reason : null,
        c ? c.position : null,
        c ? c.hops : null,
        d.tests,
        d.positives,
        d.negatives,
        d.lastTest?.result ?? null,
        d.lastTest?.tick ?? null,
        d.releases,
        d.expiries,
        d.alerted,
        d.infected,
        id,
      );
    }
  };
  /** Write the new people and the changes so far (the indexes dropped once, for the whole batch). */
  const spill = (): void => {
    const fresh = added.reduce((n, a) => n + a.ids.length, 0);
    if (fresh >= reindexFrom) restore ??= dropIndexes(`${p}people`);
    for (const a of added.splice(0)) insertNew(a);
    update();
    deltas.clear();
  };
  return {
    addPeople: (rows) =>
      void added.push({ ids: rows.map((r) => r.personId), phones: rows.map((r) => r.phone), sourceIds: rows.some((r) => r.sourceId !== undefined) ? rows.map((r) => r.sourceId) : undefined }),
    addPeopleColumns: (ids, phones) => void added.push({ ids, phones }),
    setLastChange: (changes) => {
      for (const c of changes) {
        const d = delta(c.personId);
        d.change = c;
        if (c.to === 0 && RELEASES.has(c.reason)) d.releases++;
        if (c.reason === 'expired') d.expiries++;
      }
    },
    recordTests: (tests) => {
      for (const t of tests) {
        const d = delta(t.personId);
        d.tests++;
        if (t.result === 'positive') d.positives++;
        else if (t.result === 'negative') d.negatives++;
        d.lastTest = t;
      }
    },
    markAlerted: (people) => {
      for (const id of people) delta(id).alerted = 1;
    },
    markInfected: (people) => {
      for (const id of people) delta(id).infected = 1;
    },
    write: () => {
      spill();
      restore?.();
      restore = undefined;
    },
  };
}
