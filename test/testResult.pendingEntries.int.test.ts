/**
 * `stopcovid test` when the tick it writes also applies an older inbox entry for the same person
 * (one a simulate accepted and stopped before applying): its output tells what its own result
 * did, not what the older entry did. In process (see test/inProcess.ts), on a real SQLite world;
 * the running simulate is stood in for by its writer's lease, held here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../adapters/registry.js';
import type { TestResultOutput } from '../cli/commands/test.js';
import { writerLease } from '../cli/lease.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-pending-'));
const store = `sqlite:${join(dir, 'world.db')}`;
let phone: string;

beforeAll(async () => {
  const r = await run('simulate', '--store', store, '--people', '100', '--grid', '20x20', '--seed', '4', '--ticks', '3', '--json');
  expect(r.code, r.stderr).toBe(0);
  const people = JSON.parse((await run('people', '--store', store, '--status', '1', '--limit', '1', '--json')).stdout) as { phone: string }[];
  phone = people[0]!.phone;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('test, applying an older pending entry of the same person in its tick', () => {
  it('a negative after a pending positive: the negative changed nothing (the positive made them infected)', async () => {
    // a simulate holds the writer's lease: the positive is accepted into the inbox, and the simulate stops before applying it
    const s = await openStore(store);
    const lease = await writerLease(s);
    const accepted = await run('test', phone, 'positive', '--store', store, '--json');
    await lease.release();
    await s.close();
    expect(JSON.parse(accepted.stdout)).toMatchObject({ status: 'accepted', inboxRevision: 0 });

    const negative = await run('test', phone, 'negative', '--store', store, '--json');
    expect(negative.code, negative.stderr).toBe(0);
    expect(JSON.parse(negative.stdout) as TestResultOutput).toMatchObject({ result: 'negative', status: 'applied', inboxRevision: 1, tick: 4, statusBefore: 2, statusAfter: 2, alerted: 0, releasedAlert: false });
    const trace = JSON.parse((await run('trace', phone, '--store', store, '--json')).stdout) as { status: number };
    expect(trace.status).toBe(2);
  });
});
