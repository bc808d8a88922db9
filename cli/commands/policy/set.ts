import { Args } from '@oclif/core';
import { policyMismatch } from '../../../core/index.js';
import type { Policy } from '../../../events/index.js';
import { loadPolicy } from '../../../adapters/policy/file.js';
import { isSqliteStore } from '../../../adapters/readmodels/open.js';
import { BaseCommand, InputError, noWorld } from '../../base.js';
import { submitCommand } from '../../tickWriter.js';

/** What `stopcovid policy set --json` returns. */
export interface PolicySetOutput {
  policy: Policy;
  source: string;
  /** `applied` by a tick of its own, or `accepted` for the running simulate's next tick. */
  status: 'applied' | 'accepted';
  inboxRevision: number;
  /** The tick that recorded the change (`applied` only); the policy governs the ticks after it. */
  tick?: number;
}

/** `stopcovid policy set <file|preset>`: change the world's policy from the next tick. */
export default class PolicySet extends BaseCommand {
  static override summary = "Change the world's tracing policy from the next tick (a preset or a JSON/YAML file).";
  static override description = `The change enters the world's inbox like a test result: the running simulate's next tick records it (a PolicyAdopted event), or, when none runs, a tick of its own does at once. The ticks after it follow the new policy; replay and what-if see when it changed. A policy with a minimum contact time counts contact time from the change on.

A file that does not validate (an unknown field, a value out of range) is refused with one line naming the field, and nothing is written.`;
  static override examples = ['<%= config.bin %> policy set tousanticovid', '<%= config.bin %> policy set ./strict.yaml'];
  static override args = {
    policy: Args.string({ description: 'A preset (seed, tousanticovid) or the path of a JSON or YAML policy file.', required: true }),
  };

  async run(): Promise<PolicySetOutput> {
    const { args, flags } = await this.parse(PolicySet);
    const { policy, source } = loadPolicy(args.policy);
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags, { inline: true });
    const world = models.world();
    if (world.tick < 0) throw noWorld(flags.store);
    const mismatch = policyMismatch(policy, world.params?.radius ?? world.ingest?.radiusM);
    if (mismatch) throw new InputError(`${args.policy}: ${mismatch}`);
    const inline = isSqliteStore(store) && !flags['read-models'];
    const done = await submitCommand(store, models, { type: 'PolicyChangeRequested', data: { policy, source } }, { inline, verbose: !this.jsonEnabled() });
    if (done.status === 'rejected') throw new InputError(`tick ${done.tick} refused the policy: ${done.reason}`);
    const out: PolicySetOutput = { policy, source, status: done.status, inboxRevision: done.revision, ...(done.status === 'applied' ? { tick: done.tick } : {}) };
    if (!this.jsonEnabled())
      this.log(done.status === 'applied' ? `tick ${done.tick} adopted the policy '${policy.name}' (${source}); it governs the ticks from ${done.tick + 1} on` : `accepted as inbox entry ${done.revision}: the running simulate adopts '${policy.name}' at its next tick`);
    return out;
  }
}
