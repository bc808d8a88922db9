/**
 * `stopcovid ingest positions` on the five San Francisco taxi traces of ../shared/data (cabspotting
 * format, CRLF, skipped with a notice without that folder): the contacts must be exactly the pairs
 * of cabs within 100 m (great-circle distance computed here) at their last fixes of each minute, a
 * brute-force check over all pairs; exposures follow time-respecting paths; replay and trace work.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { available, checkPaths, cli, DATA, events, json, metres, tempDir, type Logged, type Result } from './realData.js';

const dir = tempDir();

describe.skipIf(!available)('cabspotting: five San Francisco taxis, 100 m radius, 1 minute buckets', () => {
  const folder = join(DATA, 'cabspotting-sf-5cabs');
  const store = `sqlite:${join(dir, 'taxis.db')}`;
  let files: string[];
  let result: Result;
  let log: Logged[];
  beforeAll(async () => {
    files = available ? readdirSync(folder).filter((f) => /^new_.*\.txt$/.test(f)).sort().map((f) => join(folder, f)) : [];
    result = json(await cli('ingest', 'positions', ...files, '--radius-m', '100', '--index', 'abboip', '--store', store, '--json'));
    log = events(store);
    console.info(`ingest positions (5 cabs): ${result.rows} rows, ${result.ticks} ticks, ${result.contacts} contacts, ${result.exposures} exposures in ${result.seconds} s = ${result.rowsPerSecond} rows/s`);
  }, 120_000);

  it('the contacts are exactly the pairs of cabs within 100 m at their last fixes of each minute', () => {
    // the cabs' own fixes, read here: person ids in name order (abboip, aiwalb, akgicjud, ugthfu, uvreoipy)
    const last = new Map<number, Map<number, { t: number; lat: number; lon: number }>>(); // minute -> cab -> last fix
    let rows = 0;
    files.forEach((f, cab) => {
      for (const line of readFileSync(f, 'utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        const [lat, lon, , t] = line.trim().split(/\s+/).map(Number) as [number, number, number, number];
        rows++;
        const minute = Math.ceil(t / 60); // buckets (60(m-1), 60m] seconds, aligned on the minute
        const fixes = last.get(minute) ?? new Map();
        if ((fixes.get(cab)?.t ?? -Infinity) <= t) fixes.set(cab, { t, lat, lon });
        last.set(minute, fixes);
      }
    });
    expect(result.rows).toBe(rows);
    const first = Math.min(...last.keys());
    const expected: string[] = [];
    for (const minute of [...last.keys()].sort((a, b) => a - b)) {
      const fixes = [...last.get(minute)!].sort((a, b) => a[0] - b[0]);
      for (let x = 0; x < fixes.length; x++)
        for (let y = x + 1; y < fixes.length; y++)
          if (metres(fixes[x]![1].lat, fixes[x]![1].lon, fixes[y]![1].lat, fixes[y]![1].lon) <= 100) expected.push(`${minute - first + 1}:${fixes[x]![0]}-${fixes[y]![0]}`);
    }
    const found = log.filter((e) => e.type === 'ContactDetected').map((e) => `${e.metadata.tick}:${e.data.a}-${e.data.b}`);
    expect(found.length).toBeGreaterThan(0);
    expect([...found].sort()).toEqual([...expected].sort()); // as sets: within a minute, pairs come in the detector's bucket order
    // a PersonMoved per cab per minute seen, and none else
    const seen = [...last.values()].reduce((n, m) => n + m.size, 0);
    expect(log.filter((e) => e.type === 'PersonMoved')).toHaveLength(seen);
  });

  it('exposures follow time-respecting paths of contacts from the index cab', () => {
    expect(checkPaths(log)).toBe(result.exposures);
    expect(result.exposures).toBeGreaterThan(0);
  });

  it('replay reaches the recorded state hash, and trace id:<cab> walks back to abboip', async () => {
    const replay = json<{ matches: boolean; stateHash: string }>(await cli('replay', '--store', store, '--json'));
    expect(replay).toMatchObject({ matches: true, stateHash: result.stateHash });
    const exposure = log.find((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact')!;
    const cab = log.find((e) => e.type === 'PersonRegistered' && e.data.personId === exposure.data.personId)!.data.sourceId as string;
    const t = json<{ upstream: { sourceId: string; indexCase?: boolean }[] }>(await cli('trace', `id:${cab}`, '--store', store, '--direction', 'up', '--json'));
    expect(t.upstream.at(-1)).toMatchObject({ sourceId: 'abboip', indexCase: true });
  });
});
