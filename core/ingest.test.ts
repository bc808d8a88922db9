/**
 * Ingestion as a decider: given parsed records, then these events. No store, no files.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../events/index.js';
import { validate } from '../events/index.js';
import { evolve } from './evolve.js';
import { haversineMetres } from './geo.js';
import { stateHash } from './hash.js';
import { IngestError, isPlaceholderPhone, MAX_INGEST_TICKS, placeholderPhone, planIngestion, type IngestInput } from './ingest.js';
import { DEFAULT_PARAMS } from './params.js';
import { tickRandom, uniformInt } from './random.js';
import { genesis, stepTick } from './simulation.js';
import { initialState } from './world.js';
import { Policy } from '../events/index.js';

const S = 1000; // ms per second

function people(ids: string[], index: string[] = []): Pick<IngestInput, 'ids' | 'phones' | 'status'> {
  return { ids, phones: ids.map((_, p) => placeholderPhone(p)), status: Uint8Array.from(ids, (id) => (index.includes(id) ? 2 : 0)) };
}

function contacts(rows: [seconds: number, a: number, b: number][]): IngestInput['records'] {
  return { source: 'contacts', count: rows.length, time: Float64Array.from(rows, (r) => r[0] * S), a: Int32Array.from(rows, (r) => r[1]), b: Int32Array.from(rows, (r) => r[2]) };
}

function positions(rows: [person: number, seconds: number, lat: number, lon: number][], radiusM: number): IngestInput['records'] {
  return {
    source: 'positions',
    count: rows.length,
    person: Int32Array.from(rows, (r) => r[0]),
    time: Float64Array.from(rows, (r) => r[1] * S),
    lat: Float64Array.from(rows, (r) => r[2]),
    lon: Float64Array.from(rows, (r) => r[3]),
    radiusM,
  };
}

const input = (over: Partial<IngestInput> & Pick<IngestInput, 'records' | 'ids' | 'phones' | 'status'>): IngestInput => ({
  tickMs: 20 * S,
  epochMs: 0,
  inputs: [{ file: 'test', format: 'sociopatterns', rows: over.records.count, skipped: 0 }],
  ...over,
});

function all(i: IngestInput): DomainEvent[][] {
  return [...planIngestion(i).ticks()];
}

const exposures = (ticks: DomainEvent[][]) =>
  ticks.flat().flatMap((e) => (e.type === 'HealthStatusChanged' && e.data.reason === 'contact' ? [[e.metadata.tick, e.data.personId, e.data.sourcePersonId]] : []));

describe('contact lists', () => {
  // A (0, index), B (1), C (2), D (3). 20 s buckets; the first record (t = 50 s) falls in tick 1,
  // whose bucket is (40 s, 60 s]: start = 40 s. t = 100 s is tick ceil((100 - 40) / 20) = 3, t = 200 s is tick 8.
  const abcd = input({ ...people(['A', 'B', 'C', 'D'], ['A']), records: contacts([[50, 3, 1], [100, 0, 1], [200, 1, 2]]) });

  it('A (index) meets B at t=100, B meets C at t=200: B then C become 1; D met B at t=50, before B was exposed, and stays 0', () => {
    const ticks = all(abcd);
    expect(ticks).toHaveLength(9); // ticks 0..8, empty ones included
    expect(ticks.map((t) => t[0]!.metadata.tick)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(exposures(ticks)).toEqual([[3, 1, 0], [8, 2, 1]]);
    const last = ticks[8]!.at(-1)!;
    expect(last).toMatchObject({ type: 'TickCompleted', data: { tick: 8, healthy: 1, suspicious: 2, infected: 1 } });
    // times: start 40 s, tick 3 ends at 100 s, tick 8 at 200 s
    expect(ticks[0]![0]).toMatchObject({ type: 'WorldIngested', data: { start: '1970-01-01T00:00:40.000Z', lastTick: 8, people: 4 } });
    expect(ticks[3]![0]!.metadata.at).toBe('1970-01-01T00:01:40.000Z');
    expect(ticks[8]![0]!.metadata.at).toBe('1970-01-01T00:03:20.000Z');
    // the D-B contact is there, normalised to a < b, with no exposure
    expect(ticks[1]!.map((e) => e.type)).toEqual(['ContactDetected', 'TickCompleted']);
    expect(ticks[1]![0]!.data).toEqual({ contactId: 'c-1-0', a: 1, b: 3, x: 0, y: 0, distance: 0 });
  });

  it('notifications have the simulation shape and id n-<tick>-<personId>, caused by the contact', () => {
    const notes = all(abcd).flat().filter((e): e is DomainEvent<'NotificationIssued'> => e.type === 'NotificationIssued');
    expect(notes.map((n) => [n.data, n.metadata.causationId])).toEqual([
      [{ notificationId: 'n-3-1', personId: 1, phone: '+999000000001' }, 'c-3-0'],
      [{ notificationId: 'n-8-2', personId: 2, phone: '+999000000002' }, 'c-8-0'],
    ]);
  });

  it('with 5 minute buckets all three contacts share one bucket: statuses at its start decide, so only B is exposed', () => {
    expect(exposures(all({ ...abcd, tickMs: 300 * S }))).toEqual([[1, 1, 0]]);
  });

  it('an empty bucket is a lone TickCompleted keeping the previous state hash', () => {
    const ticks = all(abcd);
    expect(ticks[2]).toHaveLength(1);
    expect(ticks[2]![0]!.data).toMatchObject({ tick: 2, events: 1, contacts: 0, stateHash: (ticks[1]!.at(-1)!.data as { stateHash: string }).stateHash });
  });

  it('every event passes its schema, and folding them again reaches each recorded state hash', () => {
    const state = initialState();
    for (const tick of all(abcd)) {
      for (const e of tick) {
        validate(e);
        evolve(state, e);
      }
      expect(stateHash(state)).toBe(state.recordedHash);
    }
    expect(state.ingest?.source).toBe('contacts');
  });

  it('the order of rows within a time does not change the log', () => {
    const a = input({ ...people(['A', 'B', 'C'], ['A']), records: contacts([[20, 0, 1], [20, 1, 2], [20, 0, 2]]) });
    const b = input({ ...a, records: contacts([[20, 2, 0], [20, 1, 2], [20, 1, 0]]) });
    expect(JSON.stringify(all(b))).toBe(JSON.stringify(all(a)));
  });

  it('with a time zone, buckets align on the local midnight of the first record (given by the caller) and the zone is recorded', () => {
    const H = 3600 * S;
    // the first contact at 2010-12-06T12:00:20Z; in a zone at UTC+1, that day began at 2010-12-05T23:00:00Z
    const t0 = Date.UTC(2010, 11, 6, 12, 0, 20) / S;
    const midnight = Date.UTC(2010, 11, 5, 23);
    const asked: number[] = [];
    const byDay = input({ ...people(['A', 'B'], ['A']), tickMs: 24 * H, epochMs: Date.UTC(2010, 11, 6, 12), records: contacts([[t0, 0, 1], [t0 + 20 * 3600, 0, 1]]) });
    const zoned = planIngestion({ ...byDay, timeZone: { name: 'Europe/Paris', midnightBefore: (ms) => (asked.push(ms), midnight) } });
    expect(asked).toEqual([t0 * S]);
    expect(zoned.params).toMatchObject({ start: '2010-12-05T23:00:00.000Z', lastTick: 2, timeZone: 'Europe/Paris' });
    expect(validate([...zoned.ticks()][0]![0]!).data).toMatchObject({ timeZone: 'Europe/Paris' });
    // without one (a world as ingested before time zones): buckets align on the epoch, no zone recorded
    const plain = planIngestion(byDay).params;
    expect(plain).toMatchObject({ start: '2010-12-06T12:00:00.000Z', lastTick: 1 });
    expect('timeZone' in plain).toBe(false);
  });

  it('no rows, or more buckets than allowed, is an IngestError', () => {
    expect(() => planIngestion(input({ ...people(['A']), records: contacts([]) }))).toThrow(IngestError);
    expect(() => planIngestion(input({ ...people(['A', 'B']), tickMs: 1, records: contacts([[0, 0, 1], [MAX_INGEST_TICKS, 0, 1]]) }))).toThrow(/use a larger --bucket/);
  });
});

describe('contact time in contact lists', () => {
  // A hand-worked case: A (index) and B meet in three SocioPatterns records of 20 s, at t = 20, 40
  // and 60 s; a policy asks for 1 minute of contact within a day, so B is exposed by the third
  // record, 60 s of contact, whatever the bucket. Before, a record counted a whole bucket: with
  // 1-hour buckets the first record alone was an hour of contact.
  const minute = Policy.parse({ name: 'one-minute', contact: { radius: null, minMinutes: 1, windowMinutes: 1440 } });
  const ab = (rows: [number, number, number][], tickMs: number, recordMs?: number) =>
    input({ ...people(['A', 'B'], ['A']), tickMs, records: { ...contacts(rows), ...(recordMs !== undefined ? { recordMs } : {}) }, policy: { policy: minute, source: 'test' } });

  it('three records of 20 s reach a minute: in 20-second buckets at the third (tick 3), in one 1-hour bucket within it', () => {
    const three: [number, number, number][] = [[20, 0, 1], [40, 0, 1], [60, 0, 1]];
    expect(exposures(all(ab(three, 20 * S, 20 * S)))).toEqual([[3, 1, 0]]);
    expect(exposures(all(ab(three, 3600 * S, 20 * S)))).toEqual([[1, 1, 0]]);
    const ingested = planIngestion(ab(three, 3600 * S, 20 * S)).params;
    expect(ingested.contactMs).toBe(20 * S);
  });

  it('two records of 20 s are 40 s of contact, short of a minute, with any bucket', () => {
    const two: [number, number, number][] = [[20, 0, 1], [40, 0, 1]];
    for (const tickMs of [20 * S, 60 * S, 3600 * S]) expect(exposures(all(ab(two, tickMs, 20 * S))), `buckets of ${tickMs} ms`).toEqual([]);
  });

  it('without recordMs (a world ingested before it), a record counts a bucket, as then: one record in a 1-hour bucket is an hour', () => {
    expect(exposures(all(ab([[20, 0, 1]], 3600 * S)))).toEqual([[1, 1, 0]]);
    expect(planIngestion(ab([[20, 0, 1]], 3600 * S)).params.contactMs).toBeUndefined();
  });
});

describe('GPS positions', () => {
  // At the equator 0.0001 degree of longitude is 11.12 m (R * 0.0001 * pi / 180). Radius 20 m, 1 minute buckets from 0.
  it('two traces within the radius in one bucket and not in the next; a person not seen in a bucket is in no contact then', () => {
    const records = positions(
      [
        [0, 50, 0, 0.0001], // ann, bucket 1 (0, 60 s]: her last fix there (t=50), though listed before t=10
        [0, 10, 0, 0.0], //                      an earlier fix of the same bucket: superseded
        [1, 55, 0, 0.0002], // bob, bucket 1: 0.0001 deg = 11.12 m from ann -> contact, bob exposed by ann
        [0, 70, 0, 0.001], // ann, bucket 2: at 0.001
        [1, 100, 0, 0.0004], // bob, bucket 2: 0.0006 deg = 66.7 m from ann -> no contact
        [2, 30, 0, 0.0011], // cid, bucket 1: 100 m from bob, 111 m from ann -> no contact; not seen in bucket 2,
        //                       although his last place is 11 m from ann's place in bucket 2 -> no contact (a gap)
      ],
      20,
    );
    const ticks = all(input({ ...people(['ann', 'bob', 'cid'], ['ann']), tickMs: 60 * S, records }));
    const contactsOf = (t: number) => ticks[t]!.filter((e) => e.type === 'ContactDetected').map((e) => e.data);
    expect(contactsOf(1)).toEqual([{ contactId: 'c-1-0', a: 0, b: 1, x: 11, y: 0, distance: 11.12 }]);
    expect(contactsOf(2)).toEqual([]);
    expect(exposures(ticks)).toEqual([[1, 1, 0]]);
    // a PersonMoved per person per bucket seen, even where the place did not change; none in a gap
    const moved = (t: number) => ticks[t]!.filter((e) => e.type === 'PersonMoved').map((e) => e.data);
    expect(moved(1)).toEqual([{ personId: 0, x: 11, y: 0 }, { personId: 1, x: 22, y: 0 }, { personId: 2, x: 122, y: 0 }]);
    expect(moved(2)).toEqual([{ personId: 0, x: 111, y: 0 }, { personId: 1, x: 44, y: 0 }]);
    // registered at their first fix
    expect(ticks[0]!.filter((e) => e.type === 'PersonRegistered').map((e) => [e.data.x, e.data.sourceId])).toEqual([[0, 'ann'], [22, 'bob'], [122, 'cid']]);
  });

  it('the contacts found are exactly the pairs within the radius by great-circle distance (a brute-force check over 300 people)', () => {
    const rng = tickRandom(3, 0);
    const rows: [number, number, number, number][] = [];
    // 300 people in a box of about 1.1 km x 0.9 km near Paris, 3 fixes each over 5 buckets, some buckets missed
    for (let p = 0; p < 300; p++)
      for (let f = 0; f < 3; f++) rows.push([p, uniformInt(rng, 1, 300), 48.85 + uniformInt(rng, 0, 10_000) / 1e6, 2.35 + uniformInt(rng, 0, 12_000) / 1e6]);
    const radius = 30;
    const ids = Array.from({ length: 300 }, (_, p) => `p${String(p).padStart(3, '0')}`);
    const ticks = all(input({ ...people(ids), tickMs: 60 * S, records: positions(rows, radius) }));
    expect(ticks[0]![0]!.data).toMatchObject({ start: '1970-01-01T00:00:00.000Z', lastTick: 5 });
    for (let t = 1; t <= 5; t++) {
      // each person's last fix in bucket t = (60(t-1), 60t] seconds
      const last = new Map<number, [number, number, number]>();
      for (const [p, s, lat, lon] of rows) if (Math.ceil(s / 60) === t && (last.get(p)?.[0] ?? -1) <= s) last.set(p, [s, lat, lon]); // equal times: the later row
      const expected: string[] = [];
      const seen = [...last.keys()].sort((a, b) => a - b);
      for (let i = 0; i < seen.length; i++)
        for (let j = i + 1; j < seen.length; j++) {
          const [, la, lo] = last.get(seen[i]!)!;
          const [, lb, mb] = last.get(seen[j]!)!;
          if (haversineMetres(la, lo, lb, mb) <= radius) expected.push(`${seen[i]}-${seen[j]}`);
        }
      // each pair once with a < b; compared as sets (detection orders pairs by its bucket sweep)
      const found = ticks[t]!.filter((e) => e.type === 'ContactDetected').map((e) => [e.data.a, e.data.b] as const);
      for (const [a, b] of found) expect(a).toBeLessThan(b);
      expect(found.map(([a, b]) => `${a}-${b}`).sort()).toEqual([...expected].sort());
      expect(expected.length).toBeGreaterThan(0);
    }
  });
});

describe('placeholder phones', () => {
  it('are valid E.164 strings under the reserved country code 999, told apart from real numbers', () => {
    expect(placeholderPhone(42)).toBe('+999000000042');
    expect(isPlaceholderPhone(placeholderPhone(7))).toBe(true);
    expect(isPlaceholderPhone('+33612345678')).toBe(false);
  });
});
