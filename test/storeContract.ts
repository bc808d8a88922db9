/**
 * The one contract suite every EventStore adapter passes, parameterised by a factory
 * (Emmett's habit). Revision convention (EventStoreDB's): the first event of a stream is revision 0.
 * Global positions are > 0, strictly increasing in `$all` order, and `after` is exclusive; stores
 * whose positions are dense (1, 2, 3, ...: memory, SQLite) say so and are held to it, while
 * EventStoreDB's are log offsets with gaps (other streams, other worlds, system records).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isConcurrencyError, readPages, type EventStore, type NewEvent } from '../core/index.js';
import type { RawEvent } from '../events/index.js';

const ev = (type: string, n: number): NewEvent => ({ type, data: { n }, metadata: { tick: n, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1 } });

/** The events of `it`, at most `max` (then the iteration is ended). */
export async function collect(it: AsyncIterable<RawEvent>, max = Infinity): Promise<RawEvent[]> {
  const out: RawEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

/** What a store promises beyond the common contract. */
export interface ContractOptions {
  /** Positions are exactly 1, 2, 3, ... in a fresh store. */
  densePositions?: boolean;
}

const increasing = (positions: number[]) => positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!));

/** Run the contract against stores made by `factory` (a fresh, empty store per test). */
export function storeContract(name: string, factory: () => Promise<EventStore>, options: ContractOptions = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    const opened: EventStore[] = [];
    const open = async () => {
      const s = await factory();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('appends to a new stream with no_stream, from revision 0, and reads it back in order', async () => {
      const store = await open();
      const r = await store.append('s-1', [ev('A', 1), ev('B', 2)], 'no_stream');
      expect(r.nextExpectedRevision).toBe(1);
      const read = await collect(store.readStream('s-1'));
      expect(read.map((e) => [e.stream, e.revision, e.type, e.data])).toEqual([
        ['s-1', 0, 'A', { n: 1 }],
        ['s-1', 1, 'B', { n: 2 }],
      ]);
      expect(increasing(read.map((e) => e.position))).toBe(true);
      expect(r.position).toBe(read[1]!.position);
      expect((await collect(store.readAll())).map((e) => e.position)).toEqual(read.map((e) => e.position));
      if (options.densePositions) expect(read.map((e) => e.position)).toEqual([1, 2]);
      expect(read[0]!.metadata).toEqual({ tick: 1, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1 });
    });

    it('refuses no_stream on an existing stream with a concurrency error, and writes nothing', async () => {
      const store = await open();
      await store.append('s-1', [ev('A', 1)], 'no_stream');
      const error = await store.append('s-1', [ev('B', 2)], 'no_stream').catch((e: unknown) => e);
      expect(isConcurrencyError(error)).toBe(true);
      expect(await collect(store.readAll())).toHaveLength(1);
    });

    it('appends with the exact revision, and refuses a stale one', async () => {
      const store = await open();
      await store.append('s-1', [ev('A', 1), ev('B', 2)], 'no_stream');
      await expect(store.append('s-1', [ev('C', 3)], 1)).resolves.toMatchObject({ nextExpectedRevision: 2 });
      const stale = await store.append('s-1', [ev('D', 4)], 1).catch((e: unknown) => e);
      expect(isConcurrencyError(stale)).toBe(true);
      const onAbsent = await store.append('s-2', [ev('D', 4)], 0).catch((e: unknown) => e);
      expect(isConcurrencyError(onAbsent)).toBe(true);
    });

    it("appends with 'any' whatever the stream's state, and 'stream_exists' only to an existing stream", async () => {
      const store = await open();
      await store.append('s-1', [ev('A', 1)], 'any');
      await store.append('s-1', [ev('B', 2)], 'any');
      expect((await collect(store.readStream('s-1'))).map((e) => e.revision)).toEqual([0, 1]);
      await expect(store.append('s-1', [ev('C', 3)], 'stream_exists')).resolves.toMatchObject({ nextExpectedRevision: 2 });
      expect(isConcurrencyError(await store.append('s-9', [ev('C', 3)], 'stream_exists').catch((e: unknown) => e))).toBe(true);
    });

    it('reads an absent stream as empty, and a stream from a revision', async () => {
      const store = await open();
      expect(await collect(store.readStream('nope'))).toEqual([]);
      await store.append('s-1', [ev('A', 1), ev('B', 2), ev('C', 3)], 'no_stream');
      expect((await collect(store.readStream('s-1', 1))).map((e) => e.type)).toEqual(['B', 'C']);
    });

    it('reads all streams in global order, after a position, by type, with a limit', async () => {
      const store = await open();
      await store.append('s-1', [ev('A', 1)], 'no_stream');
      await store.append('s-2', [ev('B', 2), ev('A', 3)], 'no_stream');
      await store.append('s-1', [ev('C', 4)], 0);
      const all = await collect(store.readAll());
      expect(all.map((e) => [e.stream, e.revision, e.type])).toEqual([
        ['s-1', 0, 'A'],
        ['s-2', 0, 'B'],
        ['s-2', 1, 'A'],
        ['s-1', 1, 'C'],
      ]);
      const p = all.map((e) => e.position);
      expect(increasing(p)).toBe(true);
      if (options.densePositions) expect(p).toEqual([1, 2, 3, 4]);
      expect((await collect(store.readAll({ after: p[1] }))).map((e) => e.position)).toEqual([p[2], p[3]]);
      expect((await collect(store.readAll({ types: ['A'] }))).map((e) => e.position)).toEqual([p[0], p[2]]);
      expect((await collect(store.readAll({ types: ['A'], after: p[0] }))).map((e) => e.position)).toEqual([p[2]]);
      expect((await collect(store.readAll({ types: ['C', 'A'] }))).map((e) => e.type)).toEqual(['A', 'A', 'C']); // several types: still in global order
      expect((await collect(store.readAll({ limit: 3 }))).map((e) => e.position)).toEqual([p[0], p[1], p[2]]);
      expect((await collect(store.readAll({ after: p[0], limit: 2 }))).map((e) => e.position)).toEqual([p[1], p[2]]);
      expect(await collect(store.readAll({ after: p[3] }))).toEqual([]);
      expect(await store.lastPosition()).toBe(p[3]);
    });

    it('an append is atomic: a refused batch leaves no event of it behind', async () => {
      const store = await open();
      const first = await store.append('s-1', [ev('A', 1)], 'no_stream');
      await store.append('s-1', [ev('B', 2), ev('C', 3)], 5).catch(() => undefined);
      expect(await store.lastPosition()).toBe(first.position);
      expect(await collect(store.readAll())).toHaveLength(1);
    });

    it('reads several types across pages in global order, by readAll and by a subscription', async () => {
      const store = await open();
      const kinds = ['X', 'Y', 'Z', 'X', 'X'];
      for (let batch = 0; batch < 5; batch++) await store.append(`mix-${batch}`, Array.from({ length: 700 }, (_, i) => ev(kinds[(i * 7 + batch) % 5]!, batch * 700 + i)), 'no_stream');
      const all = await collect(store.readAll());
      const want = all.filter((e) => e.type !== 'Y').map((e) => e.position);
      expect(want.length).toBeGreaterThan(2000);
      expect((await collect(store.readAll({ types: ['Z', 'X'] }))).map((e) => e.position)).toEqual(want);
      const stop = new AbortController();
      const seen = await collect(store.subscribeAll({ types: ['X', 'Z'], signal: stop.signal }), want.length);
      stop.abort();
      expect(seen.map((e) => e.position)).toEqual(want);
    });

    it('reads more events than one page, in order', async () => {
      const store = await open();
      const many = Array.from({ length: 2500 }, (_, i) => ev('M', i));
      await store.append('big', many, 'no_stream');
      const all = await collect(store.readAll());
      expect(all).toHaveLength(2500);
      expect(all.every((e, i) => (e.data as { n: number }).n === i)).toBe(true);
      expect(increasing(all.map((e) => e.position))).toBe(true);
      if (options.densePositions) expect(all.every((e, i) => e.position === i + 1)).toBe(true);
      expect((await collect(store.readStream('big'))).length).toBe(2500);
    });

    it('reads the same events in pages (readPages: readAllPages where the store has it), after a position, by type, with a limit', async () => {
      const store = await open();
      const types = ['A', 'B', 'C'];
      const many = Array.from({ length: 25_000 }, (_, i) => ev(types[i % 7 === 0 ? 2 : i % 40 < 35 ? 0 : 1]!, i));
      await store.append('big', many.slice(0, 12_000), 'no_stream');
      await store.append('big', many.slice(12_000), 11_999);
      const paged = async (o: Parameters<EventStore['readAll']>[0]) => {
        const out: RawEvent[] = [];
        for await (const page of readPages(store, o)) {
          expect(page.length).toBeGreaterThan(0);
          out.push(...page);
        }
        return out;
      };
      const all = await collect(store.readAll());
      expect(await paged({})).toEqual(all);
      const after = all[4321]!.position;
      expect(await paged({ after, types: ['B', 'C'], limit: 3000 })).toEqual(all.filter((e) => e.position > after && e.type !== 'A').slice(0, 3000));
      expect(await collect(store.readAll({ after, types: ['B', 'C'] }))).toEqual(all.filter((e) => e.position > after && e.type !== 'A'));
    });

    it('a catch-up subscription delivers past events, then live ones, and ends on abort', async () => {
      const store = await open();
      await store.append('s-1', [ev('A', 1), ev('B', 2)], 'no_stream');
      const [first] = await collect(store.readStream('s-1'));
      const stop = new AbortController();
      const seen: RawEvent[] = [];
      const done = (async () => {
        for await (const e of store.subscribeAll({ after: first!.position, signal: stop.signal })) {
          seen.push(e);
          if (seen.length === 3) stop.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const live = await store.append('s-2', [ev('C', 3), ev('D', 4)], 'no_stream');
      await done;
      expect(seen.map((e) => e.type)).toEqual(['B', 'C', 'D']);
      expect(increasing(seen.map((e) => e.position))).toBe(true);
      expect(seen[0]!.position).toBeGreaterThan(first!.position);
      expect(seen[2]!.position).toBe(live.position);
    });

    it('a subscription filtered by type skips other events and still goes live', async () => {
      const store = await open();
      await store.append('s-1', [ev('A', 1), ev('B', 2)], 'no_stream');
      const stop = new AbortController();
      const seen: string[] = [];
      const done = (async () => {
        for await (const e of store.subscribeAll({ types: ['B'], signal: stop.signal })) {
          seen.push(`${e.type}${(e.data as { n: number }).n}`);
          if (seen.length === 2) stop.abort();
        }
      })();
      await store.append('s-2', [ev('A', 3), ev('B', 4)], 'no_stream');
      await done;
      expect(seen).toEqual(['B2', 'B4']);
    });

    it('saves and loads named checkpoints', async () => {
      const store = await open();
      expect(await store.checkpoints.load('g')).toBeUndefined();
      await store.checkpoints.save('g', 7);
      await store.checkpoints.save('g', 9);
      await store.checkpoints.save('h', 1);
      expect(await store.checkpoints.load('g')).toBe(9);
      expect(await store.checkpoints.load('h')).toBe(1);
    });

    it('refuses use after close', async () => {
      const store = await factory();
      await store.close();
      await expect(store.append('s', [ev('A', 1)], 'any')).rejects.toThrow(/closed/);
    });
  });
}
