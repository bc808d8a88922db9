import { describe, expect, it } from 'vitest';
import { fileReadModels } from './sqlite.js';
import { peopleRows } from './peopleRows.js';
import { dropIndexes } from './bulk.js';

/** The real `people` table of the read models, in an in-memory SQLite database. */
function table() {
  const models = fileReadModels(':memory:', 'memory:');
  const db = models.db;
  const indexes = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_people' AND sql IS NOT NULL").pluck().all() as string[];
  let dropped = 0;
  const drop = (name: string) => {
    dropped++;
    return dropIndexes(db, name);
  };
  return { models, db, indexes, drop, drops: () => dropped };
}

const change = (personId: number, to: number, reason: string, tick: number) => ({ personId, tick, at: `t${tick}`, from: 0, to, reason, position: 1000 + personId, hops: to === 0 ? -1 : 0 });

describe("people rows: a batch's changes written once a person", () => {
  it("a world's creation of 70,000 people, every one changed: past 65,536 changes the rows are written early, the indexes dropped once and built again", () => {
    const { models, db, indexes, drop, drops } = table();
    const before = indexes();
    const n = 70_000;
    const rows = peopleRows((sql) => db.prepare(sql), 'rm_', drop, 50_000);
    db.transaction(() => {
      rows.addPeopleColumns(Int32Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => `+3360${String(i).padStart(7, '0')}`));
      rows.setLastChange(Array.from({ length: n }, (_, i) => change(i, 1 + (i % 2), 'initial', 0)));
      // people 0 and 69,999 again after the early write: their last change and the alert both stay
      rows.markAlerted([0, n - 1]);
      rows.setLastChange([change(0, 0, 'expired', 3)]);
      rows.write();
    })();
    expect(drops()).toBe(1);
    expect(indexes()).toEqual(before);
    expect(db.prepare('SELECT COUNT(*) FROM rm_people').pluck().get()).toBe(n);
    const row = (id: number) => db.prepare('SELECT phone, status, last_reason, last_tick, hops, alerted, releases, expiries FROM rm_people WHERE person_id = ?').get(id);
    expect(row(0)).toEqual({ phone: '+33600000000', status: 0, last_reason: 'expired', last_tick: 3, hops: -1, alerted: 1, releases: 1, expiries: 1 });
    expect(row(n - 1)).toEqual({ phone: '+33600069999', status: 2, last_reason: 'initial', last_tick: 0, hops: 0, alerted: 1, releases: 0, expiries: 0 });
    expect(row(12_345)).toEqual({ phone: '+33600012345', status: 2, last_reason: 'initial', last_tick: 0, hops: 0, alerted: 0, releases: 0, expiries: 0 });
    // the unique phone index was built again: it refuses a second person with the same phone
    expect(() => db.prepare("INSERT INTO rm_people (person_id, phone) VALUES (?, '+33600000007')").run(n)).toThrow(/UNIQUE/);
    models.close();
  });

  it('a batch of a few people keeps the indexes; tests and flags add up once a person', () => {
    const { models, db, drop, drops } = table();
    const rows = peopleRows((sql) => db.prepare(sql), 'rm_', drop, 50_000);
    db.transaction(() => {
      rows.addPeople([
        { personId: 1, phone: '+33611111111', sourceId: 'a' },
        { personId: 2, phone: '+33622222222' },
      ]);
      rows.recordTests([
        { personId: 1, result: 'negative', tick: 2 },
        { personId: 1, result: 'positive', tick: 5 },
      ]);
      rows.markInfected([2]);
      rows.write();
    })();
    expect(drops()).toBe(0);
    expect(db.prepare('SELECT person_id, source_id, tests, positives, negatives, last_test, last_test_tick, really_infected FROM rm_people ORDER BY person_id').raw().all()).toEqual([
      [1, 'a', 2, 1, 1, 'positive', 5, 0],
      [2, null, 0, 0, 0, null, null, 1],
    ]);
    models.close();
  });
});
