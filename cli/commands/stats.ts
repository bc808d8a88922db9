import { Flags } from '@oclif/core';
import type { CurveRow } from '../../web/source.js';
import { BaseCommand, InputError } from '../base.js';

const COLUMNS = ['tick', 'at', 'healthy', 'suspicious', 'infected', 'contacts', 'exposures', 'notifications'] as const;

/** `stopcovid stats`: the epidemic curve, one row per tick. */
export default class Stats extends BaseCommand {
  static override summary = 'Print the epidemic curve: people per status, contacts, new exposures and alerts, per tick.';
  static override description = `One row per completed tick from tick 0: the tick, its simulated time, people healthy, suspicious and infected after it, and the contacts, new exposures (0 -> 1) and alerts of that tick. --format csv writes RFC 4180 CSV with a header line, for a spreadsheet or a plotting tool; --json returns the rows as an array.`;

  static override examples = ['<%= config.bin %> stats', '<%= config.bin %> stats --format csv > curve.csv', '<%= config.bin %> stats --json'];

  static override flags = {
    format: Flags.string({ summary: 'Output format.', options: ['table', 'csv'], default: 'table' }),
  };

  async run(): Promise<CurveRow[]> {
    const { flags } = await this.parse(Stats);
    const store = await this.store(flags.store, false);
    const source = await this.dashboardSource(store, flags);
    await source.close(); // the curve as it is now: no need to follow
    const rows = source.curve();
    if (!this.jsonEnabled()) process.stdout.write(flags.format === 'csv' ? csv(rows) : table(rows));
    return rows;
  }
}

/** The curve as CSV: a header line, then one line per tick (no value needs quoting). */
export function csv(rows: readonly CurveRow[]): string {
  return `${COLUMNS.join(',')}\n${rows.map((r) => COLUMNS.map((c) => r[c]).join(',')).join('\n')}\n`;
}

/** The curve as a text table, numbers right-aligned. */
export function table(rows: readonly CurveRow[]): string {
  const cells = [COLUMNS as readonly string[], ...rows.map((r) => COLUMNS.map((c) => String(r[c])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return `${cells.map((row) => row.map((v, i) => (i === 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')).join('\n')}\n`;
}
