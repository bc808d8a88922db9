/**
 * `replay --verify` on a real SQLite file whose early tick was edited behind the store's back:
 * the plain replay checks only the last tick's hash and passes, --verify names the edited tick.
 * In process (test/inProcess.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';
import { editStoredEvent, storedEvents } from './storedLog.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'world.db');
const store = `sqlite:${file}`;

describe('replay --verify', () => {
  let recorded: string[];
  beforeAll(async () => {
    const created = await run('simulate', '--store', store, '--people', '300', '--grid', '40x40', '--ticks', '30', '--seed', '5', '--json');
    expect(created.code, created.stderr).toBe(0);
    recorded = storedEvents(file, ['TickCompleted']).map((e) => e.data.stateHash as string);
  });

  it('passes on an untouched log, checking every tick', async () => {
    const r = await run('replay', '--verify', '--store', store, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tick: 30, matches: true, verify: { ticks: 31 } });
  });

  it('names the first tick that differs when a PersonMoved of tick 4 was edited, and exits 1; the plain replay does not see it', async () => {
    // move one person of tick 4 to another cell of the grid; the person moves again later, so the last tick is untouched
    const moves = storedEvents(file, ['PersonMoved']);
    const row = moves.find((e) => e.stream === 'stopcovid.tick-4')!;
    const later = moves.filter((e) => e.data.personId === row.data.personId && e.position > row.position).length;
    expect(later).toBeGreaterThan(0);
    editStoredEvent(file, row.stream, row.revision, (data) => ({ ...data, x: ((row.data.x as number) + 1) % 40 }));

    const plain = await run('replay', '--store', store, '--json');
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ tick: 30, matches: true });

    const verified = await run('replay', '--verify', '--store', store, '--json');
    expect(verified.code).toBe(1);
    const result = JSON.parse(verified.stdout) as { tick: number; matches: boolean; verify: { ticks: number; mismatch: { tick: number; recorded: string } } };
    expect(result).toMatchObject({ tick: 4, matches: false, verify: { ticks: 4, mismatch: { tick: 4, recorded: recorded[4] } } });
    expect(verified.stderr).toMatch(/^Error: tick 4 differs: replayed state hash [0-9a-f]{64}, recorded [0-9a-f]{64}; ticks 0 to 3 match\n$/);
    const human = await run('replay', '--verify', '--store', store);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(`Error: tick 4 differs: replayed state hash `);
  });
});
