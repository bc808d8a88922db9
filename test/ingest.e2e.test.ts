/**
 * `stopcovid ingest` as a user runs it: the built binary on the hand-made files of
 * test/fixtures/ingest, into real SQLite files, then replay, trace, consume, export and simulate
 * on the ingested world. The right answers are worked out by hand in the comments.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertId, runBridge, type Notification, type NotificationBus, type OutgoingAlert } from '../core/index.js';
import { worldAlertKey } from '../cli/identity.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { BIN, cli, json, lines, type Run } from './cli.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'ingest');
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));



type Logged = { type: string; data: Record<string, unknown>; metadata: { tick: number; at: string; causationId?: string } };
const exportOf = async (store: string): Promise<Logged[]> => {
  const run = await cli('export', '--store', store);
  expect(run.code, run.stderr).toBe(0);
  return lines(run.stdout).map((l) => JSON.parse(l) as Logged);
};
const exposuresIn = (log: Logged[]) => log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact').map((e) => [e.metadata.tick, e.data.personId, e.data.sourcePersonId]);
const fixture = (name: string) => join(FIXTURES, name);
let n = 0;
const freshStore = () => `sqlite:${join(dir, `s${++n}.db`)}`;

interface Result {
  rows: number;
  skipped: number;
  firstSkipped: string[];
  people: number;
  ticks: number;
  contacts: number;
  exposures: number;
  status: { healthy: number; suspicious: number; infected: number };
  stateHash: string;
  rowsPerSecond: number;
  placeholderPhones: number;
}

describe('ingest contacts: the A, B, C, D contact list (contacts-abcd.tsv)', () => {
  // contacts-abcd.tsv, tab-separated with two extra columns:   50 D B / 100 A B / 200 B C
  // Ids sort as A=0, B=1, C=2, D=3; A is the index case. 20 s buckets aligned on 1970-01-01: the first
  // row (50 s) must fall in tick 1, so tick 1 is (40 s, 60 s] and tick t ends at 40 + 20t seconds:
  // 50 s -> tick 1, 100 s -> tick 3, 200 s -> tick 8.
  // tick 1: D-B, both healthy: nothing. tick 3: A (2) - B (0): B becomes 1, source A.
  // tick 8: B (1 since tick 3) - C (0): C becomes 1, source B. D met B before B was exposed: D stays 0.
  const store = freshStore();
  let result: Result;
  let log: Logged[];
  beforeAll(async () => {
    result = json(await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--store', store, '--json'));
    log = await exportOf(store);
  });

  it('people lists them without a place: a contact list has no positions', async () => {
    const people = lines((await cli('people', '--store', store)).stdout);
    expect(people).toHaveLength(4);
    expect(people[1]).toBe('+999000000001 (id B)  person 1  suspicious  since tick 3 (contact)');
  });

  it('B is exposed at tick 3 by A, C at tick 8 by B, D stays healthy', () => {
    expect(result).toMatchObject({ rows: 3, skipped: 0, people: 4, ticks: 8, contacts: 3, exposures: 2, status: { healthy: 1, suspicious: 2, infected: 1 }, placeholderPhones: 4 });
    expect(exposuresIn(log)).toEqual([[3, 1, 0], [8, 2, 1]]);
    const at = (tick: number) => log.find((e) => e.metadata.tick === tick)!.metadata.at;
    expect([at(3), at(8)]).toEqual(['1970-01-01T00:01:40.000Z', '1970-01-01T00:03:20.000Z']);
    const registered = log.filter((e) => e.type === 'PersonRegistered').map((e) => [e.data.sourceId, e.data.phone]);
    expect(registered).toEqual([['A', '+999000000000'], ['B', '+999000000001'], ['C', '+999000000002'], ['D', '+999000000003']]);
  });

  it('one stream per tick, each closed by TickCompleted: ticks 0 to 8, empty buckets included', () => {
    expect(log.filter((e) => e.type === 'TickCompleted').map((e) => e.data.tick)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log[0]).toMatchObject({ type: 'WorldIngested', data: { source: 'contacts', tickMs: 20_000, lastTick: 8, inputs: [{ file: 'contacts-abcd.tsv', format: 'sociopatterns', rows: 3, skipped: 0 }] } });
  });

  it('replay reaches the recorded state hash', async () => {
    const replay = json<{ tick: number; matches: boolean; stateHash: string }>(await cli('replay', '--store', store, '--json'));
    expect(replay).toMatchObject({ tick: 8, matches: true, stateHash: result.stateHash });
  });

  it('trace C by its placeholder phone and by id:C: upstream B (tick 8), then A, the index case', async () => {
    for (const who of ['+999000000002', '+999 000 000 002', 'id:C']) {
      const t = json<{ sourceId: string; status: number; upstream: { sourceId: string; phone: string; tick: number; indexCase?: boolean }[] }>(await cli('trace', who, '--store', store, '--json'));
      expect(t.sourceId).toBe('C');
      expect(t.status).toBe(1);
      expect(t.upstream.map((l) => [l.sourceId, l.phone, l.tick, l.indexCase])).toEqual([['B', '+999000000001', 8, false], ['A', '+999000000000', 3, true]]);
    }
    const tree = await cli('trace', 'id:B', '--store', store);
    expect(tree.stdout).toContain('<- +999000000000 (id A) (infected, index case) exposed +999000000001 (id B) at tick 3 (1970-01-01T00:01:40.000Z) (hop 1)\n');
    expect(tree.stdout).toContain('-> +999000000002 (id C) exposed at tick 8');
    expect(tree.stdout).not.toContain('cell (');
    const unknown = await cli('trace', 'id:Z', '--store', store);
    expect(unknown.stderr).toMatch(/^Error: no person with id 'Z' in this world; try one of id:A, id:B, id:C \(stopcovid people lists them\)\n?$/); 
  });

  it('consume prints one alert per exposure, to the exposed placeholder phones, on the day of its bucket', async () => {
    const run = await cli('consume', '--store', store, '--json');
    const alerts = lines(run.stdout).map((l) => JSON.parse(l) as { phone: string; notificationId: string; kind: string; day: string });
    expect(alerts).toMatchObject([
      { phone: '+999000000001', kind: 'exposure', day: '1970-01-01' },
      { phone: '+999000000002', kind: 'exposure', day: '1970-01-01' },
    ]);
    const sqlite = sqliteStore(store.slice('sqlite:'.length), { create: false });
    try {
      const key = await worldAlertKey(sqlite);
      expect(alerts.map((a) => a.notificationId)).toEqual([alertId(key, 'n-3-1'), alertId(key, 'n-8-2')]);
    } finally {
      await sqlite.close();
    }
  });

  it('the notification bridge publishes the same alerts (to an in-process bus)', async () => {
    const published: OutgoingAlert[] = [];
    const marked: Notification[] = [];
    const bus: NotificationBus = { publish: async (batch) => void published.push(...batch), consume: async () => undefined, close: async () => undefined };
    const sqlite = sqliteStore(store.slice('sqlite:'.length), { create: false });
    try {
      const key = await worldAlertKey(sqlite);
      const { published: count } = await runBridge(sqlite, bus, { checkpoint: 'bridge:test', follow: false, key, onPublished: (batch) => void marked.push(...batch) });
      expect(count).toBe(2);
      expect(published.map((p) => [p.alert.notificationId, p.alert.phone, p.alert.day, p.alert.kind])).toEqual([
        [alertId(key, 'n-3-1'), '+999000000001', '1970-01-01', 'exposure'],
        [alertId(key, 'n-8-2'), '+999000000002', '1970-01-01', 'exposure'],
      ]);
      // the tracer's side (the ledger's markPublished) gets its own ids back
      expect(marked.map((n) => [n.notificationId, n.phone, n.tick])).toEqual([['n-3-1', '+999000000001', 3], ['n-8-2', '+999000000002', 8]]);
    } finally {
      await sqlite.close();
    }
  });

  it('simulate refuses an ingested store; a second ingest into it is refused; the log stays as it was', async () => {
    const before = (await cli('export', '--store', store)).stdout;
    const sim = await cli('simulate', '--store', store, '--ticks', '1');
    expect(sim.code).toBe(2);
    expect(sim.stderr).toBe(`Error: ${store} holds a world ingested from contacts-abcd.tsv (contacts), not a simulation: simulate cannot continue it; use another --store\n`);
    const again = await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--store', store);
    expect(again.code).toBe(2);
    expect(lines(again.stderr)).toEqual([`Error: ${store} already holds ${log.length} events: ingest writes a new world, use a fresh --store`]);
    expect((await cli('export', '--store', store)).stdout).toBe(before);
  });

  it('an unfinished ingestion (its last ticks missing, as a killed ingest leaves EventStoreDB) is refused by readers of the read models', async () => {
    const partial = freshStore();
    expect((await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--store', partial)).code).toBe(0);
    // keep ticks 0 to 5 of 8: what an ingest killed after tick 5 leaves in a store written tick by tick
    const db = new Database(partial.replace(/^sqlite:/, ''));
    db.exec("DELETE FROM batches WHERE CAST(substr(stream, 16) AS INTEGER) > 5; DELETE FROM streams WHERE CAST(substr(stream, 16) AS INTEGER) > 5; DROP TABLE IF EXISTS read_models");
    for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm_%'").pluck().all() as string[]) db.exec(`DROP TABLE ${t}`);
    db.close();
    for (const command of [['trace', 'id:C'], ['consume'], ['people'], ['replay']]) {
      const run = await cli(...command, '--store', partial);
      expect(run.code, command.join(' ')).toBe(2);
      expect(run.stderr).toBe(`Error: ${partial} holds an unfinished ingestion (tick 5 of 8): ingest it again into an empty store\n`);
    }
  });

  it('with 5 minute buckets the three contacts share tick 1: only B is exposed (statuses at the start of the bucket decide)', async () => {
    const other = freshStore();
    const r = json<Result>(await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--bucket', '5m', '--store', other, '--json'));
    expect(r).toMatchObject({ ticks: 1, exposures: 1 });
    expect(exposuresIn(await exportOf(other))).toEqual([[1, 1, 0]]);
  });

  it('--bucket 1d --tz Europe/Paris: a tick is a local day from local midnight, the zone is recorded, consume names the local day, and trace shows local times with --tz', async () => {
    // the rows at 50, 100 and 200 s after 2010-12-06T12:00:00Z (13:00 in Paris) fall on Monday 6 December in Paris
    const paris = freshStore();
    const args = ['ingest', 'contacts', fixture('contacts-abcd.tsv'), '--index', 'A', '--epoch', '2010-12-06T12:00:00Z', '--bucket', '1d'];
    const r = json<Result & { start: string; end: string; timeZone: string }>(await cli(...args, '--tz', 'Europe/Paris', '--store', paris, '--json'));
    expect(r).toMatchObject({ ticks: 1, start: '2010-12-05T23:00:00.000Z', end: '2010-12-06T23:00:00.000Z', timeZone: 'Europe/Paris' });
    const world = (await exportOf(paris))[0]!;
    expect(world).toMatchObject({ type: 'WorldIngested', data: { timeZone: 'Europe/Paris', start: '2010-12-05T23:00:00.000Z' } });
    // by default (UTC) the day starts at 00:00Z, no longer at the epoch (12:00Z)
    const utc = json<Result & { start: string; timeZone: string }>(await cli(...args, '--store', freshStore(), '--json'));
    expect(utc).toMatchObject({ start: '2010-12-06T00:00:00.000Z', timeZone: 'UTC' });
    // only B is exposed in tick 1 (statuses at the start of the bucket decide); the alert names the Paris day of the bucket
    const alerts = await cli('consume', '--store', paris);
    expect(lines(alerts.stdout).map((l) => l.split('  ').slice(0, 2).join(' '))).toEqual(['2010-12-06 +999000000001']);
    expect(alerts.stdout).toContain('On 2010-12-06 you were in contact');
    const human = await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--epoch', '2010-12-06T12:00:00Z', '--bucket', '1d', '--tz', 'europe/paris', '--store', freshStore());
    expect(human.stdout).toContain('1 tick of 1d from 2010-12-06T00:00:00.000+01:00 to 2010-12-07T00:00:00.000+01:00');
    const traced = await cli('trace', 'id:B', '--direction', 'up', '--tz', 'Europe/Paris', '--store', paris);
    expect(traced.stdout).toContain('exposed +999000000001 (id B) at tick 1 (2010-12-07T00:00:00.000+01:00)');
    // without --tz, trace shows the zone the world was ingested with; --tz UTC still overrides it
    expect((await cli('trace', 'id:B', '--direction', 'up', '--store', paris)).stdout).toContain('exposed +999000000001 (id B) at tick 1 (2010-12-07T00:00:00.000+01:00)');
    expect((await cli('trace', 'id:B', '--direction', 'up', '--tz', 'UTC', '--store', paris)).stdout).toContain('exposed +999000000001 (id B) at tick 1 (2010-12-06T23:00:00.000Z)');
    const bad = await cli(...args, '--tz', 'Europe/Lyon', '--store', freshStore());
    expect(bad).toMatchObject({ code: 2, stderr: "Error: --tz: unknown time zone 'Europe/Lyon': use an IANA name such as Europe/Paris, or UTC\n" });
  });

  it('--tz warns when the zone changes its UTC offset within the data, so day buckets drift off local midnight', async () => {
    // 2013-03-30T12:00:50Z, then two days later: Paris moved to summer time on 31 March at 02:00
    writeFileSync(join(dir, 'dst.tsv'), '50\tA\tB\n200000\tA\tB\n');
    const r = await cli('ingest', 'contacts', join(dir, 'dst.tsv'), '--epoch', '2013-03-30T12:00:00Z', '--bucket', '1d', '--tz', 'Europe/Paris', '--store', freshStore(), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('warning: Europe/Paris changes its UTC offset by 1 hour within the data; buckets keep their length of 1d, so after the change they start 1h after local midnight\n');
  });

  it('CRLF line ends and gzip give the same log', async () => {
    const text = readFileSync(fixture('contacts-abcd.tsv'), 'utf8');
    for (const [folder, bytes] of [['crlf', Buffer.from(text.replace(/\n/g, '\r\n'))], ['gzip', gzipSync(text)]] as const) {
      mkdirSync(join(dir, folder));
      writeFileSync(join(dir, folder, 'contacts-abcd.tsv'), bytes); // same base name: WorldIngested.inputs records it
      const other = freshStore();
      json(await cli('ingest', 'contacts', join(dir, folder, 'contacts-abcd.tsv'), '--index', 'A', '--store', other, '--json'));
      expect(JSON.stringify(await exportOf(other))).toBe(JSON.stringify(log));
    }
  });

  it('--phones gives real numbers (national forms read in --region), --statuses sets initial statuses', async () => {
    writeFileSync(join(dir, 'phones.csv'), 'id,phone\nB,06 12 34 56 78\nC,+33 7 00 00 00 01\n');
    writeFileSync(join(dir, 'statuses.csv'), 'A,2\nD,1\n');
    // D (1) now exposes B at tick 1 (t=50); A-B at tick 3 changes nothing (B is 1); B-C at tick 8 exposes C
    const other = freshStore();
    const r = json<Result>(await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--phones', join(dir, 'phones.csv'), '--statuses', join(dir, 'statuses.csv'), '--store', other, '--json'));
    expect(r).toMatchObject({ placeholderPhones: 2, status: { healthy: 0, suspicious: 3, infected: 1 } });
    const other2 = await exportOf(other);
    expect(exposuresIn(other2)).toEqual([[1, 1, 3], [8, 2, 1]]);
    expect(other2.filter((e) => e.type === 'NotificationIssued').map((e) => e.data.phone)).toEqual(['+33612345678', '+33700000001']);
    const t = json<{ upstream: { sourceId: string }[] }>(await cli('trace', '07 00 00 00 01', '--store', other, '--json'));
    expect(t.upstream.map((l) => l.sourceId)).toEqual(['B', 'D']);
  });

  it('--skip-invalid skips bad rows, reports how many, and ingests the rest as if they were not there', async () => {
    const bad = join(dir, 'with-bad-rows.tsv');
    writeFileSync(bad, '50\tD\tB\n75\tA\n100\tA\tB\nsoon\tB\tC\n200\tB\tC\n');
    const other = freshStore();
    const run = await cli('ingest', 'contacts', bad, '--index', 'A', '--skip-invalid', '--store', other, '--json');
    const r = json<Result>(run);
    expect(r).toMatchObject({ rows: 3, skipped: 2, exposures: 2 });
    expect(r.firstSkipped).toEqual([`${bad}:2: expected at least 3 columns (t i j), got 2`, `${bad}:4: time 'soon' is not a number`]);
    expect(run.stderr).toContain(`skipped 2 bad rows; the first: ${bad}:2: expected at least 3 columns (t i j), got 2`);
    const withoutWorld = (l: Logged[]) => JSON.stringify(l.filter((e) => e.type !== 'WorldIngested'));
    expect(withoutWorld(await exportOf(other))).toBe(withoutWorld(log));
  });
});

describe('ingest positions: two traces crossing (crossing.csv)', () => {
  // crossing.csv, rows out of order. Radius 20 m, 1 minute buckets from 1970-01-01T00:00:00Z; at the
  // equator 0.0001 degree is 11.12 m. Projected x (metres east of the westmost fix, longitude 0):
  // lon 0.0001 -> 11, 0.0002 -> 22, 0.0004 -> 44, 0.0010 -> 111, 0.0011 -> 122, 0.0030 -> 334.
  // tick 1 (0, 60 s]: ann's last fix is t=50 at lon 0.0001 (the t=10 fix, listed after it, is older);
  //   bob at 0.0002: 11.12 m apart -> contact, ann is the index case -> bob exposed.
  //   cid at (0.0001, 0.0011): over 100 m from both.
  // tick 2 (60, 120 s]: ann at 0.0010, bob at 0.0004: 66.7 m -> no contact. cid unseen: his last place
  //   is 11 m from ann's, but a gap is a gap -> no contact.
  // tick 3 (120, 180 s]: ann and cid both at 0.0030 -> contact at 0 m, cid exposed.
  const store = freshStore();
  let log: Logged[];
  let result: Result;
  beforeAll(async () => {
    result = json(await cli('ingest', 'positions', fixture('crossing.csv'), '--radius-m', '20', '--index', 'ann', '--store', store, '--json'));
    log = await exportOf(store);
  });

  it('a contact in the bucket where the traces cross, none in the next, none across a gap', () => {
    expect(result).toMatchObject({ rows: 8, people: 3, ticks: 3, contacts: 2, exposures: 2 });
    const contacts = log.filter((e) => e.type === 'ContactDetected').map((e) => [e.metadata.tick, e.data.a, e.data.b, e.data.x, e.data.distance]);
    expect(contacts).toEqual([[1, 0, 1, 11, 11.12], [3, 0, 2, 334, 0]]);
    expect(exposuresIn(log)).toEqual([[1, 1, 0], [3, 2, 0]]);
    const moves = (tick: number) => log.filter((e) => e.type === 'PersonMoved' && e.metadata.tick === tick).map((e) => [e.data.personId, e.data.x, e.data.y]);
    expect(moves(1)).toEqual([[0, 11, 0], [1, 22, 0], [2, 122, 11]]);
    expect(moves(2)).toEqual([[0, 111, 0], [1, 44, 0]]);
    expect(log[0]).toMatchObject({ type: 'WorldIngested', data: { source: 'positions', radiusM: 20, projection: { originLat: 0, originLon: 0 } } });
  });

  it('replay matches; trace shows metres', async () => {
    expect(json<{ matches: boolean }>(await cli('replay', '--store', store, '--json')).matches).toBe(true);
    const t = await cli('trace', 'id:cid', '--store', store, '--direction', 'up');
    expect(t.stdout).toContain('<- +999000000000 (id ann) (infected, index case) exposed +999000000002 (id cid) at tick 3 (1970-01-01T00:03:00.000Z) at (334 m, 0 m)');
    // people: the same place in metres as trace, not a grid cell
    const people = lines((await cli('people', '--store', store)).stdout);
    expect(people.find((l) => l.includes('(id cid)'))).toMatch(/^\+999000000002 \(id cid\)  person 2  suspicious  at \(\d+ m, -?\d+ m\)  since tick 3 \(contact\)$/);
  });
});

describe('ingest positions: cabspotting files (newest fix first, CRLF, id from the file name)', () => {
  // new_alpha.txt and new_bravo.txt, one longitude (-122.4), latitudes 37.75 (alpha) and 37.7505 then 37.752
  // (bravo): 0.0005 degree north = 55.6 m, 0.002 degree = 222.4 m. Times 1211018410-1211018480: 1 minute
  // buckets aligned on the minute, tick 1 = (1211018400, 1211018460], tick 2 the next minute.
  // Radius 100 m: tick 1 contact (55.6 m), alpha (index) exposes bravo; tick 2 no contact (222.4 m).
  it('finds the contact at 55.6 m and not the 222.4 m one; LF files give the same log', async () => {
    const store = freshStore();
    const files = [fixture('new_alpha.txt'), fixture('new_bravo.txt')];
    const r = json<Result>(await cli('ingest', 'positions', ...files, '--radius-m', '100', '--index', 'alpha', '--store', store, '--json'));
    expect(r).toMatchObject({ rows: 4, people: 2, ticks: 2, contacts: 1, exposures: 1 });
    const log = await exportOf(store);
    expect(log.filter((e) => e.type === 'ContactDetected').map((e) => [e.metadata.tick, e.data.distance])).toEqual([[1, 55.6]]);
    expect(log.filter((e) => e.type === 'PersonRegistered').map((e) => e.data.sourceId)).toEqual(['alpha', 'bravo']);
    expect(log[0]!.data.start).toBe(new Date(1211018400_000).toISOString());

    mkdirSync(join(dir, 'lf'));
    for (const f of files) writeFileSync(join(dir, 'lf', f.split('/').pop()!), readFileSync(f, 'utf8').replace(/\r\n/g, '\n'));
    const lf = freshStore();
    json(await cli('ingest', 'positions', join(dir, 'lf', 'new_alpha.txt'), join(dir, 'lf', 'new_bravo.txt'), '--radius-m', '100', '--index', 'alpha', '--store', lf, '--json'));
    expect(JSON.stringify(await exportOf(lf))).toBe(JSON.stringify(log));
  });
});

describe.concurrent('bad input: one line with file and line on stderr, exit 2, nothing written', () => {
  const bad = (name: string, content: string | Buffer) => {
    const file = join(dir, 'bad', name);
    mkdirSync(join(dir, 'bad'), { recursive: true });
    writeFileSync(file, content);
    return file;
  };
  const gz = gzipSync('100 1 2\n');
  // every kind of bad row is checked by the readers' unit tests (cli/ingest/readers.test.ts); these run
  // a few through the binary: one line on stderr, exit code 2, and no store file created
  const cases: [string, () => string[], RegExp | string][] = [
    ['contacts: too few columns', () => ['contacts', bad('c1.txt', '100 1 2\n120 3\n')], /c1\.txt:2: expected at least 3 columns \(t i j\), got 2$/m],
    ['contacts: a time going back', () => ['contacts', bad('c3.txt', '100 1 2\n120 2 3\n80 3 4\n')], 'c3.txt:3: time 80 goes back before 120 (line 2)'],
    ['contacts: an empty file', () => ['contacts', bad('c5.txt', '')], 'c5.txt:1: empty file: no rows'],
    ['contacts: a truncated gzip file', () => ['contacts', bad('c7.gz', gz.subarray(0, gz.length - 6))], /c7\.gz: not a valid gzip file \(unexpected end of file\)/],
    ['contacts: a missing file', () => ['contacts', join(dir, 'bad', 'nothing.txt')], /cannot read .*nothing\.txt: no such file/],
    ['contacts: an --index id not in the file', () => ['contacts', fixture('contacts-abcd.tsv'), '--index', 'A,Z'], "--index: person 'Z' appears in no row of the input"],
    ['contacts: a bad --bucket', () => ['contacts', fixture('contacts-abcd.tsv'), '--bucket', '20'], "--bucket: expected a duration with a unit, like 20s, 1m or 1h; got '20'"],
    ['positions: latitude above 90', () => ['positions', bad('g1.csv', 'a,10,45,2\nb,10,91,2\n'), '--radius-m', '5'], 'g1.csv:2: latitude 91 is outside [-90, 90]'],
    ['positions: a CRLF cabspotting file with a bad occupancy', () => ['positions', bad('new_x.txt', '37.7 -122.4 0 1211018410\r\n37.7 -122.4 2 1211018470\r\n'), '--radius-m', '5'], "new_x.txt:2: occupancy '2' is not 0 or 1"],
    ['positions: a bad radius', () => ['positions', fixture('crossing.csv'), '--radius-m', '-3'], "--radius-m: expected a positive number of metres; got '-3'"],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const file = join(dir, `refused-${name.replace(/\W+/g, '-')}.db`);
      const run = await cli('ingest', ...args(), '--store', `sqlite:${file}`);
      expect(run.code).toBe(2);
      expect(lines(run.stderr), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(/^Error: /);
      if (typeof message === 'string') expect(run.stderr).toContain(message);
      else expect(run.stderr).toMatch(message);
      expect(existsSync(file), 'the store was created').toBe(false);
    });
  }

  it('a refused file leaves an existing store as it was; --skip-invalid over only bad rows refuses too', async () => {
    const store = freshStore();
    json(await cli('ingest', 'contacts', fixture('contacts-abcd.tsv'), '--store', store, '--json'));
    const before = (await cli('export', '--store', store)).stdout;
    const refused = await cli('ingest', 'positions', bad('g8.csv', 'a,10,45,2\nb,10,95,2\n'), '--radius-m', '5', '--store', store);
    expect(refused.stderr).toBe(`Error: ${join(dir, 'bad', 'g8.csv')}:2: latitude 95 is outside [-90, 90]\n`);
    expect((await cli('export', '--store', store)).stdout).toBe(before);
    const allBad = await cli('ingest', 'contacts', bad('c8.txt', 'x y\n'), '--skip-invalid', '--store', `sqlite:${join(dir, 'all-bad.db')}`);
    expect(allBad.code).toBe(2);
    expect(allBad.stderr).toBe('Error: no rows to ingest (1 bad row skipped)\n');
  });

  it('--help tells the formats, that out-of-order fixes are sorted, and that times going back are refused', async () => {
    const positions = await cli('ingest', 'positions', '--help');
    expect(positions.stdout).toMatch(/Out-of-order fixes are SORTED, not refused/);
    expect(positions.stdout).toContain('--radius-m');
    const contacts = await cli('ingest', 'contacts', '--help');
    expect(contacts.stdout).toMatch(/Times must not go back/);
    for (const run of [positions, contacts]) {
      expect(run.stdout).toContain('--json');
      expect(run.stdout).toContain('--store');
      expect(run.stdout).toContain('--skip-invalid');
    }
  });
});

it('the cabspotting fixtures have CRLF line ends, like the copy in ../shared/data', () => {
  for (const f of ['new_alpha.txt', 'new_bravo.txt']) expect(readFileSync(fixture(f), 'utf8')).toMatch(/^([^\r\n]+\r\n)+$/);
});
