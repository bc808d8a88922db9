import { Flags } from '@oclif/core';
import { policyMismatch, runWhatIf, type WhatIfResult, type WhatIfTick } from '../../core/index.js';
import { loadPolicy } from '../../adapters/policy/file.js';
import { count } from '../flags.js';
import { BaseCommand, InputError, Interrupted, noWorld } from '../base.js';
import { progressBar } from '../progress.js';

/** What `whatif --json` returns: the comparison, and how fast the history was decided again. */
export interface WhatIfOutput extends WhatIfResult {
  events: number;
  eventsPerSecond: number;
}

/** `stopcovid whatif --policy P`: the recorded history decided again under another policy. */
export default class WhatIf extends BaseCommand {
  static override summary = 'Decide the recorded history again under another policy and compare, person by person; writes nothing.';
  static override description = `Reads the world's log and decides every tick again from its recorded inputs (the moves, or the contacts of a contact-list world, and the test results reported with 'stopcovid test') under the given policy, beside the recorded decisions. Reports the alerts sent under each policy, who gains and who loses an alert (phones, with the tick of their first alert), the epidemic curves side by side, and, for a simulated world with a ground truth (a policy with transmission), the share of alerted people really infected by the end (precision) and, of the people healthy at the start and really infected during the run (those an exposure alert could reach), the share alerted (recall) under each. The world's initial cases are left out of the recall: those infected from the start are index cases, never alerted, and those suspicious from the start were already asked to test.

The ground truth is the recorded one: it never depends on tracing. Simulated tests are drawn again from the same seeded streams, so the world's own policy gives back exactly the recorded history. The store is only read.`;
  static override examples = [
    '<%= config.bin %> whatif --policy tousanticovid',
    '<%= config.bin %> whatif --policy ./strict.yaml --until-tick 100',
    '<%= config.bin %> whatif --policy seed --store sqlite:./highschool.db --json',
  ];
  static override flags = {
    policy: Flags.string({ summary: 'The other policy: a preset (seed, tousanticovid) or a JSON/YAML file.', required: true }),
    'until-tick': count({ summary: 'Decide again up to this tick. [default: the last completed tick]', min: 1 }),
    rows: count({ summary: 'Most rows of the curve and of each list to print (text output).', default: 12, min: 1 }),
  };

  async run(): Promise<WhatIfOutput> {
    const { flags } = await this.parse(WhatIf);
    const { policy } = loadPolicy(flags.policy);
    const store = await this.store(flags.store, false);
    // the world's contact radius bounds the policy's, as for 'policy set'
    for await (const first of store.readAll({ limit: 1 })) {
      const data = first.data as { radius?: number; radiusM?: number };
      const mismatch = policyMismatch(policy, first.type === 'SimulationStarted' ? data.radius : first.type === 'WorldIngested' ? data.radiusM : undefined);
      if (mismatch) throw new InputError(`${flags.policy}: ${mismatch}`);
    }
    const verbose = !this.jsonEnabled();
    const bar = progressBar('whatif', await store.lastPosition(), verbose);
    const started = performance.now();
    const signal = this.interrupted();
    const { result, events } = await runWhatIf(store, policy, { untilTick: flags['until-tick'], onProgress: (p) => bar.update(p), signal });
    bar.stop();
    // a comparison of part of the history is no answer: say where it stopped, report nothing
    if (signal.aborted) throw new Interrupted(`interrupted at tick ${result.lastTick}: nothing reported`, this.interruptedExitCode());
    if (result.curve.length === 0) throw noWorld(flags.store);
    if (flags['until-tick'] !== undefined && result.lastTick < flags['until-tick']) throw new InputError(`tick ${flags['until-tick']} was never completed; the last completed tick is ${result.lastTick}`);
    const seconds = (performance.now() - started) / 1000;
    const out: WhatIfOutput = { ...result, events, eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : 0 };
    if (verbose) this.log(render(out, flags.rows).join('\n'));
    return out;
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The comparison as text lines: totals, the ground truth's scores, gains and losses, the curves (at most `rows` of each). */
export function render(r: WhatIfOutput, rows: number): string[] {
  const { recorded: a, whatif: b } = r.policies;
  const w = Math.max(a.length, b.length, 8);
  const pad = (s: string | number) => String(s).padStart(w);
  const lines = [
    `recorded policy '${a}' vs '${b}', ticks 1..${r.lastTick}: ${r.events} events decided again (${r.eventsPerSecond} events/s); nothing written`,
    `${''.padEnd(26)}${pad(a)}  ${pad(b)}`,
    `${'exposure alerts'.padEnd(26)}${pad(r.alerts.recorded)}  ${pad(r.alerts.whatif)}`,
    `${'people alerted'.padEnd(26)}${pad(r.alerted.recorded)}  ${pad(r.alerted.whatif)}`,
    `${'released alerts'.padEnd(26)}${pad(r.releases.recorded)}  ${pad(r.releases.whatif)}`,
  ];
  if (r.truth) {
    lines.push(`${'alerted really infected'.padEnd(26)}${pad(pct(r.truth.recorded.precision))}  ${pad(pct(r.truth.whatif.precision))}   (precision)`);
    const t = r.truth;
    lines.push(`${'infected who were alerted'.padEnd(26)}${pad(pct(t.recorded.recall))}  ${pad(pct(t.whatif.recall))}   (recall; of ${t.alertable} healthy at the start, infected since)`);
    lines.push(`  ${t.reallyInfected} really infected: ${t.alertable} healthy at the start; left out of the recall: ${t.infectedAtStart} infected from the start (index cases), ${t.suspiciousAtStart} suspicious from the start (already asked to test)`);
  }
  const list = (title: string, changes: WhatIfResult['gained']) => {
    lines.push(`${title}: ${changes.length}${changes.length > rows ? ` (first ${rows})` : ''}`);
    for (const c of changes.slice(0, rows)) lines.push(`  ${c.phone}  first alerted at tick ${c.tick}`);
  };
  list(`alerted only under '${b}' (gained)`, r.gained);
  list(`alerted only in the recorded history (lost)`, r.lost);
  if (r.refused.length > 0) {
    lines.push(`reported test results refused under '${b}': ${r.refused.length}${r.refused.length > rows ? ` (first ${rows})` : ''}`);
    for (const x of r.refused.slice(0, rows)) lines.push(`  tick ${x.tick}: ${x.reason}`);
  }
  if (r.revocationsKept.length > 0) {
    lines.push(`revoked positive results not decided again (they stand under '${b}'): ${r.revocationsKept.length}${r.revocationsKept.length > rows ? ` (first ${rows})` : ''}`);
    for (const x of r.revocationsKept.slice(0, rows)) lines.push(`  tick ${x.tick}: ${x.phone}`);
  }
  lines.push(`epidemic curve (healthy / suspicious / infected, alerts in the tick):`);
  lines.push(`  ${'tick'.padStart(6)}  ${a.padEnd(28)}  ${b}`);
  const cell = (c: WhatIfTick['recorded']) => `${c.healthy} / ${c.suspicious} / ${c.infected}, ${c.alerts}`.padEnd(28);
  for (const t of sample(r.curve, rows)) lines.push(`  ${String(t.tick).padStart(6)}  ${cell(t.recorded)}  ${cell(t.whatif).trimEnd()}`);
  return lines;
}

/** At most `n` rows of `curve`, evenly spaced, the last one included (with `n` = 1, only the last). */
function sample(curve: WhatIfTick[], n: number): WhatIfTick[] {
  if (curve.length <= n) return curve;
  if (n === 1) return [curve[curve.length - 1]!];
  const out: WhatIfTick[] = [];
  for (let i = 0; i < n; i++) out.push(curve[Math.round((i * (curve.length - 1)) / (n - 1))]!);
  return out;
}
