/**
 * `explain` names the unit of a policy's contact radius, as it does for the contact's distance:
 * metres in a GPS world, cells in a grid world (it printed a bare number: "within 50"). Real
 * SQLite worlds, in process (see test/inProcess.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-radius-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('explain, the rule of a policy with a contact radius', () => {
  it('says metres in a GPS world', async () => {
    // two people about 7.9 m apart (0.0001 degree of longitude at latitude 45), a is infected
    writeFileSync(join(dir, 'fixes.csv'), 'id,time,latitude,longitude\na,0,45,0\nb,0,45,0.0001\n');
    writeFileSync(join(dir, 'r50.json'), JSON.stringify({ name: 'r50', contact: { radius: 50 } }));
    const store = `sqlite:${join(dir, 'gps.db')}`;
    expect((await run('ingest', 'positions', join(dir, 'fixes.csv'), '--radius-m', '100', '--index', 'a', '--policy', join(dir, 'r50.json'), '--store', store)).code).toBe(0);
    const r = await run('explain', 'id:b', '--store', store);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rule: policy 'r50': any contact, within 50 m [PolicyAdopted @");
  });

  it('says cells in a grid world', async () => {
    writeFileSync(join(dir, 'r1.json'), JSON.stringify({ name: 'r1', contact: { radius: 1 } }));
    const store = `sqlite:${join(dir, 'grid.db')}`;
    expect((await run('simulate', '--people', '60', '--grid', '6x6', '--radius', '2', '--ticks', '2', '--policy', join(dir, 'r1.json'), '--store', store)).code).toBe(0);
    const people = JSON.parse((await run('people', '--status', '1', '--limit', '100', '--json', '--store', store)).stdout) as { phone: string; lastChange?: { reason: string } }[];
    const exposed = people.find((p) => p.lastChange?.reason === 'contact')!;
    const r = await run('explain', exposed.phone, '--store', store);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rule: policy 'r1': any contact, within 1 cell [PolicyAdopted @");
  });
});
