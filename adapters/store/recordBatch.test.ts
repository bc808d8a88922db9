import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, expandRun, genesis, genesisColumnar, isEventRun, scratch, stepTick, stepTickColumnar, type EventRun } from '../../core/index.js';
import type { NewEvent } from '../../core/index.js';
import { decodeBatch, decodeRun, encodeBatch, encodeRun } from './recordBatch.js';

const meta = { tick: 3, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1, correlationId: 'tick-3' };

/** What `export` writes of an event's data and metadata: the text that must not change. */
const text = (events: readonly { type: string; data: unknown; metadata: unknown }[]) => events.map((e) => `${e.type} ${JSON.stringify(e.data)} ${JSON.stringify(e.metadata)}`);

function roundTrip(events: NewEvent[]) {
  const body = encodeBatch(events, 0, events.length);
  const back = decodeBatch(body);
  expect(text(back)).toEqual(text(events));
  return { body, back };
}

describe('record batch', () => {
  it('keeps every event of a simulated world exactly, type by type, in a few bytes per move', () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 3000, width: 60, height: 60, seed: 4 });
    const buffers = scratch();
    const ticks = [world.events, ...Array.from({ length: 3 }, () => stepTick(world.state, buffers).events)];
    let moves = 0;
    let moveBytes = 0;
    for (const events of ticks)
      for (const type of new Set(events.map((e) => e.type))) {
        const run = events.filter((e) => e.type === type);
        const { body } = roundTrip(run);
        if (type === 'PersonMoved') (moves += run.length), (moveBytes += body.length);
      }
    expect(moves).toBeGreaterThan(8000);
    expect(moveBytes / moves).toBeLessThan(6);
  });

  it('encodes a run of columns to the very bytes of the same events as objects', () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 5000, width: 70, height: 70, seed: 9 });
    const run = stepTickColumnar(world.state, scratch()).events.find(isEventRun)!;
    expect(run.count).toBeGreaterThan(4000);
    const objects = expandRun(run);
    for (const [from, to] of [[0, run.count], [17, 4113], [run.count - 1, run.count]] as const) {
      expect(encodeRun(run, from, to).equals(encodeBatch(objects, from, to))).toBe(true);
    }
    // x and y of moves are not sorted, person ids are: both integer column kinds; and a string column
    const phones: EventRun = { type: 'PersonRegistered', metadata: meta, count: 3, keys: ['personId', 'phone', 'x', 'y'], columns: [Int32Array.of(0, 1, 2), ['+33612345678', '+33700000001', '+33600000000'], Int32Array.of(5, 5, 9), Int32Array.of(9, 2, -4)] };
    expect(encodeRun(phones, 0, 3).equals(encodeBatch(expandRun(phones), 0, 3))).toBe(true);
    expect(text(decodeBatch(encodeRun(phones, 1, 3)))).toEqual(text(expandRun(phones, 1, 3)));
  });

  it('decodes a batch of one type, metadata and flat shape of integers and strings back into a run, and nothing else', () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 3000, width: 60, height: 60, seed: 2 });
    const run = stepTickColumnar(world.state, scratch()).events.find(isEventRun)!;
    const back = decodeRun(encodeRun(run, 0, run.count), run.count)!;
    expect(back.type).toBe('PersonMoved');
    expect(back.keys).toEqual(['personId', 'x', 'y']);
    expect(back.metadata).toEqual(run.metadata);
    back.columns.forEach((c, k) => expect([...c]).toEqual([...run.columns[k]!]));
    const registered = genesisColumnar({ ...DEFAULT_PARAMS, people: 50, seed: 2 }).events.find(isEventRun)!;
    expect(text(expandRun(decodeRun(encodeRun(registered, 0, 50))!))).toEqual(text(expandRun(registered)));
    const events = (data: unknown[], type = 'PersonMoved') => data.map((d) => ({ type, data: d, metadata: meta }));
    const none = [
      events([{ personId: 1, x: 2, y: 3 }, { personId: 2, x: 2, y: 3 }]).concat(events([{ a: 1 }], 'TickCompleted')), // two types
      events([{ personId: 1, x: 2, y: 3 }, { personId: 2, x: 2 }]), // two shapes
      events([{ personId: 1, x: 2.5, y: 3 }]), // a float
      events([{ personId: 1, x: 2 ** 31, y: 3 }]), // beyond 32 bits
      events([{ personId: 1, x: [2], y: 3 }]), // JSON
      [{ type: 'PersonMoved', data: { personId: 1, x: 2, y: 3 }, metadata: meta }, { type: 'PersonMoved', data: { personId: 1, x: 2, y: 3 }, metadata: { ...meta, tick: 4 } }], // two metadata
    ];
    for (const batch of none) expect(decodeRun(encodeBatch(batch, 0, batch.length))).toBeUndefined();
    expect(() => decodeRun(encodeRun(run, 0, 10), 11)).toThrow(RangeError);
  });

  it('decodes integer columns at every varint length, and refuses a run cut inside one', () => {
    // zigzag varints change length at 2^6, 2^13, 2^20, 2^27 (one to four bytes) and take five beyond
    const edges = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, 2 ** 20 - 1, -(2 ** 20), 2 ** 20, 2 ** 27 - 1, -(2 ** 27), 2 ** 27, -(2 ** 27) - 1, 2 ** 31 - 1, -(2 ** 31)];
    const events = edges.map((x, i) => ({ type: 'PersonMoved', data: { personId: i, x, y: -x | 0 }, metadata: meta }));
    const run = decodeRun(encodeBatch(events, 0, events.length))!;
    expect([...run.columns[1]!]).toEqual(edges);
    expect([...run.columns[2]!]).toEqual(edges.map((x) => -x | 0));
    const cut = encodeBatch(events, 0, events.length);
    expect(() => decodeRun(cut.subarray(0, cut.length - 1))).toThrow(RangeError);
  });

  it('writes 32-bit integer columns in fixed width, plain or as differences, at every width from 0 to 4 bytes, and reads them back exactly', () => {
    const columns: number[][] = [
      [7, 7, 7], // width 0: one value
      [5, 6, 7, 8, 9], // width 0 as differences: consecutive ids take no byte
      [0, 255, 17, 3], // width 1, base 0
      [-4, 9, 2], // width 1, base -4
      [0, 65535, 300], // width 2
      [1000, 1000 + 65535, 1200], // width 2 with a base
      [0, 2 ** 24 - 1, 5], // width 3
      [-(2 ** 31), 2 ** 31 - 1, 0, -1], // width 4, the whole 32-bit range
      [100, 2 ** 31 - 1, -(2 ** 31)], // width 4, differences beyond 2^31
      [10, 20, 30, 2 ** 20, 2 ** 20 + 300], // rising: differences in 3 bytes
    ];
    for (const values of columns) {
      const events = values.map((v, i) => ({ type: 'PersonMoved', data: { personId: i, x: v, y: -v | 0 }, metadata: meta }));
      const body = encodeBatch(events, 0, events.length);
      const run = decodeRun(body, events.length)!;
      expect([...run.columns[1]!], String(values)).toEqual(values);
      expect([...run.columns[2]!], String(values)).toEqual(values.map((v) => -v | 0));
      expect(text(decodeBatch(body))).toEqual(text(events));
      expect(encodeRun(run, 0, run.count).equals(body)).toBe(true);
    }
  });

  it('takes three bytes a move on a grid of 60 x 60, two where every person moves', () => {
    // worked by hand: x and y are 0 to 59, one byte each in fixed width; ids rise by 1 to 255 between
    // the people who move (one byte each), and by exactly 1 when everyone moves (no byte at all)
    const world = genesis({ ...DEFAULT_PARAMS, people: 4096, width: 60, height: 60, seed: 3 });
    const run = stepTickColumnar(world.state, scratch()).events.find(isEventRun)!;
    expect(run.count).toBeGreaterThan(4000);
    const body = encodeRun(run, 0, run.count);
    expect(body.length).toBeGreaterThanOrEqual(3 * run.count - 1);
    expect(body.length).toBeLessThan(3 * run.count + 200);
    const everyone: EventRun = { ...run, count: 4096, columns: [Int32Array.from({ length: 4096 }, (_, i) => i), Int32Array.from({ length: 4096 }, (_, i) => (i * 7) % 60), Int32Array.from({ length: 4096 }, (_, i) => i % 60)] };
    const all = encodeRun(everyone, 0, 4096);
    expect(all.length).toBeGreaterThanOrEqual(2 * 4096);
    expect(all.length).toBeLessThan(2 * 4096 + 200);
    expect([...decodeRun(all)!.columns[0]!]).toEqual([...everyone.columns[0]!]);
  });

  it('keeps a column in varints where fixed width would take more than an eighth more bytes (small values and one outlier)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i % 50);
    values[500] = 2 ** 30;
    const events = values.map((x, i) => ({ type: 'PersonMoved', data: { personId: i, x, y: 0 }, metadata: meta }));
    const body = encodeBatch(events, 0, events.length);
    expect(body.length).toBeLessThan(1000 + 200); // fixed width would take 4 bytes a value: 4,000 for x alone
    expect([...decodeRun(body)!.columns[1]!]).toEqual(values);
  });

  it('reads bodies of the first format (integers only in varints), as written before fixed-width columns', () => {
    // encodeBatch at commit 930c6ce of three moves: ids 0, 1, 2; x 5, 5, 9; y 9, 2, -4
    const format1 = Buffer.from(
      '0103010b506572736f6e4d6f76656401000301557b227469636b223a332c226174223a22323032302d30332d31375430303a30303a30302e3030305a222c22736368656d6156657273696f6e223a312c22636f7272656c6174696f6e4964223a227469636b2d33227d010003010308706572736f6e49640178017901000301000202010a000800120407',
      'hex',
    );
    const events = [[0, 5, 9], [1, 5, 2], [2, 9, -4]].map(([personId, x, y]) => ({ type: 'PersonMoved', data: { personId, x, y }, metadata: meta }));
    expect(text(decodeBatch(format1, 3))).toEqual(text(events));
    expect([...decodeRun(format1, 3)!.columns[2]!]).toEqual([9, 2, -4]);
    expect(encodeBatch(events, 0, 3)[0]).toBe(2);
  });

  it('keeps odd data exactly: floats, negatives, huge integers, non-finite numbers, nesting, unicode, leading zeros, missing and undefined keys, non-objects', () => {
    const odd: unknown[] = [
      { a: 1.5, b: -3, c: 2 ** 60, d: Number.MAX_SAFE_INTEGER, e: -0 },
      { a: NaN, b: Infinity, c: null, d: true, e: [1, { f: 'g' }] },
      { s: 'héllo ✓ 😷', t: 'x-007', u: '0', v: '', w: 'c-1-99999999999999999' },
      { s: 'plain', t: 'x-7', u: '12', v: 'only', w: 'c-1-2' },
      { only: 1, gone: undefined },
      { __proto__: null, z: 1 },
      JSON.parse('{"__proto__": {"p": 1}, "q": 2}'),
      [1, 2, 3],
      'a string',
      42,
      null,
      {},
      { b: 1, a: 2, 10: 'numeric keys first' },
      { s: 'bad \ud800 surrogate' },
    ];
    const events = odd.map((data, i) => ({ type: 'Odd', data, metadata: i % 3 === 0 ? meta : { ...meta, tick: i } }));
    const { back } = roundTrip(events);
    expect(Object.keys(back[6]!.data as object)).toEqual(['__proto__', 'q']);
    expect(Object.getPrototypeOf(back[6]!.data)).toBe(Object.prototype);
  });

  it('keeps a tick of several types in one batch, each event with its type', () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 2000, width: 30, height: 30, seed: 2 });
    const { events } = stepTick(world.state);
    expect(new Set(events.map((e) => e.type)).size).toBe(5);
    roundTrip(events);
  });

  it('shares one metadata object among the events of a run of equal metadata', () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ type: 'PersonMoved', data: { personId: i, x: i, y: 1 }, metadata: { ...meta } }));
    const { back } = roundTrip(events);
    expect(new Set(back.map((e) => e.metadata)).size).toBe(1);
  });

  it('refuses a damaged body instead of returning other events', () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ type: 'PersonMoved', data: { personId: i, x: 3 * i, y: 1 }, metadata: meta }));
    const body = encodeBatch(events, 0, events.length);
    expect(() => decodeBatch(body.subarray(0, body.length - 1))).toThrow();
    expect(() => decodeBatch(Buffer.concat([body, Buffer.from([0])]))).toThrow(/bytes after the batch/);
    const other = Buffer.from(body);
    other[0] = 9;
    expect(() => decodeBatch(other)).toThrow(/unknown batch format 9/);
    // the x column (0, 3, 6...: fixed width, mode 1 for differences of 0 bytes, first 0, base 3) claiming 9 bytes a difference
    const wide = Buffer.from(body);
    const x = wide.indexOf(Buffer.from([6, 1, 0, 6]));
    expect(x).toBeGreaterThan(0);
    wide[x + 1] = 19;
    expect(() => decodeBatch(wide)).toThrow(/bad column width 9/);
  });
});
