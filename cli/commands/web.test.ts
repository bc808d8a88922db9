/**
 * Parse-level checks of serve, stats, report and trace's picture formats, in process through
 * oclif's `Command.run` (no spawn): bad flags are one line on stderr and exit code 2.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from '@oclif/core';
import Report from './report.js';
import Serve from './serve.js';
import Stats from './stats.js';
import Trace from './trace.js';

const root = join(import.meta.dirname, '..', '..');
let stderr: string;

beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function fails(command: typeof Command, ...argv: string[]): Promise<[number | string | undefined, string]> {
  await command.run(argv, root);
  return [process.exitCode, stderr];
}

describe('bad flags: one line, exit 2, before the store is opened', () => {
  it('serve', async () => {
    expect(await fails(Serve, '--port', '70000')).toEqual([2, 'Error: --port: expected a number from 0 to 65535; got 70000\n']);
    process.exitCode = undefined;
    stderr = '';
    expect(await fails(Serve, '--region', 'XX', '--store', 'sqlite:/nonexistent/x.db')).toEqual([2, "Error: unknown region 'XX': use an ISO country code such as FR\n"]);
  });

  it('stats', async () => {
    expect(await fails(Stats, '--format', 'xml')).toEqual([2, 'Error: Expected --format=xml to be one of: table, csv, json\n']);
  });

  it('report', async () => {
    expect(await fails(Report, '--chains', '-1')).toEqual([2, 'Error: --chains: expected a number from 0 to 50; got -1\n']);
  });

  it('report --max-nodes, written as a count', async () => {
    expect(await fails(Report, '--max-nodes', '1e5')).toEqual([2, 'Error: --max-nodes: expected a number from 2 to 10000; got 100000\n']);
  });

  it('trace --format', async () => {
    expect(await fails(Trace, '+33612345678', '--format', 'png')).toEqual([2, 'Error: Expected --format=png to be one of: tree, json, dot, mermaid, svg\n']);
  });
});
