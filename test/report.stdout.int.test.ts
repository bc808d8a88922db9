/**
 * `report --output -` writes the page to standard output, as `-` means for most tools (before: a
 * file named '-' in the working directory). In process (see test/inProcess.ts), on a real SQLite world.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-report-stdout-'));
const store = `sqlite:${join(dir, 'world.db')}`;
const cwd = process.cwd();
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe('report --output -', () => {
  it('writes the page alone to stdout and no file named -; with --json it is refused', async () => {
    expect((await run('simulate', '--store', store, '--ticks', '3', '--json')).code).toBe(0);
    process.chdir(dir);
    const r = await run('report', '--store', store, '--output', '-');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/i);
    expect(r.stdout.trimEnd()).toMatch(/<\/html>$/i);
    expect(existsSync(join(dir, '-'))).toBe(false);
    const both = await run('report', '--store', store, '--output', '-', '--json');
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('Error: --output - and --json would both write to standard output: give --output a file, or drop --json\n');
  });
});
