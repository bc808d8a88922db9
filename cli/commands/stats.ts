import { Flags } from '@oclif/core';
import type { EpidemicRow, MetricsRow } from '../../core/index.js';
import type { CurveRow } from '../../web/source.js';
import { BaseCommand, noWorld, oneOutput } from '../base.js';

/** One row of `stats`: the epidemic curve (the `metrics` read model) and the live epidemic measures (the `epidemic` read model) of a tick. */
export interface StatsRow extends CurveRow {
  /** Incidence: people who became confirmed cases (2) in the tick; tick 0 counts the initial cases. */
  newCases: number;
  /** Exposure alerts of the tick (`notifications` also counts released alerts). */
  exposureAlerts: number;
  /** People ever sent an exposure alert, up to the tick, and those of them with a positive result recorded after their first alert. */
  alerted: number;
  alertedPositive: number;
  /** `alertedPositive / alerted` (0..1), `null` before any alert. */
  positiveShare: number | null;
  /** People of status >= 1 after the tick, and the longest active chain: most hops from an index case among them (-1: none). */
  activeCases: number;
  longestChain: number;
}

/** The columns, in order: CSV and table header, and each row's value. */
const COLUMNS: [string, (r: StatsRow) => string | number][] = [
  ['tick', (r) => r.tick],
  ['at', (r) => r.at],
  ['healthy', (r) => r.healthy],
  ['suspicious', (r) => r.suspicious],
  ['infected', (r) => r.infected],
  ['contacts', (r) => r.contacts],
  ['exposures', (r) => r.exposures],
  ['notifications', (r) => r.notifications],
  ['new_cases', (r) => r.newCases],
  ['exposure_alerts', (r) => r.exposureAlerts],
  ['alerted', (r) => r.alerted],
  ['alerted_positive', (r) => r.alertedPositive],
  ['positive_share', (r) => (r.positiveShare === null ? '' : r.positiveShare.toFixed(4))],
  ['active_cases', (r) => r.activeCases],
  ['longest_chain', (r) => r.longestChain],
];

/** `stopcovid stats`: the epidemic curve and the live epidemic measures, one row per tick. */
export default class Stats extends BaseCommand {
  static override summary = 'Print the epidemic curve and live epidemic measures per tick: people per status, contacts, exposures, alerts, incidence, alerted people who later tested positive, the longest active chain.';
  static override description = `One row per completed tick from tick 0: the tick, its simulated time, people healthy, suspicious and infected after it, the contacts, new exposures (0 -> 1) and alerts (exposure and released) of that tick; then the live epidemic measures, kept by the epidemic read model as the log grows (never recomputed here): new_cases (incidence: people confirmed infected in the tick; tick 0 counts the initial cases), exposure_alerts, alerted (people ever sent an exposure alert so far), alerted_positive (of them, people with a positive result recorded after their first alert), positive_share (alerted_positive / alerted: the NHS COVID-19 app's headline measure, about 6% of notified contacts became cases, Wymant et al., Nature 2021), active_cases (status >= 1) and longest_chain (the most hops from an index case among active cases; -1: none).

--format csv writes RFC 4180 CSV with a header line, for a spreadsheet or a plotting tool; --format json (or --json) the rows as an array; the table ends with the share of alerted people who later tested positive.`;

  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --format csv > curve.csv', '<%= config.bin %> stats --format json', '<%= config.bin %> stats --json'];

  static override flags = {
    format: Flags.string({ summary: 'Output format.', options: ['table', 'csv', 'json'], default: 'table' }),
  };

  async run(): Promise<StatsRow[]> {
    const { flags } = await this.parse(Stats);
    oneOutput(this.jsonEnabled(), flags.format, ['table', 'json']);
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags);
    if (models.world().tick < 0) throw noWorld(flags.store);
    const rows = statsRows(models.metrics(), models.epidemic());
    if (!this.jsonEnabled()) process.stdout.write(flags.format === 'csv' ? csv(rows) : flags.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
    return rows;
  }
}

/** Join the curve and the epidemic measures by tick (a tick the epidemic read model lacks reads as zeros). */
export function statsRows(metrics: readonly MetricsRow[], epidemic: readonly EpidemicRow[]): StatsRow[] {
  const byTick = new Map(epidemic.map((e) => [e.tick, e]));
  return metrics.map(({ position: _, ...m }) => {
    const e = byTick.get(m.tick);
    const alerted = e?.alertedTotal ?? 0;
    const alertedPositive = e?.alertedPositive ?? 0;
    return { ...m, newCases: e?.newCases ?? 0, exposureAlerts: e?.alerts ?? 0, alerted, alertedPositive, positiveShare: alerted > 0 ? alertedPositive / alerted : null, activeCases: e?.activeCases ?? 0, longestChain: e?.longestChain ?? -1 };
  });
}

/** The rows as CSV: a header line, then one line per tick (no value needs quoting). */
export function csv(rows: readonly StatsRow[]): string {
  return `${COLUMNS.map(([name]) => name).join(',')}\n${rows.map((r) => COLUMNS.map(([, value]) => value(r)).join(',')).join('\n')}\n`;
}

/** The rows as a text table, numbers right-aligned, then the headline share of alerted people who later tested positive. */
export function table(rows: readonly StatsRow[]): string {
  const cells = [COLUMNS.map(([name]) => name), ...rows.map((r) => COLUMNS.map(([, value]) => String(value(r))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const last = rows[rows.length - 1];
  const headline = last && last.alerted > 0 ? `alerted people who later tested positive: ${last.alertedPositive} of ${last.alerted} (${((100 * last.alertedPositive) / last.alerted).toFixed(1)}%; the NHS COVID-19 app: about 6%)\n` : '';
  return `${cells.map((row) => row.map((v, i) => (i === 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')).join('\n')}\n${headline}`;
}
