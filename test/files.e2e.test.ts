/**
 * The pictures and files, on a hand-checked chain: the A, B, C, D contact list (A exposes B at tick
 * 3, B exposes C at tick 8, D stays healthy; see test/ingest.e2e.test.ts) through the built binary:
 * `trace --format svg|dot|mermaid`, `stats --format csv|table`, `report` opened in Chromium with
 * the network cut; and the one-line errors of serve, stats and report on a store that is no world
 * or a port in use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, browserAvailable, launch } from './browser.js';
import { cli, json } from './cli.js';
import { ingestHandWorld, phoneOf } from './handWorlds.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-files-'));
const store = `sqlite:${join(dir, 'abcd.db')}`;
const fixture = join(import.meta.dirname, 'fixtures', 'ingest', 'contacts-abcd.tsv');
const [A, B, C, D] = ['+999000000000', '+999000000001', '+999000000002', '+999000000003'];

beforeAll(async () => {
  json(await cli('ingest', 'contacts', fixture, '--index', 'A', '--store', store, '--json'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace pictures of the chain A -> B -> C', () => {
  it('svg: every phone of the chain, each link with its tick, and no one else', async () => {
    const run = await cli('trace', 'id:B', '--store', store, '--format', 'svg');
    expect(run.code, run.stderr).toBe(0);
    const svg = run.stdout;
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const phone of [A, B, C]) expect(svg).toContain(`>${phone} (id ${phone === A ? 'A' : phone === B ? 'B' : 'C'})</text>`);
    expect(svg).not.toContain(D);
    const links = [...svg.matchAll(/data-source="([^"]+)" data-exposed="([^"]+)" data-tick="(\d+)"/g)].map((m) => m.slice(1).join(' '));
    expect(links.sort()).toEqual([`${A} ${B} 3`, `${B} ${C} 8`]);
    writeFileSync(join(dir, 'chain.svg'), svg);
  });

  it('dot and mermaid: the same two links', async () => {
    const dot = (await cli('trace', 'id:C', '--store', store, '--format', 'dot')).stdout;
    expect(dot).toMatch(/^digraph chain \{/);
    expect(dot.match(/ -> /g)).toHaveLength(2);
    expect(dot).toContain('p0 -> p1 [label="tick 3"];');
    expect(dot).toContain('p1 -> p2 [label="tick 8"];');
    expect(dot).toContain(`label="${C} (id C)\\nsuspicious\\ntick 8"`);
    const mermaid = (await cli('trace', 'id:C', '--store', store, '--format', 'mermaid')).stdout;
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    expect(mermaid.split('\n').filter((l) => l.includes('-->')).sort()).toEqual(['  p0 -->|tick 3| p1', '  p1 -->|tick 8| p2']);
    expect(mermaid).toContain(`p0["${A} id A<br/>infected, index case"]:::s2`);
  });
});

describe('stats', () => {
  it('csv: one line per tick, hand-checked: B suspicious from tick 3, C from tick 8', async () => {
    const run = await cli('stats', '--store', store, '--format', 'csv');
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toBe('tick,at,healthy,suspicious,infected,contacts,exposures,notifications,new_cases,exposure_alerts,alerted,alerted_positive,positive_share,active_cases,longest_chain');
    // the curve's columns (the epidemic measures that follow are tested in test/stats.epidemic.e2e.test.ts)
    expect(rows.map((r) => r.split(',').slice(0, 8).filter((_, i) => i !== 1).join(' '))).toEqual([
      '0 3 0 1 0 0 0',
      '1 3 0 1 1 0 0',
      '2 3 0 1 0 0 0',
      '3 2 1 1 1 1 1',
      '4 2 1 1 0 0 0',
      '5 2 1 1 0 0 0',
      '6 2 1 1 0 0 0',
      '7 2 1 1 0 0 0',
      '8 1 2 1 1 1 1',
    ]);
    expect(rows[3]!.split(',')[1]).toBe('1970-01-01T00:01:40.000Z');
  });

  it('table and --json agree with the csv', async () => {
    const rows = json<{ tick: number; suspicious: number }[]>(await cli('stats', '--store', store, '--json'));
    expect(rows.map((r) => r.suspicious)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 2]);
    const table = (await cli('stats', '--store', store)).stdout.split('\n');
    expect(table[0]).toMatch(/^tick +at +healthy +suspicious +infected +contacts +exposures +notifications +new_cases +exposure_alerts +alerted +alerted_positive +positive_share +active_cases +longest_chain$/);
    expect(table[9]).toMatch(/^ {3}8 +1970-01-01T00:03:20.000Z +1 +2 +1 +1 +1 +1 /);
  });
});

describe('report names the tracing policies', () => {
  it('each policy with the ticks it governed: tousanticovid from creation, then seed, adopted by a command in its own tick 4', async () => {
    const world = `sqlite:${join(dir, 'policies.db')}`;
    expect((await cli('simulate', '--store', world, '--people', '200', '--grid', '20x20', '--ticks', '3', '--policy', 'tousanticovid')).code).toBe(0);
    expect((await cli('policy', 'set', 'seed', '--store', world)).code).toBe(0);
    expect((await cli('simulate', '--store', world, '--ticks', '2')).code).toBe(0);
    const output = join(dir, 'policies.html');
    expect((await cli('report', '--store', world, '--output', output)).code).toBe(0);
    const rows = [...readFileSync(output, 'utf8').matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
    // a policy adopted at tick t governs the ticks from t + 1 (policy set prints "tick 4 adopted the policy 'seed' (preset:seed); it governs the ticks from 5 on")
    expect(rows).toEqual([
      ['1 to 4', 'tousanticovid', 'preset:tousanticovid'],
      ['5 to 6', 'seed', 'inbox:0'],
    ]);
  }, 60_000);
});

describe('report counts in English', () => {
  it('a hand-made world of one contact: 2 people, 1 contact, 1 exposure, 1 alert, 1 person downstream', async () => {
    // 10 (index case, infected at tick 0) meets 11 at tick 1, under the seed's rules: 11 is exposed and alerted at tick 1
    const world = await ingestHandWorld(dir, 'one', [[1, 10, 11]], [10]);
    const output = join(dir, 'one.html');
    const done = await run('report', '--store', world, '--output', output);
    expect(done.code, done.stderr).toBe(0);
    const html = readFileSync(output, 'utf8');
    expect(html).toContain(': 2 people, a contact list without positions;');
    expect(html).toContain('in all 1 contact, 1 exposure, 1 alert.</p>');
    expect(html).toContain(`1. index case ${phoneOf(10)}: 1 person downstream</h3>`);
  });
});

describe.runIf(browserAvailable())('report', () => {
  it('one HTML file that opens in Chromium with the network cut and shows the curve and the chain', async () => {
    const output = join(dir, 'report.html');
    const run = json<{ output: string; tick: number }>(await cli('report', '--store', store, '--output', output, '--json'));
    expect(run).toMatchObject({ output, tick: 8 });
    const html = readFileSync(output, 'utf8');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/); // nothing to fetch
    const browser = await launch();
    try {
      const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 1300 } });
      const requests: string[] = [];
      context.on('request', (r) => void (r.url().startsWith('file:') || requests.push(r.url())));
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${output}`);
      await page.waitForSelector('body[data-ready=true]');
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.$eval('#curve-last', (e) => ({ ...e.dataset }))).toEqual({ tick: '8', healthy: '1', suspicious: '2', infected: '1' });
      // the stacked chart painted its areas in the status colours
      const painted = await page.$eval('#curve canvas', (c) => {
        const data = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
        const seen = new Set<string>();
        for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
        return ['86,180,233', '230,159,0', '213,94,0'].filter((rgb) => seen.has(rgb));
      });
      expect(painted).toEqual(['86,180,233', '230,159,0', '213,94,0']);
      expect(await page.$eval('#policies', (e) => e.textContent)).toBe("The seed's rule (seed) throughout: no other policy was adopted.");
      const phones = await page.$$eval('svg.chain [data-phone]', (gs) => gs.map((g) => g.getAttribute('data-phone')));
      expect(phones.sort()).toEqual([A, B, C]);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('bad input: one line, exit 2', () => {
  it('a store that holds no world', async () => {
    const empty = `sqlite:${join(dir, 'none.db')}`;
    for (const command of ['serve', 'stats', 'report']) {
      const run = await cli(command, '--store', empty, ...(command === 'report' ? ['--output', join(dir, 'x.html')] : []));
      expect([command, run.code, run.stderr]).toEqual([command, 2, `Error: no store at ${join(dir, 'none.db')}: run 'stopcovid simulate' first\n`]);
    }
  });

  it('serve on a port in use', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const run = await cli('serve', '--store', store, '--port', String(port));
      expect([run.code, run.stderr]).toEqual([2, `Error: port ${port} on 127.0.0.1 is in use: stop what uses it or choose another with --port\n`]);
    } finally {
      busy.close();
    }
  });
});
