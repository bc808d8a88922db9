import { Flags } from '@oclif/core';
import { nodeSha256Hex } from '../../adapters/hash/nodeSha256.js';
import { loadWorld, stateHash, verifyWorld, type HashMismatch, type LoadResult, type VerifyResult } from '../../core/index.js';
import { count } from '../flags.js';
import { BaseCommand, InputError, noWorld } from '../base.js';
import { progressBar } from '../progress.js';

/** What `replay --json` returns. */
export interface ReplayResult {
  tick: number;
  people: { healthy: number; suspicious: number; infected: number };
  events: number;
  /** Events of ticks without `TickCompleted`, left out. */
  ignored: number;
  stateHash: string;
  recordedHash: string;
  matches: boolean;
  eventsPerSecond: number;
  /** With --verify: committed ticks checked and matching, and the first tick that differs (replay stopped there). */
  verify?: { ticks: number; mismatch?: HashMismatch };
}

/** `stopcovid replay`: rebuild current state from the log and check it against the recorded hash. */
export default class Replay extends BaseCommand {
  static override summary = 'Rebuild the current state from the event log and verify its hash.';
  static override description = `Folds every committed tick's events, in global order, with the same evolve functions the simulation uses, then compares the state hash with the one TickCompleted recorded for that tick. Exits 1 when they differ. The store is only read.`;

  static override examples = ['<%= config.bin %> replay', '<%= config.bin %> replay --until-tick 10 --json', '<%= config.bin %> replay --verify'];

  static override flags = {
    'until-tick': count({ summary: 'Stop after this tick. [default: the last completed tick]', min: 0 }),
    verify: Flags.boolean({ summary: 'Check the recorded state hash of every tick, not only the last; name the first tick that differs (exit 1).' }),
  };

  async run(): Promise<ReplayResult> {
    const { flags } = await this.parse(Replay);
    const store = await this.store(flags.store, false);
    const started = performance.now();
    const bar = progressBar('replay', await store.lastPosition(), !this.jsonEnabled());
    const options = { untilTick: flags['until-tick'], onProgress: (p: number) => bar.update(p) };
    const loaded: Partial<VerifyResult> & LoadResult = flags.verify ? await verifyWorld(store, options) : await loadWorld(store, options);
    const { state, events, ignored } = loaded;
    const verify = flags.verify ? { ticks: loaded.verifiedTicks!, ...(loaded.mismatch ? { mismatch: loaded.mismatch } : {}) } : undefined;
    bar.stop();
    if (!state.params && !state.ingest) throw noWorld(flags.store);
    if (state.ingest && state.tick < state.ingest.lastTick && flags['until-tick'] === undefined)
      throw new InputError(`${flags.store} holds an unfinished ingestion (tick ${state.tick} of ${state.ingest.lastTick}): ingest it again into an empty store`);
    if (flags['until-tick'] !== undefined && state.tick < flags['until-tick'] && !verify?.mismatch) throw new InputError(`tick ${flags['until-tick']} was never completed; the last completed tick is ${state.tick}`);
    const hash = stateHash(state, nodeSha256Hex);
    const seconds = (performance.now() - started) / 1000;
    const [healthy, suspicious, infected] = state.counts;
    const result: ReplayResult = {
      tick: state.tick,
      people: { healthy, suspicious, infected },
      events,
      ignored,
      stateHash: hash,
      recordedHash: state.recordedHash!,
      matches: hash === state.recordedHash,
      eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : 0,
      ...(verify ? { verify } : {}),
    };
    if (!this.jsonEnabled()) {
      this.log(`replayed ${events} events to tick ${state.tick} (${result.eventsPerSecond} events/s)${ignored ? `, left out ${ignored} events of an uncommitted tick` : ''}`);
      this.log(`healthy ${healthy}  suspicious ${suspicious}  infected ${infected}`);
      this.log(`state hash ${hash} ${result.matches ? 'matches' : 'DIFFERS from'} the recorded ${state.recordedHash}`);
      if (verify && !verify.mismatch) this.log(`verified: the state hash of each of the ${verify.ticks} ticks matches its TickCompleted`);
    }
    if (verify?.mismatch) {
      const { tick, recorded, replayed } = verify.mismatch;
      process.exitCode = 1;
      process.stderr.write(`Error: tick ${tick} differs: replayed state hash ${replayed}, recorded ${recorded}${tick > 0 ? `; ticks 0 to ${tick - 1} match` : ''}\n`);
    } else if (!result.matches) {
      process.exitCode = 1;
      process.stderr.write(`Error: replayed state hash ${hash} differs from the hash recorded at tick ${state.tick} (${state.recordedHash})\n`);
    }
    return result;
  }
}
