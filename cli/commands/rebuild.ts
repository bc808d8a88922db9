import { Args } from '@oclif/core';
import { worldReadModels } from '../../core/index.js';
import { BaseCommand, InputError, noWorld } from '../base.js';
import { rebuild, REBUILD_BATCH, type RebuildResult } from '../../adapters/readmodels/rebuild.js';
import { progressBar } from '../progress.js';
import { count } from '../flags.js';

const NAMES = worldReadModels.map((p) => p.name);

/** What `rebuild --json` returns. */
export interface RebuildCommandResult extends RebuildResult {
  eventsPerSecond: number;
}

/** `stopcovid rebuild [NAME...]`: rebuild read models from the log, blue/green. */
export default class Rebuild extends BaseCommand {
  static override summary = 'Rebuild read models from the event log beside the live ones, then swap them in.';
  static override description = `Each read model named (all when none is: ${NAMES.join(', ')}) is built afresh from the log into tables of its own while queries keep answering from the live ones; once it has caught up with the log, it replaces them in one transaction. A rebuild stopped by Ctrl-C or killed leaves the live read models as they were; running it again resumes where it stopped. The log is only read.`;

  static override examples = ['<%= config.bin %> rebuild', '<%= config.bin %> rebuild exposures --json'];

  static override strict = false;
  static override flags = {
    'batch-events': count({
      summary: 'Events applied in one transaction (a tick is never split; an event of a run of moves counts 1/16).',
      description: 'More is faster (a page of the read models written by several ticks is written once); fewer holds less in memory and commits progress more often.',
      default: REBUILD_BATCH,
      min: 1,
    }),
  };
  static override args = { names: Args.string({ description: `Read models to rebuild: ${NAMES.join(', ')}. [default: all]` }) };

  async run(): Promise<RebuildCommandResult> {
    const { argv, flags } = await this.parse(Rebuild);
    const names = (argv as string[]).length > 0 ? [...new Set(argv as string[])] : NAMES;
    const unknown = names.filter((n) => !NAMES.includes(n));
    if (unknown.length > 0) throw new InputError(`unknown read model ${unknown.join(', ')}: use ${NAMES.join(', ')}`);
    const store = await this.store(flags.store, false);
    if ((await store.lastPosition()) === 0) throw noWorld(flags.store);
    const models = await this.readModels(store, flags, { catchUp: false });
    let bar: ReturnType<typeof progressBar> | undefined;
    const result = await rebuild(store, models, names, {
      batchEvents: flags['batch-events'],
      signal: this.interrupted(),
      onProgress: (p) => {
        bar ??= progressBar(`rebuilding ${names.join(', ')}`, p.total, !this.jsonEnabled());
        bar.update(p.position);
      },
    });
    bar?.stop();
    const out: RebuildCommandResult = { ...result, eventsPerSecond: result.ms > 0 ? Math.round(result.read / (result.ms / 1000)) : 0 };
    if (result.aborted) {
      process.exitCode = this.interruptedExitCode();
      process.stderr.write(`rebuild interrupted after ${result.read} events; the live read models are unchanged, run it again to resume\n`);
    } else if (!this.jsonEnabled()) {
      this.log(`rebuilt ${names.join(', ')}: ${result.resumedAfter > 0 ? `resumed after position ${result.resumedAfter}, ` : ''}${result.read} events read, ${result.applied} applied in all, ${(result.ms / 1000).toFixed(2)} s, ${out.eventsPerSecond} events/s`);
    }
    return out;
  }
}
