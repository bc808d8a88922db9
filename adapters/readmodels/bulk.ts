/**
 * Many rows in few statements: a read model's rows inserted (or upserted) with multi-row
 * `VALUES` lists. A statement run from JavaScript costs about a microsecond before SQLite does
 * any work; a list of a few hundred rows pays it once.
 * @module
 */
import type Database from 'better-sqlite3';
import type { Prepare } from './history.js';

/** SQLite's default limit of parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const MAX_PARAMETERS = 32_766;

/** Most rows in one statement. */
const MAX_ROWS = 256;

/**
 * Run `INSERT ... VALUES` for `values.length / columns` rows given flat (row after row), in
 * statements of up to 256 rows; the rest in statements of 128, 64, ... 1 rows, so at most nine
 * statements are prepared (and cached by `stmt`) per table. `head` is the statement up to
 * `VALUES`, `tail` what follows the list (an `ON CONFLICT` clause, or nothing). Rows are
 * inserted in the order given, as single-row statements would.
 * @throws whatever SQLite throws for a row (a constraint): the caller's transaction rolls back.
 */
export function insertRows(stmt: Prepare, head: string, columns: number, values: readonly unknown[], tail = ''): void {
  const rows = values.length / columns;
  if (!Number.isInteger(rows)) throw new RangeError(`${values.length} values are not rows of ${columns}`);
  const tuple = `(${Array(columns).fill('?').join(', ')})`;
  let most = MAX_ROWS;
  while (most * columns > MAX_PARAMETERS) most >>= 1;
  let at = 0;
  for (let size = most; size >= 1; size >>= 1) {
    if (rows - at < size) continue;
    const statement = stmt(`${head} ${Array(size).fill(tuple).join(', ')} ${tail}`);
    const args = new Array<unknown>(size * columns);
    for (; rows - at >= size; at += size) {
      const from = at * columns;
      for (let k = 0; k < args.length; k++) args[k] = values[from + k];
      statement.run(args);
    }
  }
}

/** Rows built at a time by {@link insertMap} and {@link insertEach}. */
const CHUNK = 65_536;

/**
 * Insert a row `row(item)` (`columns` values; `undefined` skips the item) for each of `items`, in
 * order, 65,536 rows built at a time.
 */
export function insertEach<T>(stmt: Prepare, head: string, columns: number, items: ArrayLike<T>, row: (item: T) => readonly unknown[] | undefined, tail = ''): void {
  for (let from = 0; from < items.length; from += CHUNK) {
    const values: unknown[] = [];
    for (let i = from; i < Math.min(items.length, from + CHUNK); i++) {
      const r = row(items[i]!);
      if (r) for (const v of r) values.push(v);
    }
    insertRows(stmt, head, columns, values, tail);
  }
}

/**
 * {@link insertEach} over the entries of `map` in ascending key order: a world's creation keeps
 * millions of entries, and their flat values would be ten times that.
 */
export function insertMap<V>(stmt: Prepare, head: string, columns: number, map: ReadonlyMap<number, V>, row: (key: number, value: V) => readonly unknown[] | undefined, tail = ''): void {
  insertEach(stmt, head, columns, Float64Array.from(map.keys()).sort(), (key) => row(key, map.get(key)!), tail);
}

/**
 * Drop the indexes of `table` (inside the caller's transaction), to fill it faster.
 * @returns what creates them again from their own SQL: a unique index still refuses duplicates then.
 */
export function dropIndexes(db: Database.Database, table: string): () => void {
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(table) as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
  return () => {
    for (const ix of indexes) db.exec(ix.sql);
  };
}
