/**
 * The dashboard server in process (Hono's `app.request`, no socket) over the log source of a real
 * seeded simulation in the memory store: the API's shapes, the binary people, chains against
 * `trace`, 4xx with one-line reasons, and a live tick through the event stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../adapters/store/memory.js';
import { ContactGraph, DEFAULT_PARAMS, genesis, loadWorld, stepTick, tickStream, trace, type EventStore } from '../core/index.js';
import type { DomainEvent } from '../events/index.js';
import { openReadModelSource } from './readModelSource.js';
import { createServer } from 'node:net';
import { dashboardApp, listen } from './server.js';
import type { Chain, DashboardSource } from './source.js';

let store: EventStore;
let source: DashboardSource;
let world: ReturnType<typeof genesis>;
let app: ReturnType<typeof dashboardApp>;
const parseQuery = (q: string) => {
  if (!/^\+\d+$/.test(q.trim())) throw new Error(`'${q}' is not a valid phone number`);
  return { phone: q.trim() };
};

beforeAll(async () => {
  store = memoryStore();
  world = genesis({ ...DEFAULT_PARAMS, people: 400, width: 60, height: 60, seed: 11 });
  await store.append(tickStream(0), world.events, 'no_stream');
  for (let t = 1; t <= 30; t++) await store.append(tickStream(t), stepTick(world.state).events, 'no_stream');
  source = await openReadModelSource(store, 'memory:');
  app = dashboardApp({ source, parseQuery });
});
afterAll(async () => {
  await source?.close();
  await store?.close();
});

async function graph(): Promise<ContactGraph> {
  const g = new ContactGraph();
  for await (const e of store.readAll()) g.evolve(e as unknown as DomainEvent);
  return g;
}

describe('dashboard API', () => {
  it('world and curve: the last row is the folded state', async () => {
    const info = await (await app.request('/api/world')).json();
    expect(info).toMatchObject({ kind: 'grid', width: 60, height: 60, people: 400, tick: 30 });
    const curve = await (await app.request('/api/curve')).json();
    const { state } = await loadWorld(store);
    expect(curve.tick).toEqual([...Array(31).keys()]);
    expect([curve.healthy[30], curve.suspicious[30], curve.infected[30]]).toEqual(state.counts);
    const alerts = curve.notifications.reduce((a: number, b: number) => a + b, 0);
    expect(alerts).toBe(curve.exposures.reduce((a: number, b: number) => a + b, 0));
  });

  it('people: the binary holds every position and status', async () => {
    const res = await app.request('/api/people');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const buffer = await res.arrayBuffer();
    const [tick, n] = new Int32Array(buffer, 0, 2);
    expect([tick, n, buffer.byteLength]).toEqual([30, 400, 16 + 9 * 400]);
    expect(new Int32Array(buffer, 16, 400)).toEqual(world.state.xs);
    expect(new Int32Array(buffer, 16 + 1600, 400)).toEqual(world.state.ys);
    expect(new Uint8Array(buffer, 16 + 3200, 400)).toEqual(world.state.status);
  });

  it("chain: the same links as trace's, by phone or by person id, bounded with a cut flag", async () => {
    const g = await graph();
    const alerted = (await (await app.request('/api/alerts?limit=1000')).json()) as { phone: string }[];
    expect(alerted.length).toBeGreaterThan(5);
    let checked = 0;
    for (const { phone } of alerted.slice(-10)) {
      const chain = (await (await app.request(`/api/chain?phone=${encodeURIComponent(phone)}`)).json()) as Chain;
      const t = trace(g, g.personByPhone(phone)!, 'both', 10_000);
      const expected: string[] = [];
      let below = t.phone;
      for (const l of t.upstream!) (expected.push(`${l.phone}>${below}@${l.tick}`), (below = l.phone));
      const walk = (from: string, links: typeof t.downstream) => links!.forEach((l) => (expected.push(`${from}>${l.phone}@${l.tick}`), walk(l.phone, l.children)));
      walk(t.phone, t.downstream);
      const phones = new Map(chain.nodes.map((n) => [n.personId, n.phone]));
      expect(chain.links.map((l) => `${phones.get(l.source)}>${phones.get(l.exposed)}@${l.tick}`).sort()).toEqual(expected.sort());
      expect(chain.cut).toBe(false);
      checked += expected.length;
      const byId = (await (await app.request(`/api/chain?person=${chain.personId}`)).json()) as Chain;
      expect(byId).toEqual(chain);
    }
    expect(checked).toBeGreaterThan(10);
    const [root] = source.largestChains(1);
    expect(root!.downstream).toBeGreaterThan(3);
    const small = (await (await app.request(`/api/chain?person=${root!.personId}&max=3`)).json()) as Chain;
    expect([small.nodes.length, small.cut]).toEqual([3, true]);
  });

  it('answers bad requests with 4xx and one line', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/chain?phone=abc', 400, /^'abc' is not a valid phone number$/],
      ['/api/chain?phone=%2B33600000000', 404, /^no person with phone \+33600000000 in this world$/],
      ['/api/chain?phone=', 400, /^type a phone number$/],
      ['/api/chain', 400, /^give one of phone=<phone> or person=<id>$/],
      ['/api/chain?person=400', 400, /^person must be an integer from 0 to 399, got '400'$/],
      ['/api/chain?person=1&max=0', 400, /^max must be an integer from 1 to 10000/],
      ['/api/alerts?limit=x', 400, /^limit must be an integer/],
      ['/nowhere', 404, /^no such page: \/nowhere$/],
      ['/', 404, /^the dashboard page is not built/],
      ['/api/chain?phone=%E0%A4%A', 400, /is not a valid phone number$/],
      ['/api/chain?person=1e3', 400, /^person must be an integer from 0 to 399, got '1e3'$/],
    ];
    for (const [path, status, reason] of cases) {
      const res = await app.request(path);
      const text = await res.text();
      expect([path, res.status], text).toEqual([path, status]);
      expect(text.trimEnd()).toMatch(reason);
      expect(text.trimEnd()).not.toContain('\n');
    }
    // the dashboard only reads: another method on a page that exists is 405 with Allow, on one that does not 404
    const post = await app.request('/api/world', { method: 'POST' });
    expect([post.status, post.headers.get('allow'), (await post.text()).trimEnd()]).toEqual([405, 'GET, HEAD', 'POST is not allowed on /api/world: the dashboard only reads (GET)']);
    expect((await app.request('/nowhere', { method: 'DELETE' })).status).toBe(404);
  });

  it('streams each new tick as a server-sent event', async () => {
    const res = await app.request('/api/events');
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await until(/event: hello\ndata: \{"tick":30\}/);
    const next = stepTick(world.state).events;
    await store.append(tickStream(31), next, 'no_stream');
    await until(/event: tick\ndata: .*\n\n/);
    const tick = JSON.parse(/event: tick\ndata: (.*)\n/.exec(text)![1]!);
    const done = next.find((e) => e.type === 'TickCompleted')!.data as { healthy: number; suspicious: number; infected: number };
    expect(tick.row).toMatchObject({ tick: 31, healthy: done.healthy, suspicious: done.suspicious, infected: done.infected });
    expect(tick.lag).toMatchObject({ events: 0 });
    expect(tick.alerts.length).toBe(next.filter((e) => e.type === 'NotificationIssued').length);
    await reader.cancel();
    expect(source.info().tick).toBe(31);
  });
});

describe('no world, no port', () => {
  it('a store without a world is refused with one line', async () => {
    const empty = memoryStore();
    await expect(openReadModelSource(empty, 'memory:')).rejects.toThrow(/^no world in the memory: store: run 'stopcovid simulate' or 'stopcovid ingest' first$/);
    await empty.close();
  });

  it('listen: a port in use and an address not of this machine are one-line ListenErrors', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      await expect(listen(app, '127.0.0.1', port)).rejects.toMatchObject({ code: 'LISTEN', message: `port ${port} on 127.0.0.1 is in use: stop what uses it or choose another with --port` });
      await expect(listen(app, '10.255.255.1', 0)).rejects.toMatchObject({ code: 'LISTEN', message: 'cannot listen on 10.255.255.1: not an address of this machine' });
    } finally {
      busy.close();
    }
    const served = await listen(app, '127.0.0.1', 0);
    expect(await (await fetch(`${served.url}api/world`)).json()).toMatchObject({ people: 400 });
    await served.close();
  });
});
