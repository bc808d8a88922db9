import { existsSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { worldReadModels, type Bitemporal, type EventStore } from '../../core/index.js';
import type { SqliteReadModels } from '../../adapters/readmodels/sqlite.js';
import { BaseCommand, noWorld } from '../base.js';
import { isSqliteStore, readModelFile } from '../../adapters/readmodels/open.js';
import { personQuery } from '../phone.js';
import { bitemporal, timeTravelFlags } from '../timeTravel.js';

/** One read model as `status --json` reports it. */
export interface ReadModelStatus {
  name: string;
  /** The version its rows were built by. */
  version: number;
  /** The projection's version in this code; when it differs from `version` (`outdated`), the next query rebuilds the read model (its lag is then the whole log). */
  projectionVersion: number;
  outdated: boolean;
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
  /** The world's last completed tick in the log (-1: none), whether or not the read models have reached it. */
  tick: number;
  /** Empty when the read-model file (`--read-models`) does not exist yet: status creates none. */
  readModels: ReadModelStatus[];
}

/** What `status --json` returns with a phone or a time-travel flag: the world at a point in time. */
export interface WorldStatusResult {
  store: string;
  /** The point asked for: valid tick and recorded tick (each the last tick when not given). */
  asOf: Bitemporal;
  /** People per status then. */
  healthy: number;
  suspicious: number;
  infected: number;
  /** The person asked for, with their status then and the reason of the change that set it (absent: never changed). */
  person?: { personId: number; phone: string; status: number; reason?: string };
}

const STATUS = ['healthy', 'suspicious', 'infected'];

/** Most events counted after a checkpoint on stores whose positions are not dense. */
const COUNT_CAP = 1_000_000;

/** `stopcovid status`: how far each read model has read. */
export default class Status extends BaseCommand {
  static override summary = "Show each read model's version, checkpoint, lag and row counts; with a phone or --at-tick / --as-known-at-tick, the world at a point in time.";
  static override description = `The read models (${worldReadModels.map((p) => p.name).join(', ')}) are projections of the event log kept in SQLite: inside the store's own file for sqlite: stores, where each tick updates them in the same transaction as its events (no lag), or in the --read-models file for other stores.

Lag is counted in events (events in the log after the read model's checkpoint) and in seconds (0 when current; otherwise the wall time since the read model last applied a batch). Without a phone or --at-tick / --as-known-at-tick, status only reads: it never brings a read model up to date (trace, consume and rebuild do), and a --read-models file that does not exist yet is reported as missing, not created; with them it answers from the history read model, which it brings up to date (building it if needed) first. The last completed tick is the log's, even when the read models lag behind it.

With a phone, or with --at-tick T / --as-known-at-tick K, it shows the world instead: people per status (and that person's status) at tick T as the system knew it at tick K, from the history read model. The axes are independent (valid time and recorded time, as in bitemporal databases): a retroactive exposure decided at tick 15 for a contact at tick 10 makes the person suspicious at tick 12 as known at 15, but not as known at 12. Each defaults to the last tick.`;

  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json',
    '<%= config.bin %> status --at-tick 12 --as-known-at-tick 15',
    '<%= config.bin %> status +33672129940 --at-tick 12',
  ];

  static override args = {
    phone: Args.string({ description: 'A person (phone, or id:<id> in an ingested world): show their status (with --at-tick / --as-known-at-tick: then).', required: false }),
  };

  static override flags = {
    ...timeTravelFlags,
    region: Flags.string({ summary: 'Country for national phone forms (ISO code).', default: 'FR', env: 'STOPCOVID_REGION' }),
  };

  async run(): Promise<StatusResult | WorldStatusResult> {
    const { args, flags } = await this.parse(Status);
    const query = args.phone === undefined ? undefined : personQuery(args.phone, flags.region);
    const store = await this.store(flags.store, false);
    if (query || flags['at-tick'] !== undefined || flags['as-known-at-tick'] !== undefined) return this.world(store, flags, query);
    // status only reads: a read-model file that does not exist yet is reported as such, not created
    const file = readModelFile(store, flags.store, flags['read-models']);
    const models = file !== undefined && file !== ':memory:' && !existsSync(file) ? undefined : await this.readModels(store, flags, { catchUp: false });
    // one read transaction on a SQLite store: the log's end and the checkpoints are read at the same instant
    const snapshot = isSqliteStore(store) && !store.db.inTransaction;
    if (snapshot) store.db.exec('BEGIN');
    try {
      return await this.report(store, models, flags.store, file);
    } finally {
      if (snapshot && store.db.inTransaction) store.db.exec('COMMIT');
    }
  }

  /** The world (and a person) at a point in time, from the `people` and `history` read models. */
  private async world(store: EventStore, flags: { store: string; 'read-models'?: string; 'at-tick'?: number; 'as-known-at-tick'?: number }, query: ReturnType<typeof personQuery> | undefined): Promise<WorldStatusResult> {
    const models = await this.readModels(store, flags);
    const world = models.world();
    if (world.tick < 0) throw noWorld(flags.store);
    const at = bitemporal(flags, world.tick) ?? { tick: world.tick, knownAt: world.tick };
    const history = models.history();
    const [healthy, suspicious, infected] = history.countsAt(at, world.registered);
    const result: WorldStatusResult = { store: flags.store, asOf: at, healthy, suspicious, infected };
    if (query) {
      const personId = this.person(models, query);
      const s = history.statusAt(personId, at);
      result.person = { personId, phone: models.person(personId)!.phone, status: s.status, ...(s.reason !== undefined ? { reason: s.reason } : {}) };
    }
    if (!this.jsonEnabled()) {
      this.log(`at tick ${at.tick}, as known at tick ${at.knownAt}: healthy ${healthy}, suspicious ${suspicious}, infected ${infected}`);
      const p = result.person;
      if (p) this.log(`${p.phone}  person ${p.personId}  ${p.status} ${STATUS[p.status]}${p.reason !== undefined ? ` (${p.reason})` : ''}`);
    }
    return result;
  }

  /** The read models' state (none when `models` is undefined: their file `file` does not exist) beside the log's. */
  private async report(store: EventStore, models: SqliteReadModels | undefined, url: string, file: string | undefined): Promise<StatusResult> {
    const lastPosition = await store.lastPosition();
    if (lastPosition === 0) throw noWorld(url);
    const now = Date.now();
    const infos = models?.info() ?? [];
    const readModels: ReadModelStatus[] = [];
    for (const info of infos) {
      let lagEvents = 0;
      let lagCapped = false;
      if (isSqliteStore(store)) lagEvents = lastPosition - info.position;
      else for await (const _ of store.readAll({ after: info.position, limit: COUNT_CAP })) lagEvents++;
      if (lagEvents === COUNT_CAP && !isSqliteStore(store)) lagCapped = true;
      const lagSeconds = lagEvents === 0 ? 0 : info.appliedAt ? Math.round((now - Date.parse(info.appliedAt)) / 100) / 10 : null;
      readModels.push({ name: info.name, version: info.version, projectionVersion: info.projectionVersion, outdated: info.version !== info.projectionVersion, checkpoint: info.position, lagEvents, lagCapped, lagSeconds, events: info.events, appliedAt: info.appliedAt, rows: info.rows });
    }
    // the last completed tick is the log's: the people read model's, then any TickCompleted after its checkpoint
    let tick = models?.world().tick ?? -1;
    const after = infos.find((i) => i.name === 'people')?.position ?? 0;
    if (after < lastPosition) for await (const e of store.readAll({ after, types: ['TickCompleted'] })) tick = (e.metadata as { tick: number }).tick;
    const result: StatusResult = { store: url, lastPosition, tick, readModels };
    if (!this.jsonEnabled()) {
      this.log(`${url}: ${lastPosition} events, last completed tick ${result.tick}`);
      if (!models) this.log(`  no read models in ${file} yet: status only reads; a query (people, trace, stats) builds them`);
      for (const r of readModels) {
        const lag = r.outdated
          ? `outdated: built by v${r.version}, this version is v${r.projectionVersion} (the next query rebuilds it)`
          : r.lagEvents === 0
            ? 'current'
            : `lag ${r.lagCapped ? '>= ' : ''}${r.lagEvents} events, ${r.lagSeconds === null ? 'never applied' : `${r.lagSeconds} s`}`;
        this.log(`  ${r.name.padEnd(14)} v${r.version}  checkpoint ${r.checkpoint}  ${lag}  rows ${Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`);
      }
    }
    return result;
  }
}
