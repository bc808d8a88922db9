/**
 * The dashboard in a real browser (Debian's Chromium, playwright-core) against a real
 * `stopcovid serve` on a SQLite world made by the real `simulate`, checked against other commands
 * (`replay`, `trace`, `consume`): the map's pixels, the curve's last point, a chain, a bad phone,
 * and the page following a simulation that runs in another process. Screenshots go to
 * test/artifacts/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace, TraceLink } from '../core/index.js';
import { STATUS_COLOURS } from '../web/chain/palette.js';
import { ARTIFACTS, browserAvailable, launch, serve, type Served } from './browser.js';
import { BIN, cli, json, lines } from './cli.js';

const run = browserAvailable();
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-dashboard-'));
const store = `sqlite:${join(dir, 'world.db')}`;
let browser: Browser;
let page: Page;
let served: Served;

interface Replay {
  tick: number;
  people: { healthy: number; suspicious: number; infected: number };
}

beforeAll(async () => {
  if (!run) return;
  json(await cli('simulate', '--store', store, '--people', '300', '--grid', '101x101', '--seed', '5', '--ticks', '40', '--json'));
  [served, browser] = await Promise.all([serve('--store', store), launch()]);
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(served.url);
  await page.waitForSelector('body[data-ready=true]');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Pixels of each status colour on the map canvas, divided by the pixels of one person. */
async function mapPeople(p: Page): Promise<number[]> {
  return p.evaluate((colours) => {
    const canvas = document.getElementById('map') as HTMLCanvasElement;
    const block = Number(canvas.dataset.block);
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const counts = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) rgb.forEach(([r, g, b], s) => data[i] === r && data[i + 1] === g && data[i + 2] === b && counts[s]!++);
    return counts.map((c) => c / (block * block));
  }, [...STATUS_COLOURS]);
}

async function world(): Promise<Replay> {
  return json<Replay>(await cli('replay', '--store', store, '--json'));
}

describe.runIf(run)('dashboard in Chromium', () => {
  it("map: each status colour covers its people's share of the pixels; legend and curve's last point equal replay's counts", async () => {
    const w = await world();
    const expected = [w.people.healthy, w.people.suspicious, w.people.infected];
    const drawn = await mapPeople(page);
    // people sharing a cell share its pixels: a few at most in 300 people on 10,201 cells
    drawn.forEach((d, s) => {
      expect(d).toBeLessThanOrEqual(expected[s]!);
      expect(d).toBeGreaterThanOrEqual(expected[s]! * 0.9 - 1);
    });
    expect(drawn.reduce((a, b) => a + b)).toBeGreaterThan(280);
    const legend = await page.$$eval('#legend b', (bs) => bs.map((b) => Number(b.textContent!.replace(/,/g, ''))));
    expect(legend).toEqual(expected);
    const last = await page.$eval('#curve-last', (e) => ({ ...e.dataset }));
    expect(last).toEqual({ tick: String(w.tick), healthy: String(expected[0]), suspicious: String(expected[1]), infected: String(expected[2]) });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-map.png') });
  });

  it("search: a phone typed in national form shows the chain with the same links as 'trace --format json'", async () => {
    // the first alert's person: exposed early, so likely with people downstream
    const consumed = lines((await cli('consume', '--store', store, '--group', 'e2e', '--from-beginning', '--json')).stdout).map((l) => JSON.parse(l) as { phone: string });
    // an early alert's person with people downstream: exposed early, so likely to have passed it on
    let phone = '';
    let expected: string[] = [];
    for (const candidate of consumed.slice(0, 8)) {
      const t = json<Trace>(await cli('trace', candidate.phone, '--store', store, '--depth', '1000', '--format', 'json', '--json'));
      const links: string[] = [];
      let below = t.phone;
      for (const l of t.upstream!) (links.push(`${l.phone}>${below}@${l.tick}`), (below = l.phone));
      const walk = (from: string, list: TraceLink[]) => list.forEach((l) => (links.push(`${from}>${l.phone}@${l.tick}`), walk(l.phone, l.children ?? [])));
      walk(t.phone, t.downstream!);
      if (links.length > expected.length) [phone, expected] = [candidate.phone, links];
      if (expected.length >= 3) break;
    }
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const national = `0${phone.slice(3, 4)} ${phone.slice(4).replace(/(\d\d)(?=\d)/g, '$1 ')}`;
    await page.fill('#phone', national);
    await page.click('#search button');
    await page.waitForSelector('#chain svg');
    const shown = await page.$$eval('#chain path[data-source]', (ps) => ps.map((p) => `${p.getAttribute('data-source')}>${p.getAttribute('data-exposed')}@${p.getAttribute('data-tick')}`));
    expect(shown.sort()).toEqual(expected.sort());
    expect(await page.textContent('#chain-message')).toContain(`${phone}: `);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-chain.png') });
  });

  it('search: a bad phone and an unknown phone each show one clear message', async () => {
    await page.fill('#phone', '12ab');
    await page.click('#search button');
    await page.waitForSelector('#chain-message.error');
    expect(await page.textContent('#chain-message')).toBe("'12ab' is not a valid phone number (region FR)");
    await page.fill('#phone', '+33 6 00 00 00 01');
    await page.click('#search button');
    await page.waitForFunction(() => document.getElementById('chain-message')!.textContent!.startsWith('no person'));
    expect(await page.textContent('#chain-message')).toBe('no person with phone +33600000001 in this world');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-bad-phone.png') });
  });

  it('click: an infected person on the map shows their chain', async () => {
    const point = await page.evaluate((colour) => {
      const canvas = document.getElementById('map') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
      const block = Number(canvas.dataset.block);
      for (let i = 0; i < data.length; i += 4)
        if (data[i] === r && data[i + 1] === g && data[i + 2] === b) {
          const rect = canvas.getBoundingClientRect();
          const p = i / 4;
          return { x: rect.left + (p % canvas.width) + block / 2, y: rect.top + Math.floor(p / canvas.width) + block / 2 };
        }
      return undefined;
    }, STATUS_COLOURS[2]);
    expect(point).toBeDefined();
    await page.mouse.click(point!.x, point!.y);
    await page.waitForFunction(() => / infected/.test(document.getElementById('chain-message')!.textContent!));
    expect(await page.textContent('#chain-message')).toMatch(/^\+33\d{9}: infected, index case; /);
    // the wheel zooms in at the pointer (larger dots), a drag moves, a double click shows everything again
    const block = Number(await page.getAttribute('#map', 'data-block'));
    await page.mouse.wheel(0, -600);
    await page.waitForFunction((b) => Number(document.getElementById('map')!.dataset.block) > b, block);
    await page.mouse.move(point!.x, point!.y);
    await page.mouse.down();
    await page.mouse.move(point!.x + 80, point!.y + 40, { steps: 4 });
    await page.mouse.up();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-zoomed.png') });
    await page.mouse.dblclick(point!.x, point!.y);
    await page.waitForFunction(() => document.getElementById('map')!.dataset.zoom === '1');
    expect(Number(await page.getAttribute('#map', 'data-block'))).toBe(block);
  });

  it('follows a simulation running in another process within 2 s of each tick', async () => {
    const before = (await world()).tick;
    const sim = spawn(process.execPath, [BIN, 'simulate', '--store', store, '--ticks', '4', '--tick-ms', '400'], { stdio: 'ignore', env: { ...process.env, STOPCOVID_STORE: '' } });
    const seen = new Map<number, number>();
    const started = Date.now();
    let exitedAt = 0;
    const exited = new Promise<number>((resolve) => sim.once('exit', (code) => ((exitedAt = Date.now()), resolve(code ?? 1))));
    while (!seen.has(before + 4) && Date.now() - started < 20_000) {
      const tick = Number(await page.getAttribute('body', 'data-tick'));
      if (!seen.has(tick)) seen.set(tick, Date.now());
      await page.waitForTimeout(50);
    }
    expect(await exited).toBe(0);
    expect([...seen.keys()]).toContain(before + 4);
    // the last tick was committed before simulate exited: the page showed it within 2 s of that
    expect(seen.get(before + 4)! - exitedAt).toBeLessThan(2000);
    // and it saw the ticks one by one, not only the last
    expect([...seen.keys()].filter((t) => t > before).length).toBeGreaterThanOrEqual(3);
    await page.waitForFunction((t) => (document.getElementById('map') as HTMLCanvasElement).dataset.tick === String(t), before + 4);
    const w = await world();
    const legend = await page.$$eval('#legend b', (bs) => bs.map((b) => Number(b.textContent!.replace(/,/g, ''))));
    expect(legend).toEqual([w.people.healthy, w.people.suspicious, w.people.infected]);
    expect(await page.$eval('#curve-last', (e) => e.dataset.tick)).toBe(String(w.tick));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live.png') });
  }, 60_000);
});
