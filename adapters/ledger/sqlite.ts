/**
 * A persistent ledger of handled alert ids (`consume --dedupe <file>`), for gateways that must
 * never send an alert twice: an id is recorded, in its own committed transaction, before the
 * alert is handed on, so an alert seen again (a consumer restarted after a crash, a topic read
 * again from the beginning) is skipped. The price is the other side of the trade: an alert whose
 * handling was interrupted after it was recorded is not handed on again (at most once per id):
 * `consume` claims and writes 16 alerts at a time, so a closed stdout strands at most those and
 * what the pipe had accepted.
 * @module
 */
import Database from 'better-sqlite3';
import { StoreError } from '../../core/index.js';

/** The ledger: `claim(id)` is true the first time an id is seen, false ever after. */
export interface HandledLedger {
  /** Record `id`; true when it was not recorded before (hand the alert on), false for a repeat. */
  claim(id: string): boolean;
  /** Ids recorded so far. */
  size(): number;
  close(): void;
}

/**
 * Open (or create) the ledger in the SQLite file `file`.
 * @throws StoreError when the file cannot be opened or is another kind of SQLite database.
 */
export function sqliteLedger(file: string): HandledLedger {
  let db: Database.Database;
  try {
    db = new Database(file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.length > 0 && !tables.includes('handled_alerts')) throw new StoreError(`${file} is a SQLite database but not an alert ledger: give --dedupe a file of its own`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS handled_alerts (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID');
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open the alert ledger ${file}: ${(error as Error).message}`, { cause: error });
  }
  const insert = db.prepare('INSERT OR IGNORE INTO handled_alerts (id, at) VALUES (?, ?)');
  const count = db.prepare('SELECT COUNT(*) FROM handled_alerts').pluck();
  return {
    claim: (id) => insert.run(id, Date.now()).changes === 1,
    size: () => count.get() as number,
    close: () => db.close(),
  };
}
