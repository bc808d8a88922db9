/**
 * Time travel (issue 13, item 4) on a retroactive alert: a contact at tick 10 is only known to
 * be an exposure at tick 15, when the other person tests positive under a retroactive window. Valid
 * time (`--at-tick`) and recorded time (`--as-known-at-tick`) are independent axes. In process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../core/index.js';
import type { WorldStatusResult } from '../cli/commands/status.js';
import { ingestHandWorld, phoneOf } from './handWorlds.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-timetravel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function json<T>(...args: string[]): Promise<T> {
  const done = await run(...args, '--json');
  expect(done.code, done.stderr).toBe(0);
  return JSON.parse(done.stdout) as T;
}

describe('time travel on a retroactive alert', () => {
  // 1 and 2 meet at tick 10, both healthy; 30 and 31 meet at ticks 1 and 14 (the world's first and last tick);
  // 1 tests positive in tick 15 (a tick of its own): 2 is alerted then, for the contact of tick 10
  let store: string;
  const status = (at: number, knownAt: number) => json<WorldStatusResult>('status', phoneOf(2), '--at-tick', String(at), '--as-known-at-tick', String(knownAt), '--store', store);
  beforeAll(async () => {
    store = await ingestHandWorld(dir, 'retro', [[1, 30, 31], [10, 1, 2], [14, 30, 31]], [], 'name: retro\nretroactiveMinutes: 20\n');
    const tested = await json<{ tick: number; alerted: number }>('test', phoneOf(1), 'positive', '--store', store);
    expect(tested).toMatchObject({ tick: 15, alerted: 1 });
  });

  it('at tick 12 as known at 12 the person is 0; as known at 15 they are 1', async () => {
    expect((await status(12, 12)).person).toMatchObject({ phone: phoneOf(2), status: 0 });
    expect((await status(12, 15)).person).toMatchObject({ phone: phoneOf(2), status: 1, reason: 'contact' });
    // the world's counts follow: 4 people (1, 2, 30, 31), nobody but 2 changed by tick 12 under either view
    expect(await status(12, 12)).toMatchObject({ asOf: { tick: 12, knownAt: 12 }, healthy: 4, suspicious: 0, infected: 0 });
    expect(await status(12, 15)).toMatchObject({ healthy: 3, suspicious: 1, infected: 0 });
  });

  it('the axes are independent: before the contact nothing changes, and now is both at 15', async () => {
    expect((await status(9, 15)).person!.status).toBe(0); // the contact was at tick 10
    expect((await status(15, 14)).person!.status).toBe(0); // at tick 14 the system did not know yet
    expect(await status(15, 15)).toMatchObject({ healthy: 2, suspicious: 1, infected: 1, person: { status: 1 } });
    // without flags: the last tick on both axes, as the people read model says
    const now = await json<WorldStatusResult>('status', phoneOf(2), '--store', store);
    expect(now).toMatchObject({ asOf: { tick: 15, knownAt: 15 }, person: { status: 1 } });
    expect((await status(12, 15)).person!.status).toBe(1);
    // the source turned 2 at tick 15 (valid and recorded): at tick 12 they were healthy whatever is known
    expect((await json<WorldStatusResult>('status', phoneOf(1), '--at-tick', '12', '--store', store)).person!.status).toBe(0);
  });

  it('trace shows the exposure only when it is both valid and known', async () => {
    const traced = (at: number, knownAt: number) => json<Trace & { asOf: { tick: number; knownAt: number } }>('trace', phoneOf(2), '--at-tick', String(at), '--as-known-at-tick', String(knownAt), '--store', store);
    const known = await traced(12, 15);
    expect(known).toMatchObject({ status: 1, asOf: { tick: 12, knownAt: 15 } });
    expect(known.upstream!.map((l) => [l.phone, l.tick, l.contactTick])).toEqual([[phoneOf(1), 15, 10]]);
    const unknown = await traced(12, 12);
    expect(unknown).toMatchObject({ status: 0, upstream: [], indexCase: false });
    expect((await traced(15, 15)).upstream).toHaveLength(1);
    // downstream of the source, as known at 14: nobody yet
    const source = await json<Trace>('trace', phoneOf(1), '--as-known-at-tick', '14', '--store', store);
    expect(source).toMatchObject({ status: 0, downstreamCount: 0 });
  });

  it('refuses a tick after the last one: one line, exit 2', async () => {
    for (const command of ['trace', 'status']) {
      const done = await run(command, phoneOf(2), '--at-tick', '99', '--store', store);
      expect(done.code).toBe(2);
      expect(done.stderr).toBe("Error: --at-tick 99 is after the world's last tick 15\n");
    }
    const bad = await run('status', '--as-known-at-tick', '-1', '--store', store);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
