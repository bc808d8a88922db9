/**
 * `trace --direction up` ends at the index case of the chain: a person exposed by a contact who
 * later tests positive is an index case from then on (README's vocabulary), so the chain of
 * whom they expose after it, live or retroactively, ends at them, as `explain` ends it. A real
 * SQLite world ingested from a hand-written contact list, in process (see test/inProcess.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-confirmed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Up = { upstream: { sourceId: string; hops: number; indexCase: boolean }[]; upstreamTruncated: boolean };

describe('trace upstream of people exposed by a confirmed case who was exposed before', () => {
  it('stops at that case, marked index case, for a retroactive alert and a live exposure (before: it went on to the case that had exposed them, marked index case instead)', async () => {
    // 1-minute ticks from 1970-01-01T00:00Z: tick 1, 1 (infected) meets 2; tick 2, 2 meets 3; tick 3, 2 meets 4
    writeFileSync(join(dir, 'contacts.txt'), '60 1 2\n120 2 3\n180 2 4\n');
    // only confirmed cases expose, one hop, a retroactive window; every alerted person is tested a tick later and found positive
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ name: 'confirmed', exposingStatuses: [2], maxHops: 1, retroactiveMinutes: 10, testing: { share: 1, delayMinutes: 1, sensitivity: 1, specificity: 0 } }));
    const store = `sqlite:${join(dir, 'w.db')}`;
    const ingest = await run('ingest', 'contacts', join(dir, 'contacts.txt'), '--bucket', '1m', '--index', '1', '--policy', join(dir, 'policy.json'), '--store', store);
    expect(ingest.code, ingest.stderr).toBe(0);
    // by hand: 2 is alerted at tick 1 by 1 (hop 1) and tests positive at tick 2 (index case, hop 0); 3 is alerted at tick 2 through
    // that result (retroactive, a contact of that tick), 4 at tick 3 by 2 then infected (live); both at hop 1 from 2
    for (const id of ['3', '4']) {
      const up = JSON.parse((await run('trace', `id:${id}`, '--direction', 'up', '--format', 'json', '--store', store)).stdout) as Up;
      expect(up.upstream.map((l) => [l.sourceId, l.hops, l.indexCase]), id).toEqual([['2', 1, true]]);
      expect(up.upstreamTruncated).toBe(false);
      const explain = JSON.parse((await run('explain', `id:${id}`, '--json', '--store', store)).stdout) as { indexCase: { sourceId: string } };
      expect(explain.indexCase.sourceId, id).toBe('2');
    }
    // 2's own chain still goes back to 1, who exposed them before their positive test
    const two = JSON.parse((await run('trace', 'id:2', '--direction', 'up', '--format', 'json', '--store', store)).stdout) as Up;
    expect(two.upstream.map((l) => [l.sourceId, l.hops, l.indexCase])).toEqual([['1', 1, true]]);
  });
});
