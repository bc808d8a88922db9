import { Flags } from '@oclif/core';
import { loadWorld, stateHash } from '../../core/index.js';
import { count } from '../flags.js';
import { BaseCommand, InputError } from '../base.js';
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
}

/** `stopcovid replay`: rebuild current state from the log and check it against the recorded hash. */
export default class Replay extends BaseCommand {
  static override summary = 'Rebuild the current state from the event log and verify its hash.';
  static override description = `Folds every committed tick's events, in global order, with the same evolve functions the simulation uses, then compares the state hash with the one TickCompleted recorded for that tick. Exits 1 when they differ. The store is only read.`;

  static override examples = ['<%= config.bin %> replay', '<%= config.bin %> replay --until-tick 10 --json'];

  static override flags = {
    'until-tick': count({ summary: 'Stop after this tick. [default: the last completed tick]', min: 0 }),
  };

  async run(): Promise<ReplayResult> {
    const { flags } = await this.parse(Replay);
    const store = await this.store(flags.store, false);
    const started = performance.now();
    const bar = progressBar('replay', await store.lastPosition(), !this.jsonEnabled());
    const { state, events, ignored } = await loadWorld(store, { untilTick: flags['until-tick'], onProgress: (p) => bar.update(p) });
    bar.stop();
    if (!state.params && !state.ingest) throw new InputError(`no world in ${flags.store}: run 'stopcovid simulate' first`);
    if (flags['until-tick'] !== undefined && state.tick < flags['until-tick']) throw new InputError(`tick ${flags['until-tick']} was never completed; the last completed tick is ${state.tick}`);
    const hash = stateHash(state);
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
    };
    if (!this.jsonEnabled()) {
      this.log(`replayed ${events} events to tick ${state.tick} (${result.eventsPerSecond} events/s)${ignored ? `, left out ${ignored} events of an uncommitted tick` : ''}`);
      this.log(`healthy ${healthy}  suspicious ${suspicious}  infected ${infected}`);
      this.log(`state hash ${hash} ${result.matches ? 'matches' : 'DIFFERS from'} the recorded ${state.recordedHash}`);
    }
    if (!result.matches) {
      process.exitCode = 1;
      process.stderr.write(`Error: replayed state hash ${hash} differs from the hash recorded at tick ${state.tick} (${state.recordedHash})\n`);
    }
    return result;
  }
}
