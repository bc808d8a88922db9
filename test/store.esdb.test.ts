/**
 * The EventStoreDB / KurrentDB adapter against a live server: the shared store contract, a tick
 * larger than the append limit, the server's size error, checkpoints, and a subscription that
 * survives a cut connection. Runs when STOPCOVID_ESDB_URL names a server, e.g.
 *
 *   docker compose up -d eventstore
 *   STOPCOVID_ESDB_URL='esdb://localhost:2113?tls=false' npx vitest run test/store.esdb.test.ts
 *
 * Each store gets a namespace of its own (`?namespace=stopcovid-test-<run>-<n>.`), so tests see
 * an empty store on a shared server. Without the variable the suite is skipped with one line.
 */
import { createServer, connect, type Socket } from 'node:net';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, genesis, isStoreError, loadWorld, scratch, stepTick, tickStream, type EventStore } from '../core/index.js';
import type { RawEvent } from '../events/index.js';
import { CHECKPOINT_CATEGORY, openEsdbStore } from '../adapters/store/esdb.js';
import { parseEsdbUrl } from '../adapters/store/esdbUrl.js';
import { storeContract } from './storeContract.js';

const URL = process.env.STOPCOVID_ESDB_URL;
if (!URL) console.warn(`EventStoreDB tests SKIPPED: STOPCOVID_ESDB_URL is not set. Run them with: docker compose up -d eventstore && STOPCOVID_ESDB_URL='esdb://localhost:2113?tls=false' npx vitest run test/store.esdb.test.ts`);

const run = `${process.pid}-${Math.floor(performance.timeOrigin).toString(36)}`;
let n = 0;
/** `url` with one more query option. */
const withOption = (url: string, option: string) => `${url}${url.includes('?') ? '&' : '?'}${option}`;
const namespaced = (url: string) => withOption(url, `namespace=stopcovid-test-${run}-${n++}.`);

async function collect(it: AsyncIterable<RawEvent>): Promise<RawEvent[]> {
  const out: RawEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

if (URL) storeContract('EventStoreDB (live server)', () => openEsdbStore(namespaced(URL), { prefix: '' }));

describe.skipIf(!URL)('EventStoreDB adapter on a live server', () => {
  const opened: EventStore[] = [];
  const open = async (url: string) => {
    const store = await openEsdbStore(url);
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  it('writes a tick larger than the append limit in several appends; it reads back whole and replays to its hash', async () => {
    const store = await open(withOption(namespaced(URL!), 'maxAppendSize=16384'));
    const world = genesis({ ...DEFAULT_PARAMS, people: 2000, seed: 4 });
    await store.append(tickStream(0), world.events, 'no_stream');
    const { events } = stepTick(world.state, scratch());
    const result = await store.append(tickStream(1), events, 'no_stream');
    const read = await collect(store.readStream(tickStream(1)));
    expect(read.map((e) => e.type)).toEqual(events.map((e) => e.type));
    expect(result).toEqual({ nextExpectedRevision: events.length - 1, position: read.at(-1)!.position });
    const loaded = await loadWorld(store);
    expect(loaded).toMatchObject({ events: world.events.length + events.length, ignored: 0 });
    expect(loaded.state.recordedHash).toBe(world.state.recordedHash);
  });

  it("an append over the server's MaxAppendSize, not split, is refused with one line naming the limit", async () => {
    const store = await open(withOption(namespaced(URL!), 'maxAppendSize=67108864'));
    const big = Array.from({ length: 300 }, (_, i) => ({ type: 'Blob', data: { i, pad: 'x'.repeat(8000) }, metadata: { tick: 0 } }));
    const error = await store.append('stopcovid.blob', big, 'no_stream').catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/append to stopcovid\.blob on EventStoreDB at .* was refused as too large/);
    expect(await collect(store.readStream('stopcovid.blob'))).toEqual([]);
  });

  it('keeps checkpoints in their own stream with $maxCount 1, outside what readAll returns', async () => {
    const url = namespaced(URL!);
    const store = await open(url);
    await store.append(tickStream(0), [{ type: 'A', data: {}, metadata: { tick: 0 } }], 'no_stream');
    await store.checkpoints.save('bridge:t', 5);
    await store.checkpoints.save('bridge:t', 9);
    expect(await store.checkpoints.load('bridge:t')).toBe(9);
    expect((await collect(store.readAll())).map((e) => e.stream)).toEqual([tickStream(0)]);
    const client = KurrentDBClient.connectionString(parseEsdbUrl(url).connectionString);
    try {
      const meta = await client.getStreamMetadata(`${CHECKPOINT_CATEGORY}${parseEsdbUrl(url).namespace}bridge:t`);
      expect(meta.metadata?.maxCount).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  describe('a subscription through a connection that is cut', () => {
    let proxy: ReturnType<typeof createServer>;
    const sockets = new Set<Socket>();
    let proxyUrl = '';
    const parsed = URL ? parseEsdbUrl(URL) : undefined;
    // the proxy listens on 127.0.0.1: a server behind TLS would not match its certificate
    const single = parsed !== undefined && !parsed.discover && parsed.hosts.length === 1 && !parsed.tls;

    beforeAll(async () => {
      if (!single) return;
      const target = parsed!.hosts[0]!;
      proxy = createServer((inbound) => {
        const outbound = connect(target.port, target.host);
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as { port: number }).port;
      proxyUrl = URL!.replace(/^([a-z+]+:\/\/(?:[^@/?]*@)?)[^/?,]+/i, `$1127.0.0.1:${port}`);
    });
    afterAll(() => proxy?.close());

    it.skipIf(!single)('resubscribes from the last event it delivered: nothing lost, nothing twice', async () => {
      const store = await open(namespaced(proxyUrl));
      const ev = (tick: number, i: number) => ({ type: 'A', data: { n: i }, metadata: { tick } });
      /** Append, once more if the call met the cut connection and wrote nothing. */
      const append = async (tick: number, ns: number[]) => {
        try {
          await store.append(tickStream(tick), ns.map((i) => ev(tick, i)), 'no_stream');
        } catch {
          if ((await collect(store.readStream(tickStream(tick)))).length === 0) await store.append(tickStream(tick), ns.map((i) => ev(tick, i)), 'no_stream');
        }
      };
      await append(0, [0]);
      const stop = new AbortController();
      const seen: number[] = [];
      const done = (async () => {
        for await (const e of store.subscribeAll({ signal: stop.signal })) {
          seen.push((e.data as { n: number }).n);
          if (seen.length === 6) stop.abort();
        }
      })();
      const until = async (k: number) => {
        const deadline = performance.now() + 20_000;
        while (seen.length < k) {
          if (performance.now() > deadline) throw new Error(`saw ${seen.length} of ${k} events: ${seen.join(', ')}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until(1);
      for (const s of sockets) s.destroy(); // cut every connection of the store
      await append(1, [1, 2]);
      await until(3);
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, 300));
      await append(2, [3, 4, 5]);
      await done;
      expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    });
  });
});
