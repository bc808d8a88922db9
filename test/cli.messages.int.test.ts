/**
 * The wording of one-line messages, in process (see test/inProcess.ts) on small SQLite files:
 * an output that cannot be written is said the same way by report and export, a URL ending in ':'
 * (memory:) is never followed by a second ':', and counts agree with their noun.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-messages-'));
const store = `sqlite:${join(dir, 'abcd.db')}`;
const fixture = join(import.meta.dirname, 'fixtures', 'ingest', 'contacts-abcd.tsv');
beforeAll(async () => {
  const r = await run('ingest', 'contacts', fixture, '--index', 'A', '--store', store, '--json');
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one-line messages', () => {
  it('report and export say an output they cannot write the same way, in words', async () => {
    const folder = join(dir, 'out');
    mkdirSync(folder);
    for (const [command, name] of [['report', 'r.html'], ['export', 'log.ndjson']] as const) {
      const missing = join(dir, 'nonexistent', name);
      const r = await run(command, '--store', store, '-o', missing);
      expect([command, r.code, r.stderr]).toEqual([command, 2, `Error: cannot write ${missing}: no such directory\n`]);
      const d = await run(command, '--store', store, '-o', folder);
      expect([command, d.code, d.stderr]).toEqual([command, 2, `Error: cannot write ${folder}: it is a directory\n`]);
    }
    expect(readdirSync(folder)).toEqual([]);
  });

  it("a memory: store is never followed by a second ':'", async () => {
    for (const command of ['report', 'stats']) {
      const r = await run(command, '--store', 'memory:');
      expect([command, r.code, r.stderr]).toEqual([command, 2, 'Error: no world in a memory: store, which lives only in the process that made it: simulate into a file (--store sqlite:./stopcovid.db)\n']);
    }
    // read models kept for one store, asked for by another
    const models = join(dir, 'models.db');
    expect((await run('people', '--store', store, '--read-models', `sqlite:${models}`, '--limit', '1')).code).toBe(0);
    const other = await run('people', '--store', 'memory:', '--read-models', `sqlite:${models}`);
    expect([other.code, other.stderr]).toEqual([2, `Error: read models in ${models} mirror the store ${store}, not the memory: store: use another --read-models file\n`]);
  });

  it('one skipped bad row is "1 bad row"', async () => {
    const input = join(dir, 'one-bad.tsv');
    writeFileSync(input, '50\tD\tB\n75\tA\n100\tA\tB\n');
    const r = await run('ingest', 'contacts', input, '--index', 'A', '--skip-invalid', '--store', `sqlite:${join(dir, 'one-bad.db')}`, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`skipped 1 bad row; the first: ${input}:2: expected at least 3 columns (t i j), got 2\n`);
  });
});
