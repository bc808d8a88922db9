/**
 * A contact list has no positions: `people`, `trace` and `explain --json` leave out the cell (and
 * a contact's distance) that their text already leaves out, rather than print a placeholder
 * (0, 0) that reads as a real place. In process, on real SQLite files made by `ingest`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-placeless-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', 'ingest', name);

async function json(...argv: string[]): Promise<string> {
  const r = await run(...argv, '--json');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('JSON of a contact-list world names no place', () => {
  it('people, trace and explain carry no cell or distance', async () => {
    // contacts-abcd.tsv, hand-worked: A (index) exposes B at tick 3 (100 s), B exposes C at tick 8 (200 s)
    const store = `sqlite:${join(dir, 'abcd.db')}`;
    await json('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--store', store);
    const people = await json('people', '--store', store);
    expect(JSON.parse(people)).toHaveLength(4);
    const trace = await json('trace', 'id:C', '--store', store);
    expect(JSON.parse(trace).upstream.map((l: { tick: number }) => l.tick)).toEqual([8, 3]);
    const explain = await json('explain', 'id:C', '--store', store);
    expect(JSON.parse(explain).chain).toHaveLength(2);
    for (const out of [people, trace, explain]) {
      expect(out).not.toContain('"cell"');
      expect(out).not.toContain('"distance"');
    }
    // trace --format json (not --json) prints the same object
    const r = await run('trace', 'id:C', '--store', store, '--format', 'json');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(trace));
  });

  it('a GPS world keeps its places, in metres', async () => {
    const store = `sqlite:${join(dir, 'cabs.db')}`;
    await json('ingest', 'positions', fixture('new_alpha.txt'), fixture('new_bravo.txt'), '--radius-m', '100', '--index', 'alpha', '--store', store);
    const people = JSON.parse(await json('people', '--store', store)) as { cell?: unknown }[];
    expect(people.every((p) => p.cell !== undefined)).toBe(true);
  });
});
