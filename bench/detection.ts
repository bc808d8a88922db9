/**
 * Benchmark 1: contact detection for one tick, ours (spatial hashing) against kdbush (build plus
 * one radius query per person), an all-pairs loop where it finishes, and the seed's approach, a
 * SQL query on positions in SQLite. The contact sets must be identical; the check runs in the
 * same process before any timing.
 * @module
 */
import Database from 'better-sqlite3';
import KDBush from 'kdbush';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { contactScratch, detectContacts } from '../core/contacts.js';
import { fmt, timeMedian, type Row } from './stats.js';

/** A placement of `n` people on a square grid of `side` cells. */
export interface Placement {
  xs: Int32Array;
  ys: Int32Array;
  side: number;
}

/** Uniform positions for `n` people at `cellsPerPerson` cells each (100: the seed's density; 1: dense). */
export function place(n: number, cellsPerPerson: number, seed = 1): Placement {
  const side = Math.max(1, Math.round(Math.sqrt(n * cellsPerPerson)));
  const rng = xoroshiro128plus(seed);
  const xs = new Int32Array(n);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = uniformInt(rng, 0, side - 1);
    ys[i] = uniformInt(rng, 0, side - 1);
  }
  return { xs, ys, side };
}

/** Contact pairs as sorted `a*n + b` keys, from our detector. */
export function oursPairs(p: Placement, radius: number): Float64Array {
  const r = detectContacts(p.xs, p.ys, p.xs.length, radius);
  const n = p.xs.length;
  const out = new Float64Array(r.count);
  for (let k = 0; k < r.count; k++) out[k] = r.a[k]! * n + r.b[k]!;
  return out.sort();
}

/** Contact pairs from kdbush: build, then one `within` query per person. */
export function kdbushPairs(p: Placement, radius: number): Float64Array {
  const n = p.xs.length;
  const index = kdbushIndex(p);
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (const j of index.within(p.xs[i]!, p.ys[i]!, radius)) if (j > i) out.push(i * n + j);
  return Float64Array.from(out).sort();
}

function kdbushIndex(p: Placement): KDBush {
  const index = new KDBush(p.xs.length, 64, Int32Array);
  for (let i = 0; i < p.xs.length; i++) index.add(p.xs[i]!, p.ys[i]!);
  return index.finish();
}

/** Contact pairs from an all-pairs loop (quadratic). */
export function allPairs(p: Placement, radius: number): Float64Array {
  const n = p.xs.length;
  const r2 = radius * radius;
  const out: number[] = [];
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      const dx = p.xs[a]! - p.xs[b]!;
      const dy = p.ys[a]! - p.ys[b]!;
      if (dx * dx + dy * dy <= r2) out.push(a * n + b);
    }
  return Float64Array.from(out).sort();
}

/**
 * The seed's approach in SQLite: positions in a table; for radius 0 the seed's
 * `GROUP BY x, y HAVING COUNT(*) > 1` then the pairs of each crowded cell (a self-join on the cell);
 * for radius > 0 a self-join on an (x, y) index within the square, filtered by distance.
 */
export function sqlPairs(db: Database.Database, p: Placement, radius: number): Float64Array {
  const n = p.xs.length;
  const rows =
    radius === 0
      ? (db
          .prepare('WITH crowded AS (SELECT x, y FROM pos GROUP BY x, y HAVING COUNT(*) > 1) SELECT a.id AS a, b.id AS b FROM crowded c JOIN pos a ON a.x = c.x AND a.y = c.y JOIN pos b ON b.x = c.x AND b.y = c.y AND b.id > a.id')
          .raw()
          .all() as number[][])
      : (db
          .prepare('SELECT a.id, b.id FROM pos a JOIN pos b ON b.x BETWEEN a.x - @r AND a.x + @r AND b.y BETWEEN a.y - @r AND a.y + @r AND b.id > a.id WHERE (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) <= @r * @r')
          .raw()
          .all({ r: radius }) as number[][]);
  const out = new Float64Array(rows.length);
  rows.forEach((r, k) => (out[k] = r[0]! * n + r[1]!));
  return out.sort();
}

/** An in-memory SQLite table of the positions, indexed on (x, y). */
export function sqlTable(p: Placement): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE pos (id INTEGER PRIMARY KEY, x INTEGER NOT NULL, y INTEGER NOT NULL); CREATE INDEX pos_xy ON pos (x, y);');
  const insert = db.prepare('INSERT INTO pos VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < p.xs.length; i++) insert.run(i, p.xs[i], p.ys[i]);
  })();
  return db;
}

function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Run benchmark 1 at the given sizes. */
export async function benchDetection(sizes: number[], reps: number, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of sizes)
    for (const [density, cells] of [['seed density', 100], ['dense', 1]] as const)
      for (const radius of [0, 2]) {
        const p = place(n, cells);
        const label = `${fmt(n)} people, ${density} (${p.side}x${p.side}), radius ${radius}`;
        log(`detection: ${label}`);
        // correctness first: every method finds the same contact set
        const ours = oursPairs(p, radius);
        const kd = kdbushPairs(p, radius);
        if (!same(ours, kd)) throw new Error(`contact sets differ from kdbush for ${label}: ${ours.length} vs ${kd.length}`);
        const scratch = contactScratch();
        const oursMs = await timeMedian(reps, () => detectContacts(p.xs, p.ys, n, radius, scratch));
        const kdMs = await timeMedian(reps, () => {
          const index = kdbushIndex(p);
          let pairs = 0;
          for (let i = 0; i < n; i++) for (const j of index.within(p.xs[i]!, p.ys[i]!, radius)) if (j > i) pairs++;
          return pairs;
        });
        const note = `${fmt(ours.length)} contacts; identical sets`;
        rows.push({ section: 'detection', case: label, ours: oursMs, unit: 'ms/tick', baseline: 'kdbush build + within', base: kdMs, ratio: oursMs / kdMs, target: '<= 0.5x kdbush', met: oursMs / kdMs <= 0.5, note });
        if (n === 1_000_000) rows.push({ section: 'detection', case: label, ours: oursMs, unit: 'ms/tick', target: '<= 100 ms at 1e6', met: oursMs <= 100 });
        if (n <= 10_000) {
          if (!same(ours, allPairs(p, radius))) throw new Error(`contact sets differ from all-pairs for ${label}`);
          const apMs = await timeMedian(Math.min(reps, 3), () => allPairs(p, radius));
          rows.push({ section: 'detection', case: label, ours: oursMs, unit: 'ms/tick', baseline: 'all-pairs loop', base: apMs, ratio: oursMs / apMs });
        }
        if (n <= 100_000 && !(radius > 0 && cells === 1 && n > 10_000)) {
          const db = sqlTable(p);
          if (!same(ours, sqlPairs(db, p, radius))) throw new Error(`contact sets differ from SQL for ${label}`);
          const sqlMs = await timeMedian(Math.min(reps, 3), () => sqlPairs(db, p, radius));
          db.close();
          rows.push({ section: 'detection', case: label, ours: oursMs, unit: 'ms/tick', baseline: radius === 0 ? "seed's SQL GROUP BY x, y HAVING COUNT(*) > 1" : 'SQL self-join on (x, y) index', base: sqlMs, ratio: oursMs / sqlMs });
        }
      }
  return rows;
}
