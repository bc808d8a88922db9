/**
 * A revocation applied by a simulate's tick, on a real SQLite world under `tousanticovid` (only
 * confirmed cases expose): the withdrawn case was infected at the start of that tick, yet in it
 * they expose nobody, since the tick already knows the case is void (were they to, the person
 * so exposed would stay suspicious through a case known to be false, and no revocation could
 * release them). In process (see test/inProcess.ts); the running simulate that accepts the
 * revocation is stood in for by its writer's lease, held here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../adapters/registry.js';
import { writerLease } from '../cli/lease.js';
import type { Trace, TraceLink } from '../core/index.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-same-tick-'));
const store = `sqlite:${join(dir, 'world.db')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ok(...argv: string[]): Promise<string> {
  const r = await run(...argv, '--store', store);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('a revocation in a tick where the withdrawn case meets people', () => {
  it('the case exposes nobody in the tick that revokes it; replay and verify agree', async () => {
    // a crowded world (400 people on 20x20, step 1) where the case, person 0, meets a healthy person at tick 7
    await ok('simulate', '--people', '400', '--grid', '20x20', '--step', '1', '--tick-minutes', '60', '--policy', 'tousanticovid', '--ticks', '2', '--seed', '3', '--json');
    const phone = (JSON.parse(await ok('people', '--status', '0', '--limit', '1', '--json')) as { phone: string; personId: number }[])[0]!;
    expect(phone.personId).toBe(0);
    await ok('test', phone.phone, 'positive', '--json');
    await ok('simulate', '--ticks', '3', '--json');
    const s = await openStore(store);
    const lease = await writerLease(s);
    expect(JSON.parse(await ok('test', phone.phone, 'revoked', '--json'))).toMatchObject({ status: 'accepted' });
    await lease.release();
    await s.close();
    await ok('simulate', '--ticks', '1', '--json'); // tick 7 applies the revocation

    const trace = JSON.parse(await ok('trace', phone.phone, '--direction', 'down', '--json')) as Trace;
    expect(trace).toMatchObject({ status: 0, lastChange: { tick: 7, reason: 'test-revoked' } });
    const ticks = (trace.downstream as TraceLink[]).map((l) => l.tick);
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.filter((t) => t >= 7)).toEqual([]);
    expect(JSON.parse(await ok('replay', '--verify', '--json'))).toMatchObject({ tick: 7 });
    expect((await run('verify', '--store', store)).code).toBe(0);
  });
});
