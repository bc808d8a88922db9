/**
 * A retroactive alert for a contact of the very tick in which its source tested positive, through
 * the read models (trace, explain) of a real SQLite world ingested from a hand-written contact
 * list, in process (see test/inProcess.ts). Before the fix the log left out `contactTick` when it
 * equalled the tick, so the exposures read model took the alert for a live exposure by the source
 * as it was at the tick's start (suspicious, hop 1): hop 2 under a hop cap of 1, and `explain`
 * blamed the source's status 1, which this policy does not let expose.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-sametick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a retroactive alert for a contact of the tick of the positive result', () => {
  it('is a hop-1 link from the confirmed case in trace and explain, as the people read model counts it', async () => {
    // 1-minute ticks from 1970-01-01T00:00Z: tick 1, 1 (infected) meets 2; tick 2, 2 meets 3
    writeFileSync(join(dir, 'contacts.txt'), '60 1 2\n120 2 3\n');
    // only confirmed cases expose, one hop, a retroactive window; every alerted person is tested a tick later and found positive
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ name: 'confirmed', exposingStatuses: [2], maxHops: 1, retroactiveMinutes: 10, testing: { share: 1, delayMinutes: 1, sensitivity: 1, specificity: 0 } }));
    const store = `sqlite:${join(dir, 'w.db')}`;
    const ingest = await run('ingest', 'contacts', join(dir, 'contacts.txt'), '--bucket', '1m', '--index', '1', '--policy', join(dir, 'policy.json'), '--store', store);
    expect(ingest.code, ingest.stderr).toBe(0);
    // by hand: 2 is alerted at tick 1 (hop 1), tests positive at tick 2 (an index case, hop 0), and its contact with 3 in that tick alerts 3 retroactively (hop 1)
    const trace = JSON.parse((await run('trace', 'id:3', '--direction', 'up', '--format', 'json', '--store', store)).stdout) as { tests: { hops: number }; upstream: { sourceId: string; tick: number; contactTick?: number; hops: number; sourceStatus: number }[] };
    expect(trace.tests.hops).toBe(1);
    expect(trace.upstream[0]).toMatchObject({ sourceId: '2', tick: 2, contactTick: 2, hops: 1, sourceStatus: 2 });
    const explain = JSON.parse((await run('explain', 'id:3', '--json', '--store', store)).stdout) as { chain: { retroactive: boolean; hops: number; sourceChange: { reason: string } }[]; indexCase: { sourceId: string } };
    expect(explain.chain).toHaveLength(1);
    expect(explain.chain[0]).toMatchObject({ retroactive: true, hops: 1, sourceChange: { reason: 'test-positive' } });
    expect(explain.indexCase.sourceId).toBe('2');
  });
});
