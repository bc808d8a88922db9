import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { reportHtml } from '../../web/report.js';
import { BaseCommand, cannotWrite, InputError } from '../base.js';
import { count } from '../flags.js';

/** What `report --json` returns. */
export interface ReportResult {
  output: string;
  bytes: number;
  tick: number;
}

/** The built report script and style, beside the compiled web code (dist/web/assets). */
const ASSETS = join(import.meta.dirname, '..', '..', 'web', 'assets');

/** `stopcovid report`: one self-contained HTML file about the world. */
export default class Report extends BaseCommand {
  static override summary = 'Write a self-contained HTML report: parameters, tracing policies, epidemic curve, the largest contact chains.';
  static override description = `One HTML file that opens with no network: the world's parameters, the tracing policies it ran under (each with the ticks it governed), the epidemic curve (people per status per tick, stacked, and new exposures and alerts per tick) and the contact chains of the index cases who exposed the most people, drawn on a time axis.`;

  static override examples = ['<%= config.bin %> report --output report.html', '<%= config.bin %> report --store sqlite:./big.db --output big.html --chains 3'];

  static override flags = {
    output: Flags.string({ char: 'o', summary: "File to write ('-': standard output).", default: 'report.html' }),
    chains: count({ summary: 'How many of the largest chains to draw.', default: 5, min: 0, max: 50 }),
    'max-nodes': count({ summary: 'Most people drawn per chain.', default: 300, min: 2, max: 10_000 }),
  };

  async run(): Promise<ReportResult> {
    const { flags } = await this.parse(Report);
    const toStdout = flags.output === '-';
    if (toStdout && this.jsonEnabled()) throw new InputError("--output - and --json would both write to standard output: give --output a file, or drop --json");
    const store = await this.store(flags.store, false);
    const source = await this.dashboardSource(store, flags);
    await source.close();
    let html: string;
    try {
      html = reportHtml(source, { assets: ASSETS, chains: flags.chains, maxNodes: flags['max-nodes'], name: flags.store });
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') throw new Error(`the report's script is not built: run 'npm run build'`);
      throw error;
    }
    const result = { output: flags.output, bytes: Buffer.byteLength(html), tick: source.info().tick };
    if (toStdout) {
      // the page alone on stdout (`report -o - | gzip`); a failed write is the entry's one line (cli/main.ts)
      process.stdout.write(html);
      return result;
    }
    try {
      writeFileSync(flags.output, html);
    } catch (error) {
      throw cannotWrite(flags.output, error);
    }
    if (!this.jsonEnabled()) this.log(`wrote ${flags.output} (${Math.round(result.bytes / 1024)} KiB, ticks 0 to ${result.tick})`);
    return result;
  }
}
