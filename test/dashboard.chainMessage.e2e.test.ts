/**
 * The dashboard's line above a chain counts in English, in Chromium against a real `serve` on a
 * SQLite world: a person with one exposure linking them to one other person reads "1 other
 * person, 1 exposure", not "1 other people, 1 exposures".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chain } from '../web/source.js';
import { browserAvailable, launch, serve, type Served } from './browser.js';
import { cli, json } from './cli.js';

const run = browserAvailable();
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-chain-message-'));
const store = `sqlite:${join(dir, 'world.db')}`;
let browser: Browser;
let served: Served;

beforeAll(async () => {
  if (!run) return;
  json(await cli('simulate', '--store', store, '--people', '300', '--grid', '60x60', '--seed', '5', '--ticks', '10', '--json'));
  [served, browser] = await Promise.all([serve('--store', store), launch()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(run)('dashboard chain message', () => {
  it('one other person and one exposure are counted in the singular, two in the plural', async () => {
    const chains: Chain[] = [];
    for (let person = 0; person < 300; person++) chains.push((await (await fetch(`${served.url}api/chain?person=${person}`)).json()) as Chain);
    const one = chains.find((c) => c.nodes.length === 2 && c.links.length === 1);
    const more = chains.find((c) => c.nodes.length > 2);
    expect(one, 'a person linked to exactly one other').toBeDefined();
    expect(more, 'a person linked to several others').toBeDefined();
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.waitForSelector('body[data-ready=true]');
    const message = async (chain: Chain) => {
      const phone = chain.nodes.find((n) => n.personId === chain.personId)!.phone;
      await page.fill('#phone', phone);
      await page.click('#search button');
      await page.waitForFunction((p) => document.getElementById('chain-message')!.textContent!.startsWith(`${p}: `), phone);
      return page.textContent('#chain-message');
    };
    expect(await message(one!)).toMatch(/; 1 other person, 1 exposure$/);
    expect(await message(more!)).toMatch(new RegExp(`; ${more!.nodes.length - 1} other people, ${more!.links.length} exposures( \\(cut|$)`));
    await page.close();
  });
});
