/**
 * The EventStoreDB adapter without a server: URL parsing, position and revision mapping, error
 * translation, chunking by size, the commit marker of a chunked tick, resubscription after a
 * dropped connection, and the store contract on an in-memory fake of the client. The opening
 * checks run the real client against a closed port, a silent socket and a fake gRPC endpoint
 * that refuses credentials. A live server is exercised by test/store.esdb.test.ts.
 */
import { createServer as createHttp2Server } from 'node:http2';
import { createServer, type Server } from 'node:net';
import { AccessDeniedError, KurrentDBClient, MaxAppendSizeExceededError, StreamNotFoundError, UnavailableError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { committedTicks, ConcurrencyError, DEFAULT_PARAMS, genesis, isConcurrencyError, isStoreError, loadWorld, scratch, stepTick, StoreError, tickStream } from '../../core/index.js';
import { isEventDecodeError, type RawEvent } from '../../events/index.js';
import { openStore } from '../registry.js';
import { collect, storeContract } from '../../test/storeContract.js';
import { FakeEsdb } from '../../test/esdbFake.js';
import { CHECKPOINT_CATEGORY, escapeRegex, esdbStore, openEsdbStore } from './esdb.js';
import { chunkBySize, eventSize, eventSizes } from './esdbChunks.js';
import { classifyEsdbError, isRetriableEsdbError, isStreamNotFound, translateEsdbError } from './esdbErrors.js';
import { toActualRevision, toLogPosition, toRevision, toStorePosition, toStreamState } from './esdbPosition.js';
import { parseEsdbUrl, redact } from './esdbUrl.js';

const ev = (type: string, n: number, tick = n) => ({ type, data: { n }, metadata: { tick, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1 } });


describe('store URLs', () => {
  it('reads a local insecure URL and hands the client a kurrentdb:// connection string', () => {
    const url = parseEsdbUrl('esdb://localhost:2113?tls=false');
    expect(url).toMatchObject({ scheme: 'esdb', discover: false, hosts: [{ host: 'localhost', port: 2113 }], tls: false, namespace: '', connectTimeoutMs: 5000, deadlineMs: 10_000, maxAppendBytes: 1_048_576 });
    expect(url.connectionString).toBe('kurrentdb://localhost:2113?tls=false');
    expect(url.display).toBe('esdb://localhost:2113');
  });

  it('reads clusters, credentials, the client options and our own, case-insensitively', () => {
    const url = parseEsdbUrl('kurrentdb+discover://admin:chan%40ge%3Ait@node1,node2:2114/?TLS=false&tls_verify_cert=false&Namespace=paris.&connectTimeout=250&maxAppendSize=4096&defaultDeadline=3000&nodePreference=Leader');
    expect(url).toMatchObject({ scheme: 'kurrentdb+discover', discover: true, username: 'admin', password: 'chan@ge:it', tls: false, namespace: 'paris.', connectTimeoutMs: 250, maxAppendBytes: 4096, deadlineMs: 3000 });
    expect(url.hosts).toEqual([
      { host: 'node1', port: 2113 },
      { host: 'node2', port: 2114 },
    ]);
    expect(url.clientOptions).toEqual({ tls: 'false', tlsVerifyCert: 'false', defaultDeadline: '3000', nodePreference: 'Leader' });
    expect(url.connectionString).toBe('kurrentdb+discover://admin:chan%40ge%3Ait@node1:2113,node2:2114?tls=false&tlsVerifyCert=false&defaultDeadline=3000&nodePreference=Leader');
    expect(url.display).toBe('kurrentdb+discover://admin@node1:2113,node2:2114');
    expect(parseEsdbUrl('esdb+discover://cluster.example').connectionString).toBe('kurrentdb+discover://cluster.example:2113');
  });

  it('the client takes every connection string we build, without a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const text of ['esdb://localhost:2113?tls=false', 'esdb+discover://a:b@h1:1,h2:2?keepAliveInterval=20000&namespace=x.', 'kurrentdb://h?tls=true&tlsVerifyCert=false&connectionName=my%20app&gossipTimeout=3&maxDiscoverAttempts=2&discoveryInterval=50'])
        KurrentDBClient.connectionString(parseEsdbUrl(text).connectionString);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it.each([
    ['mongodb://h', /scheme 'mongodb:'/],
    ['esdb://', /names no host/],
    ['esdb://h:99999', /bad port '99999'/],
    ['esdb://h:', /bad port ''/],
    ['esdb://[::1]:2113', /IPv6/],
    ['esdb://admin@h', /credentials without user or password/],
    ['esdb://h/db', /has a path/],
    ['esdb://h?foo=1', /unknown option 'foo': known options are tls, /],
    ['esdb://h?tls=maybe', /tls=maybe: expected true or false/],
    ['esdb://h?tls', /tls without a value/],
    ['esdb://h?defaultDeadline=soon', /expected a whole number/],
    ['esdb://h?nodePreference=nearest', /expected leader, follower/],
    ['esdb://h?throwOnAppendFailure=false', /manages itself/],
    ['esdb://h?namespace=$sys', /namespace '\$sys'/],
    ['esdb://h?maxAppendSize=10', /maxAppendSize below 1024/],
    ['esdb://a:s3cret@h?x=%zz', /malformed %-escape/],
  ])('refuses %s with one line', (text, message) => {
    let error: unknown;
    try {
      parseEsdbUrl(text);
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('never shows the password', () => {
    expect(redact('esdb://admin:s3cret@h:2113?tls=false')).toBe('esdb://admin:***@h:2113?tls=false');
    expect(() => parseEsdbUrl('esdb://admin:s3cret@h:0')).toThrow(/admin:\*\*\*@h:0/);
  });
});

describe('positions and revisions', () => {
  it('numbers an event by its commit position + 1, and turns the number back into {commit, prepare}', () => {
    expect(toStorePosition({ commit: 0n, prepare: 0n })).toBe(1);
    for (const offset of [0n, 1n, 4_242n, 268_435_456n, 2n ** 40n, BigInt(Number.MAX_SAFE_INTEGER) - 2n]) {
      const position = toStorePosition({ commit: offset, prepare: offset });
      expect(toLogPosition(position)).toEqual({ commit: offset, prepare: offset });
    }
  });

  it('keeps $all order: increasing offsets give strictly increasing positions', () => {
    const offsets = Array.from({ length: 200 }, (_, i) => BigInt(i * i * 977 + i));
    const positions = offsets.map((o) => toStorePosition({ commit: o, prepare: o }));
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('refuses events that share a commit position (legacy explicit transactions) and offsets beyond 2^53', () => {
    expect(() => toStorePosition({ commit: 5000n, prepare: 4200n }, 'event A at s@0')).toThrow(/event A at s@0 sits at \$all \{commit 5000, prepare 4200\}, a commit position shared/);
    expect(() => toStorePosition({ commit: 2n ** 53n, prepare: 2n ** 53n })).toThrow(StoreError);
    expect(() => toLogPosition(0)).toThrow(/not a position/);
    expect(() => toLogPosition(1.5)).toThrow(/not a position/);
  });

  it('maps expected revisions to the client and revisions back', () => {
    expect(['no_stream', 'any', 'stream_exists'].map((s) => toStreamState(s as 'any'))).toEqual(['no_stream', 'any', 'stream_exists']);
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
    expect(toStreamState(-1)).toBe('no_stream');
    expect(() => toStreamState(-2)).toThrow(/not a revision/);
    expect(() => toStreamState(1.5)).toThrow(/not a revision/);
    expect(toRevision(7n)).toBe(7);
    expect(() => toRevision(2n ** 60n)).toThrow(StoreError);
    expect(toActualRevision(3n)).toBe(3);
    expect(toActualRevision(-1n)).toBe('no_stream');
    expect(toActualRevision('no_stream')).toBe('no_stream');
  });
});

describe('error translation', () => {
  const ctx = { op: 'append to s-1', server: 'esdb://h:2113', user: 'admin', stream: 's-1', expected: 'no_stream' as const };

  it("turns the client's wrong-expected-version error into our ConcurrencyError", () => {
    const error = translateEsdbError(new WrongExpectedVersionError(undefined, { streamName: 'ns.s-1', expected: 'no_stream', current: 4n }), ctx);
    expect(isConcurrencyError(error)).toBe(true);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ stream: 's-1', expected: 'no_stream', actual: 4 });
    expect(error.message).toBe('stream s-1 is at revision 4, expected no_stream');
    const onAbsent = translateEsdbError(new WrongExpectedVersionError(undefined, { streamName: 's-2', expected: 0n, current: 'no_stream' }), { ...ctx, stream: 's-2', expected: 0 });
    expect(onAbsent).toMatchObject({ stream: 's-2', expected: 0, actual: 'no_stream' });
  });

  it.each([
    ['the client: unavailable', new UnavailableError(), 'unreachable', /^cannot reach EventStoreDB at esdb:\/\/h:2113 \(append to s-1\); is the server running, .*\?tls=false/],
    ['gRPC 14', Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1.'), { code: 14 }), 'unreachable', /\(append to s-1: 14 UNAVAILABLE: .*ECONNREFUSED 127\.0\.0\.1:1\.\); is the server/],
    ['the read bridge', Object.assign(new Error('UnavailableError'), { name: 'UnavailableError' }), 'unreachable', /cannot reach/],
    ['the client: access denied', new AccessDeniedError(), 'denied', /refused user 'admin' \(append to s-1\): wrong password, or no permission/],
    ['gRPC 16', Object.assign(new Error('16 UNAUTHENTICATED: Invalid credentials'), { code: 16 }), 'denied', /refused user 'admin'/],
    ['append too large', MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), 'too-large', /refused as too large \(2000000 bytes\): the server's MaxAppendSize is 1048576 bytes; set \?maxAppendSize=/],
    ['anything else', new Error('boom\n  at somewhere'), 'other', /^append to s-1 on EventStoreDB at esdb:\/\/h:2113 failed: boom at somewhere$/],
  ])('%s', (_name, error, kind, message) => {
    expect(classifyEsdbError(error)).toBe(kind);
    const translated = translateEsdbError(error, { ...ctx, bytes: 2_000_000 });
    expect(isStoreError(translated)).toBe(true);
    expect(translated.message).toMatch(message);
    expect(translated.message).not.toContain('\n');
    expect(translated.cause).toBe(error);
    // an outage exits 1 in the CLI, as an unreachable Kafka does; the rest is the input's to change (exit 2)
    expect((translated as StoreError).unavailable).toBe(kind === 'unreachable');
  });

  it('asks for credentials when none were given, passes our own errors through, and knows what to retry', () => {
    expect(translateEsdbError(new AccessDeniedError(), { ...ctx, user: undefined }).message).toMatch(/refused access without credentials .*put user:password@ in the store URL/);
    const own = new StoreError('mine');
    expect(translateEsdbError(own, ctx)).toBe(own);
    expect(isRetriableEsdbError(new UnavailableError())).toBe(true);
    expect(isRetriableEsdbError(new AccessDeniedError())).toBe(false);
    expect(isRetriableEsdbError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'any', current: 1n }))).toBe(false);
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 's'))).toBe(true);
    expect(isStreamNotFound(new UnavailableError())).toBe(false);
  });
});

describe('chunking by encoded size', () => {
  it('cuts greedily, keeps order, and gives an oversized item a run of its own', () => {
    expect(chunkBySize([], 10)).toEqual([]);
    expect(chunkBySize([3, 3, 3], 6)).toEqual([
      [0, 2],
      [2, 3],
    ]);
    expect(chunkBySize([5, 5], 10)).toEqual([[0, 2]]);
    expect(chunkBySize([2, 20, 2], 10)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(() => chunkBySize([1], 0)).toThrow(RangeError);
  });

  it('on random sizes: covers every item once, in order, each run within the limit, none could take the next item', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed);
    for (let round = 0; round < 200; round++) {
      const limit = 50 + (next() % 500);
      const sizes = Array.from({ length: next() % 80 }, () => next() % (limit + limit / 4));
      const runs = chunkBySize(sizes, limit);
      expect(runs.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i))).toEqual(sizes.map((_, i) => i));
      for (const [a, b] of runs) {
        const total = sizes.slice(a, b).reduce((x, y) => x + y, 0);
        expect(total <= limit || b - a === 1).toBe(true);
        if (b < sizes.length) expect(total + sizes[b]!).toBeGreaterThan(limit);
      }
    }
  });

  it("counts an event as the server does: UTF-8 data and metadata plus twice the type's length", () => {
    const e = { type: 'PersonMoved', data: { name: 'Zoé', x: 1 }, metadata: { tick: 3 } };
    const expected = Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)) + 2 * 'PersonMoved'.length;
    expect(eventSize(e)).toBe(expected);
    expect(Buffer.byteLength(JSON.stringify(e.data))).toBe(JSON.stringify(e.data).length + 1); // é is two bytes
    expect(eventSize({ type: 'T', data: null, metadata: undefined })).toBe(4 + 2);
    const shared = { tick: 1 };
    const events = [ev('A', 1), { type: 'B', data: { n: 2 }, metadata: shared }, { type: 'C', data: { n: 3 }, metadata: shared }];
    expect(eventSizes(events)).toEqual(events.map((x) => eventSize(x)));
  });

  it('a tick of a real world, chunked, keeps TickCompleted as the very last event of the last chunk', () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 3000, seed: 11 });
    const { events } = stepTick(world.state, scratch());
    const runs = chunkBySize(eventSizes(events), 16 * 1024);
    expect(runs.length).toBeGreaterThan(3);
    const tickCompleted = events.map((e, i) => (e.type === 'TickCompleted' ? i : -1)).filter((i) => i >= 0);
    expect(tickCompleted).toEqual([events.length - 1]);
    expect(runs[runs.length - 1]![1]).toBe(events.length);
  });
});

describe('the adapter over an in-memory fake of the client (server-free)', () => {
  const fake = new FakeEsdb();
  let n = 0;
  storeContract('EventStoreDB adapter on a fake client, one namespace per test', async () => esdbStore(fake, { namespace: `contract-${n++}.`, prefix: '' }));

  it('leaves out system streams, other applications, other namespaces and checkpoint streams', async () => {
    const store = esdbStore(fake, { namespace: 'iso.' });
    const other = esdbStore(fake, { namespace: 'other.' });
    await store.append(tickStream(0), [ev('A', 0)], 'no_stream');
    await other.append(tickStream(0), [ev('A', 0)], 'no_stream');
    await store.checkpoints.save('g', 3);
    fake.write('iso.elsewhere', 'A', { n: 9 }); // in the namespace, outside the stopcovid. prefix
    const all = await collect(store.readAll());
    expect(all.map((e) => [e.stream, e.type])).toEqual([['stopcovid.tick-0', 'A']]);
    expect((await collect(store.readAll({ types: ['A', '$metadata', 'StopcovidCheckpoint'] }))).map((e) => e.stream)).toEqual(['stopcovid.tick-0']);
    expect(fake.log.some((r) => r.streamId === `${CHECKPOINT_CATEGORY}iso.g`)).toBe(true);
    expect(fake.metadata.get(`${CHECKPOINT_CATEGORY}iso.g`)).toEqual({ maxCount: 1 });
    expect(await store.lastPosition()).toBe(all[0]!.position);
    await expect(store.append('orders-1', [ev('A', 1)], 'any')).rejects.toThrow(/outside this store: its streams start with 'stopcovid\.'/);
    expect(() => esdbStore(fake, { prefix: '' })).toThrow(/needs a namespace or a stream prefix/);
    expect(() => esdbStore(fake, { namespace: 's', prefix: '' })).toThrow(/would take in the checkpoint streams/);
  });

  it('writes a batch over the size limit in several appends, each within it, in order, with exact revisions', async () => {
    const small = new FakeEsdb();
    small.maxAppendSize = 4096;
    const store = esdbStore(small, { namespace: 'big.', maxAppendBytes: 4096 });
    await store.append(tickStream(0), [ev('A', 0)], 'no_stream');
    const events = Array.from({ length: 300 }, (_, i) => ev('PersonMoved', i, 1));
    const result = await store.append(tickStream(1), events, 'no_stream');
    const calls = small.appends.filter((a) => a.stream === 'big.stopcovid.tick-1');
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.every((c) => c.bytes <= 4096)).toBe(true);
    expect(calls[0]!.streamState).toBe('no_stream');
    let written = 0;
    for (const c of calls.slice(1)) {
      written += calls[calls.indexOf(c) - 1]!.types.length;
      expect(c.streamState).toBe(BigInt(written - 1)); // the exact revision the previous append reached
    }
    const read = await collect(store.readStream(tickStream(1)));
    expect(read.map((e) => (e.data as { n: number }).n)).toEqual(events.map((_, i) => i));
    expect(read.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    expect(result).toEqual({ nextExpectedRevision: 299, position: read[299]!.position });
    // a second writer of the same tick is refused by its first append
    const again = await store.append(tickStream(1), events, 'no_stream').catch((e: unknown) => e);
    expect(isConcurrencyError(again)).toBe(true);
  });

  it('a chunked tick that fails half way stays without TickCompleted, and readers ignore it', async () => {
    const small = new FakeEsdb();
    const store = esdbStore(small, { namespace: 'crash.', maxAppendBytes: 8 * 1024 });
    const world = genesis({ ...DEFAULT_PARAMS, people: 400, seed: 5 });
    await store.append(tickStream(0), world.events, 'no_stream');
    const { events } = stepTick(world.state, scratch());
    const before = small.appends.length;
    small.failAppend = (call) => (call === before + 3 ? new UnavailableError() : undefined);
    const error = await store.append(tickStream(1), events, 'no_stream').catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^cannot reach EventStoreDB .*append 3 of \d+ to stopcovid\.tick-1.*; the first \d+ of \d+ events were written, without the last one/);
    const written = await collect(store.readStream(tickStream(1)));
    expect(written.length).toBeGreaterThan(0);
    expect(written.some((e) => e.type === 'TickCompleted')).toBe(false);
    let ignored = 0;
    const ticks = [];
    for await (const tick of committedTicks(store.readAll(), (k) => (ignored += k))) ticks.push(tick[0]!.metadata.tick);
    expect(ticks).toEqual([0]);
    expect(ignored).toBe(written.length);
    const loaded = await loadWorld(store);
    expect(loaded.state.tick).toBe(0);
    expect(loaded.ignored).toBe(written.length);
  });

  it('when the whole tick is written in several appends, TickCompleted travels in the last one', async () => {
    const small = new FakeEsdb();
    const store = esdbStore(small, { namespace: 'marker.', maxAppendBytes: 8 * 1024 });
    const world = genesis({ ...DEFAULT_PARAMS, people: 400, seed: 5 });
    await store.append(tickStream(0), world.events, 'no_stream');
    const calls = small.appends.filter((a) => a.stream === 'marker.stopcovid.tick-0');
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.slice(0, -1).some((c) => c.types.includes('TickCompleted'))).toBe(false);
    expect(calls[calls.length - 1]!.types.at(-1)).toBe('TickCompleted');
    expect((await loadWorld(store)).state.recordedHash).toBe(world.state.recordedHash);
  });

  it('a subscription survives dropped connections: it resubscribes from the last event, with no loss and no repeat', async () => {
    const fake2 = new FakeEsdb();
    const store = esdbStore(fake2, { namespace: 'sub.' });
    await store.append(tickStream(0), [ev('A', 0), ev('B', 1)], 'no_stream');
    const stop = new AbortController();
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of store.subscribeAll({ signal: stop.signal })) {
        seen.push((e.data as { n: number }).n);
        if (seen.length === 1) fake2.dropSubscriptions(); // drop while an event is being handled
        if (seen.length === 7) stop.abort();
      }
    })();
    await vi.waitFor(() => expect(seen.length).toBe(2));
    await store.append(tickStream(1), [ev('C', 2), ev('D', 3)], 'no_stream');
    await vi.waitFor(() => expect(seen.length).toBe(4));
    fake2.dropSubscriptions(new Error('14 UNAVAILABLE: Connection dropped'));
    fake2.dropSubscriptions();
    await store.append(tickStream(2), [ev('E', 4), ev('F', 5), ev('G', 6)], 'no_stream');
    await done;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(fake2.liveSubscriptions).toBe(0);
    await store.close();
  });

  it('an abort or a close ends a subscription that waits for events, even if the stream stays open after its cancel', async () => {
    const f = new FakeEsdb();
    f.stuckAfterUnsubscribe = true;
    const store = esdbStore(f, { namespace: 'idle.' });
    await store.append(tickStream(0), [ev('A', 0)], 'no_stream');
    const stop = new AbortController();
    const seen: string[] = [];
    const aborted = (async () => {
      for await (const e of store.subscribeAll({ signal: stop.signal })) seen.push(e.type);
    })();
    await vi.waitFor(() => expect(seen).toEqual(['A']));
    await vi.waitFor(() => expect(f.confirmations).toBe(1));
    stop.abort();
    await aborted; // would hang if the adapter waited for the stream to end
    const closed = collect(store.subscribeAll());
    await vi.waitFor(() => expect(f.confirmations).toBe(2));
    await store.close();
    expect((await closed).map((e) => e.type)).toEqual(['A']);
  });

  it('a subscription fails with one line when access is refused, or when it cannot resubscribe in time', async () => {
    const denied = new FakeEsdb();
    denied.failSubscribe = () => new AccessDeniedError();
    const a = esdbStore(denied, { user: 'bob', server: 'esdb://h:2113' });
    await expect(collect(a.subscribeAll())).rejects.toThrow(/^EventStoreDB at esdb:\/\/h:2113 refused user 'bob' \(subscription to \$all\)/);
    const down = new FakeEsdb();
    down.failSubscribe = () => new UnavailableError();
    const b = esdbStore(down, { reconnectTimeoutMs: 300 });
    await expect(collect(b.subscribeAll())).rejects.toThrow(/could not resubscribe within 300 ms: cannot reach EventStoreDB/);
  });

  it('reports a corrupt or foreign event by stream, revision and type', async () => {
    const f = new FakeEsdb();
    const store = esdbStore(f, { namespace: 'bad.' });
    f.write('bad.stopcovid.tick-0', 'PersonRegistered', { x: 1 }, { tick: 0 }, { binary: true });
    const error = await collect(store.readAll()).catch((e: unknown) => e);
    expect(isEventDecodeError(error)).toBe(true);
    expect((error as Error).message).toBe('corrupt event PersonRegistered at stopcovid.tick-0@0: not JSON (stored as binary data)');
    const g = new FakeEsdb();
    g.write('tx.stopcovid.tick-0', 'A', { n: 1 }, { tick: 0 }, { position: { commit: 90_000n, prepare: 80_000n } });
    await expect(collect(esdbStore(g, { namespace: 'tx.' }).readAll())).rejects.toThrow(/event A at stopcovid\.tick-0@0 sits at \$all \{commit 90000, prepare 80000\}/);
  });

  it('an empty append only checks the expected revision; bad positions and revisions are refused', async () => {
    const store = esdbStore(new FakeEsdb(), { namespace: 'empty.' });
    await expect(store.append(tickStream(0), [], 'no_stream')).resolves.toEqual({ nextExpectedRevision: -1, position: 0 });
    const first = await store.append(tickStream(0), [ev('A', 0)], 'no_stream');
    await expect(store.append(tickStream(0), [], 0)).resolves.toEqual({ nextExpectedRevision: 0, position: first.position });
    expect(isConcurrencyError(await store.append(tickStream(0), [], 'no_stream').catch((e: unknown) => e))).toBe(true);
    await expect(store.append(tickStream(0), [ev('B', 1)], -3)).rejects.toThrow(/not a revision/);
    await expect(collect(store.readAll({ after: 2.5 }))).rejects.toThrow(/not a position/);
    await expect(collect(store.readStream(tickStream(0), -1))).rejects.toThrow(/not a stream revision/);
    await expect(store.checkpoints.save('g', -1)).rejects.toThrow(/not a position/);
  });

  it('escapes event types for the server-side regex', () => {
    expect(escapeRegex('A.B+C$')).toBe('A\\.B\\+C\\$');
    expect(new RegExp(`^(?:${['A.B', 'C'].map(escapeRegex).join('|')})$`).test('AxB')).toBe(false);
    expect(escapeRegex('a b')).toBe('a\\u0020b');
  });

  afterAll(() => fake.dispose());
});

describe('opening a store with the real client, without a server', () => {
  let silent: Server;
  let silentPort = 0;
  let closedPort = 0;
  let refusing: ReturnType<typeof createHttp2Server>;
  let refusingPort = 0;
  let flaky: ReturnType<typeof createHttp2Server>;
  let flakyPort = 0;
  let flakyReads = 0;

  beforeAll(async () => {
    silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    // a gRPC endpoint that answers like a server refusing the credentials (16 UNAUTHENTICATED)
    refusing = createHttp2Server();
    refusing.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const status = String(headers[':path']).includes('ServerFeatures') ? '12' : '16';
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': status, 'grpc-message': 'Invalid credentials' }, { endStream: true });
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    refusingPort = (refusing.address() as { port: number }).port;
    // a gRPC endpoint whose every read fails with 14 UNAVAILABLE, like a node going down
    flaky = createHttp2Server();
    flaky.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const path = String(headers[':path']);
      if (path.endsWith('/Read')) flakyReads++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': path.includes('ServerFeatures') ? '12' : '14', 'grpc-message': 'node shutting down' }, { endStream: true });
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    flakyPort = (flaky.address() as { port: number }).port;
  });
  afterAll(async () => {
    silent.close();
    refusing.close();
    flaky.close();
  });

  it('a subscription whose server keeps failing is retried with backoff, then fails with one line', async () => {
    const client = KurrentDBClient.connectionString(parseEsdbUrl(`esdb://127.0.0.1:${flakyPort}?tls=false`).connectionString);
    const store = esdbStore(client, { server: 'esdb://flaky', reconnectTimeoutMs: 800 });
    const error = await collect(store.subscribeAll()).catch((e: unknown) => e);
    await store.close();
    expect((error as Error).message).toMatch(/^lost the subscription to \$all on EventStoreDB at esdb:\/\/flaky and could not resubscribe within 800 ms: cannot reach EventStoreDB/);
    expect(flakyReads).toBeGreaterThan(2);
    expect((error as StoreError).unavailable).toBe(true);
  });

  it('a closed port: a one-line StoreError saying the server cannot be reached', async () => {
    const started = performance.now();
    const error = await openStore(`esdb://127.0.0.1:${closedPort}?tls=false&connectTimeout=4000`).catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach EventStoreDB at esdb://127\\.0\\.0\\.1:${closedPort}`));
    expect((error as Error).message).not.toContain('\n');
    expect((error as StoreError).unavailable).toBe(true);
    expect(performance.now() - started).toBeLessThan(4500);
  });

  it('a server that accepts but never answers: the error comes within connectTimeout', async () => {
    const started = performance.now();
    const error = await openStore(`esdb://127.0.0.1:${silentPort}?tls=false&connectTimeout=600`).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^cannot reach EventStoreDB at esdb:\/\/127\.0\.0\.1:\d+ within 600 ms; .*\?tls=false/);
    expect((error as StoreError).unavailable).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refused credentials: a one-line StoreError naming the user, never the password', async () => {
    const error = await openEsdbStore(`kurrentdb://admin:s3cret@127.0.0.1:${refusingPort}?tls=false&connectTimeout=4000`).catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^EventStoreDB at kurrentdb:\/\/admin@127\.0\.0\.1:\d+ refused user 'admin' \(read of \$all\)/);
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as StoreError).unavailable).toBe(false); // the credentials must change: exit 2
  });

  it('a malformed URL is refused before anything is loaded or dialled', async () => {
    await expect(openStore('esdb://localhost:2113?tls=off')).rejects.toThrow(/^store URL 'esdb:\/\/localhost:2113\?tls=off' has tls=off: expected true or false$/);
  });
});
