/**
 * The input readers on small files written here: each bad row is named by file and line, or
 * skipped and counted with --skip-invalid. (test/ingest.e2e.test.ts runs a few of these through
 * the real binary to check the one-line error, the exit code and that nothing is written.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContactRows, readContacts } from './contacts.js';
import { buildPeople, IdTable } from './people.js';
import { cabId, detectFormat, PositionRows, readPositions, type PositionFormat } from './positions.js';
import { decimal, Invalid } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string, name = `f${++n}.txt`) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

async function contacts(content: string, skip = false, epochMs = 0) {
  const path = file(content);
  const ids = new IdTable();
  const rows = new ContactRows();
  const invalid = new Invalid(skip);
  const count = await readContacts(path, ids, epochMs, rows, invalid, () => {});
  return { path, ids, rows, invalid, count };
}

async function positions(content: string, format: PositionFormat, skip = false, name?: string) {
  const path = file(content, name);
  const ids = new IdTable();
  const rows = new PositionRows();
  const invalid = new Invalid(skip);
  const count = await readPositions(path, format, ids, 0, rows, invalid, () => {});
  return { path, ids, rows, invalid, count };
}

describe('SocioPatterns contact lists', () => {
  it('reads t i j with spaces or tabs and extra columns; times are epoch + t seconds', async () => {
    const { rows, ids, count } = await contacts('100 1 2 2BIO1 2BIO1\n120\t3\t1\tMP*1\tMP*2\n', false, Date.parse('2010-12-06T12:00:00Z'));
    expect(count).toMatchObject({ format: 'sociopatterns', rows: 2, skipped: 0 });
    expect([...rows.time.values()]).toEqual([Date.parse('2010-12-06T12:01:40Z'), Date.parse('2010-12-06T12:02:00Z')]);
    expect(ids.finish().ids).toEqual(['1', '2', '3']);
  });

  const bad: [string, string, string][] = [
    ['too few columns', '100 1 2\n120 3\n', ':2: expected at least 3 columns (t i j), got 2'],
    ['a time that is not a number', '100 1 2\n1e 3 4\n', ":2: time '1e' is not a number"],
    ['a hexadecimal time', '0x10 1 2\n', ":1: time '0x10' is not a number"],
    ['a time going back', '100 1 2\n120 2 3\n80 3 4\n', ':3: time 80 goes back before 120 (line 2): a contact list must be sorted by time'],
    ['a self-contact', '100 7 7\n', ":1: person '7' in contact with themself"],
    ['an empty file', '', ':1: empty file: no rows'],
    ['blank lines only', '\n \r\n\n', ':1: empty file: no rows'],
    ['a time beyond the year 9999', '1e12 1 2\n', ':1: time 1e12 s is outside the years 0000-9999'],
    ['a person id that is not a whole number after whole-number ones', '1 2 3\n20 1 x\n', ":2: person id 'x' is not a whole number, unlike the first id, '2' on line 1"],
    ['a word beside a whole-number first id', '1 2 B\n', ":1: person id 'B' is not a whole number, unlike the first id, '2' on line 1"],
  ];
  for (const [name, content, message] of bad) {
    it(`refuses ${name}, naming file and line`, async () => {
      await expect(contacts(content)).rejects.toThrow(message);
    });
  }

  it('--skip-invalid skips and counts bad rows; a time going back does not move the reference time', async () => {
    const { rows, count, invalid, path } = await contacts('100 1 2\n80 2 3\nx 1 2\n110 2 3\n', true);
    expect(count).toMatchObject({ rows: 2, skipped: 2 });
    expect(invalid.first).toEqual([`${path}:2: time 80 goes back before 100 (line 1): a contact list must be sorted by time`, `${path}:3: time 'x' is not a number`]);
    expect([...rows.time.values()]).toEqual([100_000, 110_000]);
  });

  it('a list whose first id is not a whole number may name people by any word, digits included', async () => {
    const { ids, count } = await contacts('100 A 1\n120 B 007\n');
    expect(count).toMatchObject({ rows: 2, skipped: 0 });
    expect(ids.finish().ids).toEqual(['007', '1', 'A', 'B']);
  });

  it('reads CRLF line ends like LF ones', async () => {
    const lf = await contacts('100 1 2\n120 2 3\n');
    const crlf = await contacts('100 1 2\r\n120 2 3\r\n');
    expect([...crlf.rows.b.values()]).toEqual([...lf.rows.b.values()]);
    expect(crlf.count.rows).toBe(2);
  });
});

describe('GPS positions', () => {
  it('CSV with a header in any order, extra columns, ISO or numeric times', async () => {
    const { rows, count, ids } = await positions('latitude,id,extra,time,longitude\n48.85,"a,1",x,2020-03-17T00:00:10Z,2.35\n-33.9,b,y,5,151.2\n', 'csv');
    expect(count).toMatchObject({ rows: 2, skipped: 0 });
    expect(ids.finish().ids).toEqual(['a,1', 'b']);
    expect([...rows.time.values()]).toEqual([Date.parse('2020-03-17T00:00:10Z'), 5000]);
    expect([...rows.lat.values()]).toEqual([48.85, -33.9]);
  });

  const bad: [string, string, PositionFormat, string][] = [
    ['latitude above 90', 'a,10,45,2\nb,10,91,2\n', 'csv', ':2: latitude 91 is outside [-90, 90]'],
    ['latitude below -90', 'a,10,-90.5,2\n', 'csv', ':1: latitude -90.5 is outside [-90, 90]'],
    ['longitude below -180', 'a,10,45,-181\n', 'csv', ':1: longitude -181 is outside [-180, 180]'],
    ['a latitude that is not a number', 'id,time,latitude,longitude\na,10,north,2\n', 'csv', ":2: latitude 'north' is not a number"],
    ['wrong column count', 'a,10,45,2\nb,10,45\n', 'csv', ':2: expected 4 columns (id,time,latitude,longitude), got 3'],
    ['a bad time', 'a,yesterday,45,2\n', 'csv', ":1: time 'yesterday' is neither seconds nor an ISO-8601 date-time with a zone"],
    ['an ISO time without a zone', 'a,2020-03-17T00:00:10,45,2\n', 'csv', ":1: time '2020-03-17T00:00:10' is neither seconds"],
    ['a header without latitude', 'id,time,lat_deg,longitude\n', 'csv', ':1: the header names id,time,lat_deg,longitude: it needs id, time, latitude, longitude'],
    ['an unclosed quote', 'a,10,45,2\n"b,10,45,2\n', 'csv', ':2: Quote Not Closed'],
    ['an empty id', ',10,45,2\n', 'csv', ':1: the id is empty'],
    ['cabspotting occupancy', '37.7 -122.4 0 1211018410\r\n37.7 -122.4 2 1211018470\r\n', 'cabspotting', ":2: occupancy '2' is not 0 or 1"],
    ['cabspotting columns', '37.7 -122.4 0 1211018410\n37.7 -122.4 1 1211018470 9\n', 'cabspotting', ':2: expected 4 columns (latitude longitude occupancy time), got 5'],
    ['cabspotting longitude', '37.7 -222.4 0 1211018410\n', 'cabspotting', ':1: longitude -222.4 is outside [-180, 180]'],
    ['an empty file', '', 'csv', ':1: empty file: no rows'],
  ];
  for (const [name, content, format, message] of bad) {
    it(`refuses ${name}, naming file and line`, async () => {
      await expect(positions(content, format)).rejects.toThrow(message);
    });
  }

  it('--skip-invalid skips and counts bad rows in both formats', async () => {
    const csv = await positions('a,10,45,2\nb,10,95,2\nc,10,45\nd,11,45,2\n', 'csv', true);
    expect(csv.count).toMatchObject({ rows: 2, skipped: 2 });
    expect(csv.invalid.first).toEqual([`${csv.path}:2: latitude 95 is outside [-90, 90]`, `${csv.path}:3: expected 4 columns (id,time,latitude,longitude), got 3`]);
    const cab = await positions('37.7 -122.4 0 1211018410\n37.7 -122.4 0\n', 'cabspotting', true, 'new_c1.txt');
    expect(cab.count).toMatchObject({ rows: 1, skipped: 1 });
    expect(cab.ids.finish().ids).toEqual(['c1']);
  });

  it('tells CSV from cabspotting by the first line, and names cabs after their files', async () => {
    expect(await detectFormat(file('\nid,time,latitude,longitude\n'))).toBe('csv');
    expect(await detectFormat(file('37.75134 -122.39488 0 1213084687\r\n'))).toBe('cabspotting');
    await expect(detectFormat(file('hello world\n'))).rejects.toThrow(':1: cannot tell the format');
    expect(cabId('/data/new_abboip.txt')).toBe('abboip');
    expect(cabId('new_abboip.txt.gz')).toBe('abboip');
    expect(cabId('taxi-7.log')).toBe('taxi-7');
  });
});

describe('people: ids, phones, statuses', () => {
  const table = (...ids: string[]) => {
    const t = new IdTable();
    for (const id of ids) t.intern(id);
    return t;
  };

  it('numbers people by id, numerically when all are integers, by code units otherwise', () => {
    expect(table('10', '9', '100').finish().ids).toEqual(['9', '10', '100']);
    expect(table('b', '10', 'B', '9').finish().ids).toEqual(['10', '9', 'B', 'b']);
    const { remap } = table('c', 'a', 'b').finish();
    expect([...remap]).toEqual([2, 0, 1]);
  });

  it('gives placeholders to people without a phone; phone-file people join the world; --index and --statuses set statuses', async () => {
    const phones = file('id,phone\nx,06 12 34 56 78\nnobody-met,+33700000009\n', 'phones.csv');
    const statuses = file('x,1\n', 'statuses.csv');
    const people = await buildPeople(table('y', 'x'), { index: ['y'], phonesFile: phones, statusFile: statuses, region: 'FR' });
    expect(people.ids).toEqual(['nobody-met', 'x', 'y']);
    expect(people.phones).toEqual(['+33700000009', '+33612345678', '+999000000002']);
    expect([...people.status]).toEqual([0, 1, 2]);
    expect(people.placeholders).toBe(1);
  });

  it('refuses unknown ids, conflicting statuses, bad or repeated phones', async () => {
    await expect(buildPeople(table('a'), { index: ['z'], region: 'FR' })).rejects.toThrow("--index: person 'z' appears in no row of the input");
    const s1 = file('a,1\n');
    await expect(buildPeople(table('a'), { index: ['a'], statusFile: s1, region: 'FR' })).rejects.toThrow(`--index: person 'a' is given status 1 by ${s1}:1 and 2 by --index`);
    await expect(buildPeople(table('a'), { index: [], statusFile: file('a,2\nq,1\n'), region: 'FR' })).rejects.toThrow(":2: person 'q' appears in no row of the input");
    await expect(buildPeople(table('a'), { index: [], statusFile: file('a,3\n'), region: 'FR' })).rejects.toThrow(":1: status '3' is not 0, 1 or 2");
    await expect(buildPeople(table('a'), { index: [], phonesFile: file('a,06-12\n'), region: 'FR' })).rejects.toThrow(":1: '06-12' is not a valid phone number (region FR)");
    await expect(buildPeople(table('a', 'b'), { index: [], phonesFile: file('id,phone\na,0612345678\nb,004-92-58-76-11\n'), region: 'FR' })).rejects.toThrow(
      ":3: '004-92-58-76-11' changes country while being read: its leading 00 is the international call prefix of FR, which makes it +492587611 (DE)",
    );
    await expect(buildPeople(table('a', 'b'), { index: [], phonesFile: file('a,0612345678\nb,+33612345678\n'), region: 'FR' })).rejects.toThrow(':2: phone +33612345678 is already the phone of the person on line 1');
    await expect(buildPeople(table('a'), { index: [], phonesFile: file('a,0612345678\na,0612345679\n'), region: 'FR' })).rejects.toThrow(":2: person 'a' is given a phone twice");
    await expect(buildPeople(table('a'), { index: [], phonesFile: file('a\n'), region: 'FR' })).rejects.toThrow(':1: expected 2 columns (id,phone), got 1');
  });
});

describe('decimal', () => {
  it('accepts plain decimals only', () => {
    expect([decimal('12'), decimal('-3.5'), decimal('1e3'), decimal('.5'), decimal('7.')]).toEqual([12, -3.5, 1000, 0.5, 7]);
    expect([decimal(''), decimal(' 1'), decimal('0x10'), decimal('Infinity'), decimal('1,5'), decimal('NaN')]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
