import { Flags } from '@oclif/core';
import { stringify } from 'yaml';
import type { Policy } from '../../../events/index.js';
import { BaseCommand, noWorld } from '../../base.js';

/** What `stopcovid policy show --json` returns. */
export interface PolicyShowOutput {
  policy: Policy;
  /** The world's last completed tick (the policy governs the ticks after it). */
  tick: number;
}

/** `stopcovid policy show`: the world's tracing policy. */
export default class PolicyShow extends BaseCommand {
  static override summary = "Show the world's tracing policy (every field, durations in simulated minutes).";
  static override description = 'The policy the next tick follows: the seed policy for a world that never adopted another. See README, "Tracing policies", for every field. --format yaml or json prints the policy alone, a file that \'policy set\' takes back; --json prints {"policy": ..., "tick": ...}, the tick it was read at.';
  static override examples = ['<%= config.bin %> policy show', '<%= config.bin %> policy show --format json', '<%= config.bin %> policy show --json'];
  static override flags = {
    format: Flags.string({ summary: "The policy alone, as a file 'policy set' reads (--json wraps it with the tick: {policy, tick}).", options: ['yaml', 'json'], default: 'yaml' }),
  };

  async run(): Promise<PolicyShowOutput> {
    const { flags } = await this.parse(PolicyShow);
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags);
    const world = models.world();
    if (world.tick < 0) throw noWorld(flags.store);
    const policy = models.policy();
    if (!this.jsonEnabled()) process.stdout.write(flags.format === 'json' ? `${JSON.stringify(policy, null, 2)}\n` : stringify(policy));
    return { policy, tick: world.tick };
  }
}
