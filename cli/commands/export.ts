import { Flags } from '@oclif/core';
import { createWriteStream, realpathSync, rmSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { readPages } from '../../core/index.js';
import { BaseCommand, cannotWrite, noWorld } from '../base.js';

/** What `export --json` returns when writing to a file (with no --output, the log itself is the output). */
export interface ExportResult {
  events: number;
  output: string;
}

/** `stopcovid export`: the whole event log in global order, one JSON object per line. */
export default class Export extends BaseCommand {
  static override summary = 'Write the whole event log in global order as NDJSON.';
  static override description = `One event per line: {"position", "stream", "revision", "type", "data", "metadata"}, in global order, for interchange and audit. Events are written as stored, undecoded, so an audit sees exactly what the store holds. --json prints a summary object when --output is given.

With --output, the log is written to a temporary file beside it (.<name>.partial-<pid>) and renamed to the output name only when complete: an interrupted export (Ctrl-C: exit 130, SIGTERM: 143) or a failed one removes the temporary file and never leaves a truncated file under the output name. A device or a pipe (/dev/stdout, a FIFO) is written as it is, and a symbolic link's file is replaced, not the link.`;

  static override examples = ['<%= config.bin %> export > log.ndjson', '<%= config.bin %> export --output log.ndjson --json'];

  static override flags = {
    format: Flags.string({ summary: 'Output format.', options: ['ndjson'], default: 'ndjson' }),
    output: Flags.string({ char: 'o', summary: 'Write to this file instead of stdout.' }),
  };

  async run(): Promise<ExportResult | undefined> {
    const { flags } = await this.parse(Export);
    const store = await this.store(flags.store, false);
    if ((await store.lastPosition()) === 0) throw noWorld(flags.store); // nothing to export, and no empty file written
    // a file is written under a temporary name beside it (beside the file a symbolic link names), and renamed when
    // complete; a device or a pipe (/dev/stdout, a FIFO) is written as it is: a rename would replace it with a file
    const existing = flags.output ? statSync(flags.output, { throwIfNoEntry: false }) : undefined;
    const special = existing !== undefined && !existing.isFile() && !existing.isDirectory();
    const target = existing?.isFile() ? realpathSync(flags.output!) : flags.output;
    const partial = target && !special ? join(dirname(target), `.${basename(target)}.partial-${process.pid}`) : undefined;
    const removePartial = () => partial && rmSync(partial, { force: true });
    // Ctrl-C: writing to a file yields to the event loop, so a signal stops the export between
    // chunks; the handler is in place before the temporary file exists, so that it never stays behind
    const interrupted = flags.output ? this.interrupted(undefined, removePartial) : undefined;
    const out: Writable = flags.output ? await openOutput(partial ?? flags.output, flags.output, partial ? 'wx' : 'w') : process.stdout;
    // a reader that goes away (`export | head`) ends the export quietly; another failed write (a full disk) ends it with one line
    let closed = false;
    let failed: NodeJS.ErrnoException | undefined;
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') closed = true;
      else failed ??= error;
    });
    let events = 0;
    let chunk = '';
    try {
      for await (const page of readPages(store)) {
        if (closed) return undefined;
        if (interrupted?.aborted || failed) break;
        for (const e of page) chunk += `${JSON.stringify({ position: e.position, stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata })}\n`;
        events += page.length;
        if (chunk.length > 1 << 16) {
          if (!out.write(chunk)) await drained(out);
          chunk = '';
        }
      }
      if (failed) throw failed;
      if (interrupted?.aborted) {
        out.destroy();
        removePartial();
        process.stderr.write(partial ? `interrupted: nothing written to ${flags.output}\n` : `interrupted: ${flags.output} got only part of the log\n`);
        process.exitCode = this.interruptedExitCode();
        return undefined;
      }
      if (chunk) out.write(chunk);
      if (flags.output) {
        out.end();
        await once(out, 'finish');
        if (partial) await rename(partial, target!);
        if (!this.jsonEnabled()) this.log(`exported ${events} events to ${flags.output}`);
        return { events, output: flags.output };
      }
      return undefined;
    } catch (error) {
      out.destroy();
      removePartial();
      throw failed || (error as { syscall?: string }).syscall === 'write' ? cannotWrite(flags.output ?? 'the output', failed ?? error) : error;
    }
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
 * A write stream to `path` (the temporary file of `output`, or `output` itself when it is a device
 * or a pipe), once the file is open; `flags` as `fs.open` takes them.
 * @throws InputError naming `output` when it cannot be opened (a missing folder, no permission).
 */
async function openOutput(path: string, output: string, flags: 'wx' | 'w'): Promise<Writable> {
  if (statSync(output, { throwIfNoEntry: false })?.isDirectory()) throw cannotWrite(output, { code: 'EISDIR' });
  const out = createWriteStream(path, { flags });
  try {
    await once(out, 'open');
    return out;
  } catch (error) {
    throw cannotWrite(output, error);
  }
}
