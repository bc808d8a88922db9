/**
 * The built `stopcovid` binary on EventStoreDB / KurrentDB: simulate, replay to the recorded
 * hash, trace, consume with a checkpoint kept in the server, export; a world whose ticks exceed
 * the append limit; a second writer refused. Runs when STOPCOVID_ESDB_URL names a server (each
 * run in a namespace of its own), after `npm run build`; otherwise skipped with one line. The
 * unreachable-server case needs no server and always runs.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, cli, json, lines, type Run } from './cli.js';

const URL = process.env.STOPCOVID_ESDB_URL;
if (!URL) console.warn(`EventStoreDB CLI tests SKIPPED: STOPCOVID_ESDB_URL is not set. Run them with: docker compose up -d eventstore && npm run build && STOPCOVID_ESDB_URL='esdb://localhost:2113?tls=false' npx vitest run test/esdb.e2e.test.ts`);

const run = `${process.pid}-${Math.floor(performance.timeOrigin).toString(36)}`;
const withOption = (url: string, option: string) => `${url}${url.includes('?') ? '&' : '?'}${option}`;



type Logged = { position: number; type: string; data: Record<string, unknown>; metadata: { tick: number; at: string } };

describe('the CLI with an EventStoreDB store that cannot be reached (no server needed)', () => {
  it('prints one line and exits 1 (an outage, as an unreachable Kafka) within the connect timeout, for every command', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    for (const command of [['simulate', '--ticks', '1'], ['replay'], ['export']]) {
      const started = performance.now();
      const r = await cli(...command, '--store', `esdb://admin:s3cret@127.0.0.1:${port}?tls=false&connectTimeout=3000`);
      expect(r.code, r.stderr).toBe(1);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^Error: cannot reach EventStoreDB at esdb://admin@127\\.0\\.0\\.1:${port}`));
      expect(r.stderr).not.toContain('s3cret');
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  });
});

describe.skipIf(!URL)('simulate, replay, trace, consume, export on EventStoreDB (live server)', () => {
  it('runs the pipeline, keeps positions increasing, and replays to the recorded hash', async () => {
    const store = withOption(URL!, `namespace=e2e-${run}.`);
    const simulated = json<{ lastTick: number; exposures: number; events: number; stateHash: string; created: boolean }>(await cli('simulate', '--store', store, '--people', '400', '--grid', '30x30', '--ticks', '8', '--seed', '3', '--json'));
    expect(simulated).toMatchObject({ lastTick: 8, created: true });
    expect(simulated.exposures).toBeGreaterThan(0);

    const exported = await cli('export', '--store', store);
    expect(exported.code, exported.stderr).toBe(0);
    const log = lines(exported.stdout).map((l) => JSON.parse(l) as Logged);
    expect(log).toHaveLength(simulated.events);
    expect(log.every((e, i) => i === 0 || e.position > log[i - 1]!.position)).toBe(true);
    expect(log.filter((e) => e.type === 'TickCompleted').map((e) => e.data.tick)).toEqual([...Array(9).keys()]);

    const replay = json<{ tick: number; matches: boolean; stateHash: string }>(await cli('replay', '--store', store, '--json'));
    expect(replay).toMatchObject({ tick: 8, matches: true, stateHash: simulated.stateHash });

    const exposure = log.find((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact')!;
    const phones = new Map(log.filter((e) => e.type === 'PersonRegistered').map((e) => [e.data.personId, e.data.phone as string]));
    const traced = json<{ phone: string; upstream: { personId: number; tick: number }[] }>(await cli('trace', phones.get(exposure.data.personId)!, '--store', store, '--json'));
    expect(traced.upstream[0]).toMatchObject({ personId: exposure.data.sourcePersonId, tick: exposure.metadata.tick });

    const alerts = log.filter((e) => e.type === 'NotificationIssued');
    const first = await cli('consume', '--store', store, '--group', 'g1', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout)).toHaveLength(alerts.length);
    expect(lines((await cli('consume', '--store', store, '--group', 'g1', '--json')).stdout)).toHaveLength(0);

    const resumed = json<{ created: boolean; lastTick: number }>(await cli('simulate', '--store', store, '--ticks', '2', '--json'));
    expect(resumed).toMatchObject({ created: false, lastTick: 10 });
    expect(json<{ matches: boolean; tick: number }>(await cli('replay', '--store', store, '--json'))).toMatchObject({ matches: true, tick: 10 });
  });

  it('the same world with ticks split over several appends exports the same events and replays to the same hash', async () => {
    const whole = withOption(URL!, `namespace=e2e-${run}-whole.`);
    const split = withOption(URL!, `namespace=e2e-${run}-split.&maxAppendSize=8192`);
    const args = ['--people', '1500', '--grid', '60x60', '--ticks', '3', '--seed', '8', '--json'];
    const a = json<{ stateHash: string }>(await cli('simulate', '--store', whole, ...args));
    const b = json<{ stateHash: string }>(await cli('simulate', '--store', split, ...args));
    expect(b.stateHash).toBe(a.stateHash);
    const strip = (r: Run) => lines(r.stdout).map((l) => JSON.stringify({ ...(JSON.parse(l) as Logged), position: 0 }));
    expect(strip(await cli('export', '--store', split))).toEqual(strip(await cli('export', '--store', whole)));
    expect(json<{ matches: boolean }>(await cli('replay', '--store', split, '--json')).matches).toBe(true);
  });

  it('two simulations at once never interleave: at most one is refused, by expected revision, and the world replays', async () => {
    const store = withOption(URL!, `namespace=e2e-${run}-two.`);
    json(await cli('simulate', '--store', store, '--ticks', '1', '--json'));
    const [x, y] = await Promise.all([cli('simulate', '--store', store, '--ticks', '3', '--json'), cli('simulate', '--store', store, '--ticks', '3', '--json')]);
    const failed = [x, y].filter((r) => r.code !== 0);
    // both load the world at tick 1 and race for tick 2: one wins, the other is refused by expected revision
    expect(failed.length).toBeLessThanOrEqual(1);
    for (const r of failed) expect(r.stderr).toMatch(/already written by another writer/);
    expect(json<{ matches: boolean }>(await cli('replay', '--store', store, '--json')).matches).toBe(true);
  });
});
