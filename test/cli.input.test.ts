/**
 * Input checks of the commands, in process (see test/inProcess.ts): phones that change country
 * while being read, time zones, a store without a world.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('phones', () => {
  it("trace refuses a national form whose 00 reads as the region's international call prefix, with the reason, exit 2", async () => {
    const r = await run('trace', '004-92-58-76-11', '--store', 'memory:');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "Error: '004-92-58-76-11' changes country while being read: its leading 00 is the international call prefix of FR, which makes it +492587611 (DE), not a number of FR; write it with '+' and a country code (+492587611 for DE, +33 and the national number for FR)\n",
    );
    // read in DE, the same digits dial Germany from Germany (00 49 ...): no change of country
    const de = await run('trace', '004-92-58-76-11', '--region', 'DE', '--store', 'memory:');
    expect(de.stderr).toBe('Error: no world in a memory: store, which lives only in the process that made it: simulate into a file (--store sqlite:./stopcovid.db)\n');
  });
});

describe('parse errors', () => {
  it('--json beside a --format that is not JSON is refused: two outputs for one stdout, exit 2', async () => {
    for (const argv of [['trace', '+33672129940', '--format', 'svg'], ['stats', '--format', 'csv']]) {
      const r = await run(...argv, '--json', '--store', 'memory:');
      expect([r.code, r.stderr], argv.join(' ')).toEqual([2, `Error: --json and --format ${argv.at(-1)} ask for two outputs on one stdout: give one\n`]);
    }
  });

  it("a missing required flag is said in the project's words, one line, exit 2", async () => {
    const r = await run('whatif', '--store', 'memory:');
    expect([r.code, r.stderr]).toEqual([2, 'Error: missing required flag --policy\n']);
  });

  it("an integer flag out of its range is said in the project's words (as for counts), one line, exit 2", async () => {
    for (const [argv, message] of [
      [['people', '--status', '3'], '--status: expected a number from 0 to 2; got 3'],
      [['people', '--status', '-1'], '--status: expected a number from 0 to 2; got -1'],
      [['serve', '--port', '70000'], '--port: expected a number from 0 to 65535; got 70000'],
    ] as const) {
      const r = await run(...argv, '--store', 'memory:');
      expect([r.code, r.stderr], argv.join(' ')).toEqual([2, `Error: ${message}\n`]);
    }
    // oclif's Flags.integer says its range in its own words ("Expected an integer less than or equal to ..."): no command uses it
    const sources = readdirSync(join(import.meta.dirname, '..', 'cli'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.filter((f) => readFileSync(join(import.meta.dirname, '..', 'cli', f), 'utf8').includes('Flags.integer('))).toEqual([]);
  });
});

describe('a store without a world', () => {
  it('export refuses it like every other command, exit 2, and writes no file', async () => {
    const output = join(dir, 'm.ndjson');
    for (const argv of [['-o', output], []]) {
      const r = await run('export', '--store', 'memory:', ...argv);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'Error: no world in a memory: store, which lives only in the process that made it: simulate into a file (--store sqlite:./stopcovid.db)\n']);
    }
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('bus URLs', () => {
  it('a Kafka port out of range is bad input (exit 2, one line), not a broker that cannot be reached (exit 1)', async () => {
    for (const command of [['bridge'], ['consume'], ['simulate', '--ticks', '1']]) {
      const r = await run(...command, '--store', 'memory:', '--bus', 'kafka://127.0.0.1:99999');
      expect(r.code, command[0]).toBe(2);
      expect(r.stderr).toBe("Error: bus URL 'kafka://127.0.0.1:99999': port 99999 is not between 1 and 65535\n");
    }
    const zero = await run('bridge', '--store', 'memory:', '--bus', 'kafka://127.0.0.1:9092,127.0.0.1:0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe("Error: bus URL 'kafka://127.0.0.1:9092,127.0.0.1:0': port 0 is not between 1 and 65535\n");
  });
});

describe('test --sampled-at', () => {
  it('a time without a zone is refused, one line, exit 2, nothing written: Date.parse would read it in the machine zone (TZ), so the log would depend on where the command ran', async () => {
    const store = `sqlite:${join(dir, 'sampled.db')}`;
    expect((await run('simulate', '--ticks', '2', '--people', '20', '--grid', '5x5', '--store', store)).code).toBe(0);
    const phone = (JSON.parse((await run('people', '--limit', '1', '--json', '--store', store)).stdout) as { phone: string }[])[0]!.phone;
    const before = (await run('export', '--store', store)).stdout;
    // inside the world's time (2020-03-17T00:00Z to the next tick, 00:03Z) when read in UTC: before the fix, applied as tick 3 on a UTC machine
    const r = await run('test', phone, 'positive', '--sampled-at', '2020-03-17T00:01:00', '--store', store);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', "Error: --sampled-at '2020-03-17T00:01:00' has no time zone: end it with Z or an offset, such as 2020-03-17T02:00:00Z or 2020-03-17T03:00:00+01:00\n"]);
    expect((await run('export', '--store', store)).stdout).toBe(before);
    // with a zone (Z or an offset) the same instant is taken
    const ok = await run('test', phone, 'positive', '--sampled-at', '2020-03-17T01:01:00+01:00', '--store', store, '--json');
    expect([ok.code, (JSON.parse(ok.stdout) as { tick: number }).tick]).toEqual([0, 3]);
  });
});

describe('ingest positions, a file given twice', () => {
  it('is refused with one line, exit 2, and no store is written: its rows would be read and counted twice (46990 rows for one 23495-row cab before the fix)', async () => {
    const csv = join(dir, 'two.csv');
    writeFileSync(csv, 'id,time,latitude,longitude\na,0,45,0\nb,0,45,0.0001\n');
    const db = join(dir, 'twice.db');
    const same = await run('ingest', 'positions', csv, csv, '--radius-m', '10', '--store', `sqlite:${db}`);
    expect([same.code, same.stdout, same.stderr]).toEqual([2, '', `Error: ${csv}: the same file is given twice: its rows would be read and counted twice\n`]);
    // under another name: a symbolic link to it
    const other = join(dir, 'link.csv');
    symlinkSync(csv, other);
    const renamed = await run('ingest', 'positions', csv, other, '--radius-m', '10', '--store', `sqlite:${db}`);
    expect([renamed.code, renamed.stderr]).toEqual([2, `Error: ${other}: the same file is given twice (also as ${csv}): its rows would be read and counted twice\n`]);
    expect(existsSync(db)).toBe(false);
    rmSync(csv);
    rmSync(other);
  });
});

describe('ingest summary', () => {
  it('says the bucket length exactly: --bucket 90s is 90s (it read 2m, the ms library rounding), 1500ms is 1500ms (it read 2s)', async () => {
    const list = join(dir, 'list.txt');
    writeFileSync(list, '20 1 2\n40 2 3\n');
    for (const [bucket, said] of [['90s', '90s'], ['1.5s', '1500ms'], ['1h', '1h']] as const) {
      const db = join(dir, `bucket-${said}.db`);
      const r = await run('ingest', 'contacts', list, '--bucket', bucket, '--store', `sqlite:${db}`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[1], bucket).toMatch(new RegExp(`^\\d+ ticks? of ${said} from `));
      rmSync(db);
    }
    rmSync(list);
  });
});

describe('ingest positions --policy', () => {
  it('refuses a policy whose contact radius is larger than --radius-m, as simulate, policy set and whatif do (one line, exit 2, no store): it was ingested, and then whatif refused the same policy on the world', async () => {
    const csv = join(dir, 'near.csv');
    writeFileSync(csv, 'id,time,latitude,longitude\na,0,45,0\nb,0,45,0.0001\n');
    const policy = join(dir, 'r200.json');
    writeFileSync(policy, JSON.stringify({ name: 'r200', contact: { radius: 200 } }));
    const db = join(dir, 'radius.db');
    const r = await run('ingest', 'positions', csv, '--radius-m', '100', '--policy', policy, '--store', `sqlite:${db}`);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `Error: ${policy}: the policy's contact radius 200 is larger than the world's 100: contacts farther than 100 are never detected\n`]);
    expect(existsSync(db)).toBe(false);
    // within the world's radius it is taken
    const ok = await run('ingest', 'positions', csv, '--radius-m', '200', '--policy', policy, '--store', `sqlite:${db}`);
    expect(ok.code, ok.stderr).toBe(0);
    for (const f of [csv, policy, db]) rmSync(f);
  });
});
