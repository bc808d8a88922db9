/**
 * The dashboard's chain holds at most `maxNodes` people (`/api/chain?...&max=N`), even N = 1:
 * a person exposed by someone is then shown alone and the chain marked cut. From the read models
 * of a real SQLite world.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../adapters/registry.js';
import type { EventStore } from '../core/index.js';
import { openReadModelSource } from '../web/readModelSource.js';
import type { DashboardSource } from '../web/source.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-chain-max-'));
const url = `sqlite:${join(dir, 'world.db')}`;
let store: EventStore;
let source: DashboardSource;

beforeAll(async () => {
  const r = await run('simulate', '--store', url, '--people', '300', '--grid', '40x40', '--seed', '5', '--ticks', '10', '--json');
  expect(r.code, r.stderr).toBe(0);
  store = await openStore(url);
  source = await openReadModelSource(store, url);
});
afterAll(async () => {
  await source?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('chain, max people', () => {
  it('max 1: the person alone, cut; max 2: at most two people', () => {
    const exposed = Array.from({ length: 300 }, (_, p) => source.chain(p, { maxNodes: 100 })).find((c) => c.links.some((l) => l.exposed === c.personId));
    expect(exposed, 'a person exposed by someone').toBeDefined();
    const one = source.chain(exposed!.personId, { maxNodes: 1 });
    expect(one.nodes.map((n) => n.personId)).toEqual([exposed!.personId]);
    expect(one.links).toEqual([]);
    expect(one.cut).toBe(true);
    const two = source.chain(exposed!.personId, { maxNodes: 2 });
    expect(two.nodes.length).toBeLessThanOrEqual(2);
  });
});
