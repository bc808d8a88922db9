import { group, fileReadModels } from '../../adapters/readmodels/sqlite.js';
import { loadWorld, runProjection, stateHash } from '../../core/index.js';
import { BaseCommand, InputError, noWorld } from '../base.js';
import { progressBar } from '../progress.js';

/** One difference found by `verify`. */
export interface Difference {
  readModel: string;
  table: string;
  /** Rows in the live read model and in the fresh fold, and how many of them differ. */
  live: number;
  fresh: number;
  differing: number;
  /** The first differing row of each side (as arrays of column values). */
  example?: { live?: unknown; fresh?: unknown };
}

/** What `verify --json` returns. */
export interface VerifyResult {
  events: number;
  tick: number;
  /** The people read model's state hash, the log's fold and the hash TickCompleted recorded. */
  stateHash: { readModel: string; fold: string; recorded: string | null };
  differences: Difference[];
  ok: boolean;
}

/** `stopcovid verify`: compare every read model with a fresh fold of the log. */
export default class Verify extends BaseCommand {
  static override summary = 'Check every read model against a fresh fold of the event log.';
  static override description = `Folds the whole log afresh, in memory, with the same projections, and compares every row of every read model with it; it also folds the world with the simulation's own evolve and compares the state hash with the people read model's and with the one TickCompleted recorded. Any difference is listed and the exit code is 1. The store and the read models are only read (a read model behind the log is first brought up to date).`;

  static override examples = ['<%= config.bin %> verify', '<%= config.bin %> verify --json'];

  async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(Verify);
    const store = await this.store(flags.store, false);
    const last = await store.lastPosition();
    if (last === 0) throw noWorld(flags.store);
    const live = await this.readModels(store, flags);
    const fresh = fileReadModels(':memory:', flags.store);
    try {
      const bar = progressBar('verify', last * 2, !this.jsonEnabled());
      const run = await runProjection(store, group('verify', fresh.projections), fresh, { onProgress: (_n, p) => bar.update(p) });
      const world = await loadWorld(store, { onProgress: (p) => bar.update(last + p) });
      bar.stop();
      // the live read models may have moved on meanwhile (a simulate running): compare at the same point
      const checkpoint = live.positions();
      if (checkpoint.some((p) => p !== run.position)) throw new InputError(`the log grew while verifying (a simulate is running?): stop it and run verify again`);
      const differences: Difference[] = [];
      for (const p of live.projections) {
        const a = live.dump(p.name);
        const b = fresh.dump(p.name);
        for (const table of Object.keys(a)) {
          const la = a[table]!;
          const lb = b[table]!;
          let differing = 0;
          let example: Difference['example'];
          for (let i = 0; i < Math.max(la.length, lb.length); i++) {
            if (JSON.stringify(la[i]) === JSON.stringify(lb[i])) continue;
            differing++;
            example ??= { live: la[i], fresh: lb[i] };
          }
          if (differing > 0) differences.push({ readModel: p.name, table, live: la.length, fresh: lb.length, differing, example });
        }
      }
      const snapshot = live.snapshot();
      const hashes = { readModel: snapshot.tick >= 0 ? stateHash(snapshot) : '', fold: stateHash(world.state), recorded: world.state.recordedHash };
      const hashOk = hashes.readModel === hashes.fold && (world.state.ingest !== undefined || hashes.fold === hashes.recorded);
      const result: VerifyResult = { events: run.read, tick: world.state.tick, stateHash: hashes, differences, ok: differences.length === 0 && hashOk };
      if (!this.jsonEnabled()) {
        this.log(`folded ${run.read} events to tick ${world.state.tick}; state hash ${hashes.fold} (${hashOk ? 'matches the people read model and the recorded hash' : 'MISMATCH'})`);
        for (const d of differences) this.log(`  ${d.readModel}.${d.table}: ${d.differing} rows differ (live ${d.live}, fresh ${d.fresh}); first: live ${JSON.stringify(d.example?.live)} fresh ${JSON.stringify(d.example?.fresh)}`);
        if (result.ok) this.log(`every read model matches the log`);
      }
      if (!result.ok) {
        process.exitCode = 1;
        process.stderr.write(`Error: ${differences.length} read-model tables differ from the log${hashOk ? '' : '; the state hashes differ'}\n`);
      }
      return result;
    } finally {
      fresh.close();
    }
  }
}
