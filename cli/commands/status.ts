import type { EventStore } from '../../core/index.js';
import type { SqliteReadModels } from '../../adapters/readmodels/sqlite.js';
import { BaseCommand, InputError } from '../base.js';
import { isSqliteStore } from '../../adapters/readmodels/open.js';

/** One read model as `status --json` reports it. */
export interface ReadModelStatus {
  name: string;
  version: number;
  /** Global position of the last event applied. */
  checkpoint: number;
  /** Events in the log after the checkpoint (`lagCapped`: at least this many). */
  lagEvents: number;
  lagCapped: boolean;
  /** 0 when current; else wall seconds since the read model last applied a batch (`null`: never). */
  lagSeconds: number | null;
  /** Events applied since the read model was (re)built. */
  events: number;
  appliedAt: string | null;
  rows: Record<string, number>;
}

/** What `status --json` returns. */
export interface StatusResult {
  store: string;
  /** Global position of the last event in the log. */
  lastPosition: number;
  /** The world's last completed tick as the people read model knows it (-1: none). */
  tick: number;
  readModels: ReadModelStatus[];
}

/** Most events counted after a checkpoint on stores whose positions are not dense. */
const COUNT_CAP = 1_000_000;

/** `stopcovid status`: how far each read model has read. */
export default class Status extends BaseCommand {
  static override summary = "Show each read model's version, checkpoint, lag and row counts.";
  static override description = `The read models (people, exposures, metrics, notifications) are projections of the event log kept in SQLite: inside the store's own file for sqlite: stores, where each tick updates them in the same transaction as its events (no lag), or in the --read-models file for other stores.

Lag is counted in events (events in the log after the read model's checkpoint) and in seconds (0 when current; otherwise the wall time since the read model last applied a batch). status only reads: it never brings a read model up to date (trace, consume and rebuild do).`;

  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags, { catchUp: false });
    // one read transaction on a SQLite store: the log's end and the checkpoints are read at the same instant
    const snapshot = isSqliteStore(store) && !store.db.inTransaction;
    if (snapshot) store.db.exec('BEGIN');
    try {
      return await this.report(store, models, flags.store);
    } finally {
      if (snapshot && store.db.inTransaction) store.db.exec('COMMIT');
    }
  }

  private async report(store: EventStore, models: SqliteReadModels, url: string): Promise<StatusResult> {
    const lastPosition = await store.lastPosition();
    if (lastPosition === 0) throw new InputError(`no world in ${url}: run 'stopcovid simulate' first`);
    const now = Date.now();
    const readModels: ReadModelStatus[] = [];
    for (const info of models.info()) {
      let lagEvents = 0;
      let lagCapped = false;
      if (isSqliteStore(store)) lagEvents = lastPosition - info.position;
      else for await (const _ of store.readAll({ after: info.position, limit: COUNT_CAP })) lagEvents++;
      if (lagEvents === COUNT_CAP && !isSqliteStore(store)) lagCapped = true;
      const lagSeconds = lagEvents === 0 ? 0 : info.appliedAt ? Math.round((now - Date.parse(info.appliedAt)) / 100) / 10 : null;
      readModels.push({ name: info.name, version: info.version, checkpoint: info.position, lagEvents, lagCapped, lagSeconds, events: info.events, appliedAt: info.appliedAt, rows: info.rows });
    }
    const result: StatusResult = { store: url, lastPosition, tick: models.world().tick, readModels };
    if (!this.jsonEnabled()) {
      this.log(`${url}: ${lastPosition} events, last completed tick ${result.tick}`);
      for (const r of readModels) {
        const lag = r.lagEvents === 0 ? 'current' : `lag ${r.lagCapped ? '>= ' : ''}${r.lagEvents} events, ${r.lagSeconds === null ? 'never applied' : `${r.lagSeconds} s`}`;
        this.log(`  ${r.name.padEnd(14)} v${r.version}  checkpoint ${r.checkpoint}  ${lag}  rows ${Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`);
      }
    }
    return result;
  }
}
