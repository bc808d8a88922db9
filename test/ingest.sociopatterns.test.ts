/**
 * `stopcovid ingest contacts` on the four SocioPatterns contact lists of ../shared/data (skipped,
 * with a notice, without that folder). What is checked can be defended without trusting the ingester:
 * - the exposed people, and when, are those an independent time-respecting sweep over the raw file
 *   finds (exposure only along contacts in buckets strictly later than the source's own exposure);
 * - every exposure in the log names a contact of its tick with a source that was an index case or
 *   exposed at an earlier tick: a time-respecting path back to an index case;
 * - replay reaches the recorded state hash; ingesting twice into fresh stores gives the same export.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { available, checkPaths, cli, DATA, events, exportText, json, sociopatterns, tempDir, timeRespecting, type Logged, type Result, type Run } from './realData.js';

const dir = tempDir();

const SOCIOPATTERNS = [
  // [name, file, --epoch (t = 0), bucket seconds, replay?]
  ['hospital ward, Lyon 2010', 'sociopatterns-hospital-lyon-2010/hospital_lyon_contacts.dat.gz', '2010-12-06T12:00:00Z', 20, true], // t = 0 on Monday 13:00 in Lyon (its README)
  ['primary school, Lyon 2009', 'sociopatterns-primaryschool-2009/primaryschool.csv.gz', '2009-09-30T22:00:00Z', 20, false], // local midnight of 2009-10-01, UTC+2
  ['workplace, InVS 2015', 'sociopatterns-workplace-invs15/workplace_InVS15_tij.dat.gz', '1970-01-01T00:00:00Z', 60, false], // dates unknown: relative times as they are; 1 minute buckets over two weeks
  ['high school, Marseille 2013', 'sociopatterns-highschool-2013/HighSchool2013_proximity_net.csv.gz', '1970-01-01T00:00:00Z', 20, true], // UNIX times; the largest file
] as const;

describe.skipIf(!available)('SocioPatterns contact lists (the first contact of the file as the index case)', () => {
  for (const [name, path, epoch, bucket, replay] of SOCIOPATTERNS) {
    describe(name, () => {
      const file = join(DATA, path);
      const store = `sqlite:${join(dir, `${path.split('/')[0]}.db`)}`;
      let rows: ReturnType<typeof sociopatterns>;
      let index: string;
      let result: Result;
      let run: Run;
      let log: Logged[];
      beforeAll(async () => {
        rows = sociopatterns(file);
        index = rows[0]!.i;
        run = await cli('ingest', 'contacts', file, '--index', index, '--epoch', epoch, '--bucket', `${bucket}s`, '--store', store, '--json');
        result = json(run);
        log = events(store);
        console.info(`ingest contacts ${path}: ${result.rows} rows, ${result.ticks} ticks, ${result.exposures} exposures in ${result.seconds} s = ${result.rowsPerSecond} rows/s`);
      }, 120_000);

      it('reads every row; the exposed people and their times are those of a time-respecting sweep over the raw file', () => {
        expect(rows.every((r) => r.t % 20 === 0)).toBe(true); // the README's 20 s resolution
        expect(result).toMatchObject({ rows: rows.length, skipped: 0, contacts: rows.length });
        const expected = timeRespecting(rows, index, bucket);
        const base = Date.parse(epoch);
        const idOf = new Map(log.filter((e) => e.type === 'PersonRegistered').map((e) => [e.data.personId, e.data.sourceId as string]));
        const got = new Map(log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact').map((e) => [idOf.get(e.data.personId)!, (Date.parse(e.metadata.at) - base) / 1000]));
        expect(got.size).toBeGreaterThan(0);
        expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
      });

      it('every exposure follows a contact of its tick from an index case or an earlier-exposed person', () => {
        expect(checkPaths(log)).toBe(result.exposures);
      });

      it('shows progress (rows done, rows per second) on stderr once the work lasts', () => {
        if (result.seconds >= 2) expect(run.stderr).toMatch(/^writing tick \d+ of \d+: \d+ of \d+ rows, \d+ rows\/s$/m);
      });

      if (replay)
        it('replay reaches the recorded state hash', async () => {
          const replayed = json<{ matches: boolean; stateHash: string; tick: number }>(await cli('replay', '--store', store, '--json'));
          expect(replayed).toMatchObject({ matches: true, stateHash: result.stateHash, tick: result.ticks });
        });
    });
  }

  it('ingesting the hospital list again into a fresh store gives the same export', async () => {
    const [, path, epoch] = SOCIOPATTERNS[0]; // 20 s buckets: the default
    const first = await exportText(`sqlite:${join(dir, `${path.split('/')[0]}.db`)}`);
    const again = `sqlite:${join(dir, 'hospital-again.db')}`;
    const index = sociopatterns(join(DATA, path))[0]!.i;
    json(await cli('ingest', 'contacts', join(DATA, path), '--index', index, '--epoch', epoch, '--store', again, '--json'));
    expect(await exportText(again)).toBe(first);
  }, 120_000);

  it('the high school: trace of the last exposed person, by phone, walks back to the index case', async () => {
    const [, path] = SOCIOPATTERNS[3];
    const store = `sqlite:${join(dir, `${path.split('/')[0]}.db`)}`;
    const log = events(store, ['PersonRegistered', 'HealthStatusChanged']);
    const exposure = log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact').at(-1)!;
    const phone = log.find((e) => e.type === 'PersonRegistered' && e.data.personId === exposure.data.personId)!.data.phone as string;
    const t = json<{ upstream: { tick: number; indexCase?: boolean }[]; upstreamTruncated: boolean }>(await cli('trace', phone, '--store', store, '--depth', '1000', '--json'));
    expect(t.upstream[0]!.tick).toBe(exposure.metadata.tick);
    expect(t.upstreamTruncated).toBe(false);
    expect(t.upstream.at(-1)!.indexCase).toBe(true);
    for (let k = 1; k < t.upstream.length; k++) expect(t.upstream[k]!.tick).toBeLessThan(t.upstream[k - 1]!.tick);
  });
});

