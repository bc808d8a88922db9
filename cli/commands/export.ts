import { Flags } from '@oclif/core';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { BaseCommand, InputError } from '../base.js';

/** What `export --json` returns when writing to a file (with no --output, the log itself is the output). */
export interface ExportResult {
  events: number;
  output: string;
}

/** `stopcovid export`: the whole event log in global order, one JSON object per line. */
export default class Export extends BaseCommand {
  static override summary = 'Write the whole event log in global order as NDJSON.';
  static override description = `One event per line: {"position", "stream", "revision", "type", "data", "metadata"}, in global order, for interchange and audit. Events are written as stored, undecoded, so an audit sees exactly what the store holds. --json prints a summary object when --output is given.`;

  static override examples = ['<%= config.bin %> export > log.ndjson', '<%= config.bin %> export --output log.ndjson --json'];

  static override flags = {
    format: Flags.string({ summary: 'Output format.', options: ['ndjson'], default: 'ndjson' }),
    output: Flags.string({ char: 'o', summary: 'Write to this file instead of stdout.' }),
  };

  async run(): Promise<ExportResult | undefined> {
    const { flags } = await this.parse(Export);
    const store = await this.store(flags.store, false);
    const out: Writable = flags.output ? await openOutput(flags.output) : process.stdout;
    // a reader that goes away (`export | head`) ends the export quietly
    let closed = false;
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed = true;
    });
    let events = 0;
    let chunk = '';
    for await (const e of store.readAll()) {
      if (closed) return undefined;
      chunk += `${JSON.stringify({ position: e.position, stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata })}\n`;
      events++;
      if (chunk.length > 1 << 16) {
        if (!out.write(chunk)) await drained(out);
        chunk = '';
      }
    }
    if (chunk) out.write(chunk);
    if (flags.output) {
      out.end();
      await once(out, 'finish');
      if (!this.jsonEnabled()) this.log(`exported ${events} events to ${flags.output}`);
      return { events, output: flags.output };
    }
    return undefined;
  }
}

/** Resolve when `out` drained, or failed (the error handler above notes a closed reader). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      resolve();
    };
    out.once('drain', done);
    out.once('error', done);
  });
}

/**
 * A write stream to `path`, once the file is open.
 * @throws InputError when it cannot be opened (a missing folder, a directory, no permission).
 */
async function openOutput(path: string): Promise<Writable> {
  const out = createWriteStream(path);
  try {
    await once(out, 'open');
    return out;
  } catch (error) {
    throw new InputError(`cannot write to ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
