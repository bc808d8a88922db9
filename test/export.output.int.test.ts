/**
 * `export --output` to what is not a plain file, in process (see test/inProcess.ts) on a real
 * SQLite world: a pipe (a FIFO; /dev/stdout and other devices alike) is written as it is, never
 * replaced by a regular file renamed over it, and a symbolic link keeps pointing at its file,
 * which gets the log.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-export-output-'));
const store = `sqlite:${join(dir, 'world.db')}`;
let events: number;
beforeAll(async () => {
  const r = await run('simulate', '--store', store, '--people', '50', '--grid', '20x20', '--ticks', '3', '--json');
  expect(r.code, r.stderr).toBe(0);
  events = (JSON.parse(r.stdout) as { events: number }).events;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export --output', () => {
  it('a FIFO: its reader gets the log, and it stays a FIFO', async () => {
    const fifo = join(dir, 'log.fifo');
    execFileSync('mkfifo', [fifo]);
    let read = '';
    const reader = new Promise<void>((resolve, reject) => createReadStream(fifo).on('data', (d) => (read += d)).on('end', resolve).on('error', reject));
    const r = await run('export', '--store', store, '--output', fifo, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(fifo).isFIFO()).toBe(true);
    await reader;
    expect(read.trim().split('\n')).toHaveLength(events);
  });

  it('a symbolic link: the link stays, its file gets the log', async () => {
    const target = join(dir, 'target.ndjson');
    const link = join(dir, 'link.ndjson');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    const r = await run('export', '--store', store, '--output', link, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8').trim().split('\n')).toHaveLength(events);
  });
});
