/**
 * Ingestion: a world built from real records (contact lists, GPS fixes) instead of a simulation,
 * written as the same events, one tick per time bucket, so that replay, trace, export, consume and
 * the notification bridge work on it unchanged. Pure: the records arrive parsed (cli/ingest reads
 * the files), and the events come out tick by tick.
 *
 * Rules:
 * - tick 0 (at `start`): `WorldIngested`, one `PersonRegistered` per person, a `HealthStatusChanged`
 *   (reason `initial`) per person whose initial status is >= 1 (index cases);
 * - tick `t >= 1` is the bucket `(start + (t-1)*tickMs, start + t*tickMs]` (its `at` is the bucket's
 *   end, so a SocioPatterns contact at `t` seconds, active during `[t-20, t]`, keeps its own time with
 *   20 s buckets); buckets align on `epoch + k*tickMs`, or with a time zone on `m + k*tickMs` where
 *   `m` is the local midnight that begins the first record's day (so `1d` buckets are local days);
 *   every bucket up to the last record is written;
 * - contacts: every record of the bucket is a `ContactDetected`, in order of time, then lower,
 *   then higher person; each stands for `recordMs` of contact time (a pair's records in one
 *   bucket add up, for a policy's minimum contact time);
 * - positions: a person seen in the bucket is at the last fix of the bucket (the latest time; equal
 *   times: the later record) and gets a `PersonMoved` even when the position did not change; a person
 *   not seen is in no contact during that bucket (a gap, not a teleport or a stale position); seen
 *   people within `radiusM` metres (great-circle) are in contact, found by a spatial hash on
 *   projected metres (core/contacts) and checked with the haversine distance, in pair order;
 * - exposure: the model's rule under the world's policy, as `stepTick` applies it (see {@link decideTracing});
 *   the policy's draws (simulated tests, ground truth) use seed 0.
 * @module
 */
import { CURRENT_SCHEMA_VERSION, WorldIngested, type DomainEvent, type EventData, type EventMetadata, type Policy } from '../events/index.js';
import { contactScratch, detectContacts } from './contacts.js';
import { evolve } from './evolve.js';
import { candidateRadius, haversineMetres, localProjection, projectX, projectY } from './geo.js';
import { stateHash } from './hash.js';
import { tickTime } from './params.js';
import { initialState, type WorldState } from './world.js';
import { decideTracing, type TickContact } from './policy/decide.js';
import { isSeedPolicy } from './policy/presets.js';

/** The parameters of an ingested world, as recorded by `WorldIngested`. */
export type IngestParams = EventData<'WorldIngested'>;

/** Most ticks one ingestion may write (ten million buckets: a larger `--bucket` is needed beyond). */
export const MAX_INGEST_TICKS = 10_000_000;

/**
 * Prefix of placeholder phones. ITU-T E.164 country code 999 is spare (reserved, assigned to no
 * country or network), so a placeholder can never reach a real subscriber.
 */
export const PLACEHOLDER_PREFIX = '+999';

/** The placeholder phone of `personId` when the input gave none: `+999` and 9 digits, e.g. `+999000000042`. */
export function placeholderPhone(personId: number): string {
  return `${PLACEHOLDER_PREFIX}${String(personId).padStart(9, '0')}`;
}

/** True when `phone` is a placeholder from {@link placeholderPhone}, not a number anyone can call. */
export function isPlaceholderPhone(phone: string): boolean {
  return /^\+999\d{9}$/.test(phone);
}

/** Error code of {@link IngestError}. */
export const INGEST_ERROR = 'INGEST';

/** The records cannot make a world: none at all, or more ticks than {@link MAX_INGEST_TICKS}. */
export class IngestError extends Error {
  readonly code = INGEST_ERROR;
  constructor(message: string) {
    super(message);
    this.name = 'IngestError';
  }
}

/** Contact records: record `k` says people `a[k]` and `b[k]` (person ids, `a != b`, any order) met at `time[k]` (ms since 1970, UTC). */
export interface ContactRecords {
  source: 'contacts';
  count: number;
  time: Float64Array;
  a: Int32Array;
  b: Int32Array;
  /**
   * Contact time one record stands for, milliseconds (SocioPatterns: 20,000), recorded as
   * `WorldIngested.contactMs`: a policy's minimum contact time counts records, whatever the
   * bucket. Absent: a record counts a whole bucket (worlds ingested before it existed).
   */
  recordMs?: number;
}

/** GPS fixes: record `k` says person `person[k]` was at `lat[k]`, `lon[k]` (WGS84 degrees) at `time[k]` (ms since 1970, UTC). */
export interface PositionRecords {
  source: 'positions';
  count: number;
  time: Float64Array;
  person: Int32Array;
  lat: Float64Array;
  lon: Float64Array;
  /** Contact distance, metres (great-circle). */
  radiusM: number;
}

/** Everything an ingestion needs, already parsed and validated. */
export interface IngestInput {
  /** Each person's id in the input data; the person id is the index. Unique. */
  ids: readonly string[];
  /** Each person's phone: E.164, or a {@link placeholderPhone}. Unique. */
  phones: readonly string[];
  /** Each person's status at the start (0, 1 or 2); people with >= 1 are index cases. */
  status: Uint8Array;
  /** Length of a bucket (one tick), milliseconds. */
  tickMs: number;
  /** The moment relative input times count from, ms since 1970 (0 for UNIX times); buckets align on it. */
  epochMs: number;
  /**
   * A time zone (IANA name) for buckets to align on its local midnight instead of on `epochMs`;
   * `midnightBefore(ms)` is the local midnight that begins the day of `ms`, ms since 1970 (the
   * caller computes it, with Intl or a tz database: the core reads no clock or zone data). The name
   * is recorded as `WorldIngested.timeZone`. Buckets keep one length: a change of the zone's UTC
   * offset within the data (summer time) moves later bucket starts off local midnight by it.
   */
  timeZone?: { name: string; midnightBefore(ms: number): number };
  /** The input files, for `WorldIngested.inputs`. */
  inputs: IngestParams['inputs'];
  records: ContactRecords | PositionRecords;
  /** The tracing policy and where it came from (default: the seed's, not recorded). */
  policy?: { policy: Policy; source: string };
}

/** A planned ingestion: the world's parameters, and its ticks to write in order. */
export interface Ingestion {
  params: IngestParams;
  /** The world as the events yielded so far left it. */
  readonly state: WorldState;
  /** Records consumed by the ticks yielded so far. */
  readonly recordsDone: number;
  /** Totals over the ticks yielded so far. */
  readonly totals: { events: number; contacts: number; exposures: number };
  /**
   * The events of tick 0, then of every tick up to `params.lastTick`, each ending with its
   * `TickCompleted` and already applied to `state` with `evolve`.
   */
  ticks(): Generator<DomainEvent[], void, void>;
}

/**
 * Plan the ingestion of `input`: bucket the records, sort them, fix the projection (positions).
 * Nothing is written; {@link Ingestion.ticks} produces the events.
 * @throws IngestError when there is no record, the records span more than {@link MAX_INGEST_TICKS} buckets,
 *   or the world's parameters fail the `WorldIngested` schema (e.g. a start before the year 0000).
 * @throws Error when the input is inconsistent (a programmer error: the readers validate it).
 */
export function planIngestion(input: IngestInput): Ingestion {
  const { records, tickMs, epochMs } = input;
  const people = input.ids.length;
  if (!Number.isSafeInteger(tickMs) || tickMs <= 0) throw new Error(`bucket length ${tickMs} ms is not a positive integer`);
  if (input.phones.length !== people || input.status.length !== people) throw new Error('ids, phones and status must have one entry per person');
  if (records.count === 0) throw new IngestError('no rows to ingest');
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let k = 0; k < records.count; k++) {
    const t = records.time[k]!;
    if (t < minTime) minTime = t;
    if (t > maxTime) maxTime = t;
  }
  // the first record falls in tick 1: (start, start + tickMs]
  const origin = input.timeZone ? input.timeZone.midnightBefore(minTime) : epochMs;
  if (!Number.isSafeInteger(origin) || origin > minTime) throw new Error(`local midnight ${origin} is not a time at or before the first record (${minTime})`);
  const startMs = origin + (Math.ceil((minTime - origin) / tickMs) - 1) * tickMs;
  const tickOf = (time: number) => Math.ceil((time - startMs) / tickMs);
  const lastTick = tickOf(maxTime);
  if (lastTick > MAX_INGEST_TICKS) throw new IngestError(`the rows span ${lastTick} buckets of ${tickMs} ms, more than ${MAX_INGEST_TICKS}: use a larger --bucket`);

  const ticks = new Int32Array(records.count);
  for (let k = 0; k < records.count; k++) ticks[k] = tickOf(records.time[k]!);
  const base = {
    source: records.source,
    people,
    start: new Date(startMs).toISOString(),
    tickMs,
    lastTick,
    epoch: new Date(epochMs).toISOString(),
    ...(input.timeZone ? { timeZone: input.timeZone.name } : {}),
  };
  const plan = records.source === 'contacts' ? contactIngestion(input, records, base, ticks) : positionIngestion(input, records, base, ticks);
  const valid = WorldIngested.safeParse(plan.params);
  if (!valid.success) throw new IngestError(`the input makes no valid world: ${valid.error.issues[0]?.path.join('.')} ${valid.error.issues[0]?.message}`);
  return plan;
}

type Base = Pick<IngestParams, 'source' | 'people' | 'start' | 'tickMs' | 'lastTick' | 'epoch' | 'timeZone'>;

function contactIngestion(input: IngestInput, records: ContactRecords, base: Base, ticks: Int32Array): Ingestion {
  const params: IngestParams = { ...base, ...(records.recordMs !== undefined ? { contactMs: records.recordMs } : {}), inputs: input.inputs };
  const { time } = records;
  const lo = new Int32Array(records.count);
  const hi = new Int32Array(records.count);
  for (let k = 0; k < records.count; k++) {
    const a = records.a[k]!;
    const b = records.b[k]!;
    if (a === b || a < 0 || b < 0 || a >= params.people || b >= params.people) throw new Error(`contact record ${k} names people ${a} and ${b}`);
    lo[k] = Math.min(a, b);
    hi[k] = Math.max(a, b);
  }
  const order = orderByTick(ticks, base.lastTick, (i, j) => time[i]! - time[j]! || lo[i]! - lo[j]! || hi[i]! - hi[j]! || i - j);
  const zero = () => 0;
  return ingestion(input, params, () => ({ x: 0, y: 0 }), function* (run) {
    let k = 0;
    for (let tick = 1; tick <= params.lastTick; tick++) {
      const m = meta(params, tick);
      const events: DomainEvent[] = [];
      const contacts: TickContact[] = [];
      for (; k < order.length && ticks[order[k]!] === tick; k++) {
        const r = order[k]!;
        const contact = { contactId: `c-${tick}-${contacts.length}`, a: lo[r]!, b: hi[r]! };
        contacts.push(contact);
        events.push({ type: 'ContactDetected', data: { ...contact, x: 0, y: 0, distance: 0 }, metadata: m });
      }
      yield run(tick, m, events, 0, contacts, zero, zero, k);
    }
  });
}

function positionIngestion(input: IngestInput, records: PositionRecords, base: Base, ticks: Int32Array): Ingestion {
  const { time, person, lat, lon, count, radiusM } = records;
  const people = base.people;
  if (!(radiusM > 0)) throw new Error(`radius ${radiusM} m is not positive`);
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  for (let k = 0; k < count; k++) {
    const p = person[k]!;
    if (p < 0 || p >= people) throw new Error(`position record ${k} names person ${p}`);
    minLat = Math.min(minLat, lat[k]!);
    maxLat = Math.max(maxLat, lat[k]!);
    minLon = Math.min(minLon, lon[k]!);
  }
  const projection = localProjection(minLat, maxLat, minLon);
  const params: IngestParams = { ...base, radiusM, projection, inputs: input.inputs };
  const reach = candidateRadius(projection, Math.max(Math.abs(minLat), Math.abs(maxLat)), radiusM);
  const xs = new Int32Array(count);
  const ys = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    xs[k] = projectX(projection, lon[k]!);
    ys[k] = projectY(projection, lat[k]!);
  }
  // by tick, then person, then time, then record order: the last of a person's run is their position
  const order = orderByTick(ticks, base.lastTick, (i, j) => person[i]! - person[j]! || time[i]! - time[j]! || i - j);
  // the fix that gives each person's current position; at registration, their first fix
  const at = new Int32Array(people).fill(-1);
  for (const r of order) if (at[person[r]!] === -1) at[person[r]!] = r;
  const x = (p: number) => (at[p]! >= 0 ? xs[at[p]!]! : 0);
  const y = (p: number) => (at[p]! >= 0 ? ys[at[p]!]! : 0);
  const seenFix = new Int32Array(people);
  const seenX = new Int32Array(people);
  const seenY = new Int32Array(people);
  const scratch = contactScratch();
  return ingestion(input, params, (p) => ({ x: x(p), y: y(p) }), function* (run) {
    let k = 0;
    for (let tick = 1; tick <= params.lastTick; tick++) {
      const m = meta(params, tick);
      const events: DomainEvent[] = [];
      let seen = 0;
      for (; k < order.length && ticks[order[k]!] === tick; k++) {
        const r = order[k]!;
        const next = order[k + 1];
        if (next !== undefined && ticks[next] === tick && person[next] === person[r]) continue;
        const p = person[r]!;
        at[p] = r;
        seenFix[seen] = r;
        seenX[seen] = xs[r]!;
        seenY[seen] = ys[r]!;
        seen++;
        events.push({ type: 'PersonMoved', data: { personId: p, x: xs[r]!, y: ys[r]! }, metadata: m });
      }
      // candidates from the spatial hash on projected metres, kept when within radiusM great-circle
      const contacts: TickContact[] = [];
      const candidates = detectContacts(seenX, seenY, seen, reach, scratch);
      for (let c = 0; c < candidates.count; c++) {
        const i = seenFix[candidates.a[c]!]!;
        const j = seenFix[candidates.b[c]!]!;
        const d = haversineMetres(lat[i]!, lon[i]!, lat[j]!, lon[j]!);
        if (d > radiusM) continue;
        const contact = { contactId: `c-${tick}-${contacts.length}`, a: person[i]!, b: person[j]! };
        const distance = Math.round(d * 100) / 100;
        contacts.push({ ...contact, distance });
        events.push({ type: 'ContactDetected', data: { ...contact, x: xs[i]!, y: ys[i]!, distance }, metadata: m });
      }
      yield run(tick, m, events, seen, contacts, x, y, k);
    }
  });
}

/** Runs one tick: add exposures, apply everything, close with `TickCompleted`; returns the tick's events. */
type RunTick = (tick: number, m: EventMetadata, events: DomainEvent[], moves: number, contacts: readonly TickContact[], x: (p: number) => number, y: (p: number) => number, recordsDone: number) => DomainEvent[];

/**
 * The frame both kinds share: tick 0 (registration at `registeredAt`, index cases), then the kind's
 * ticks from `body`, with the exposure rule, `evolve` and `TickCompleted` done here.
 */
function ingestion(input: IngestInput, params: IngestParams, registeredAt: (personId: number) => { x: number; y: number }, body: (run: RunTick) => Generator<DomainEvent[], void, void>): Ingestion {
  const state = initialState();
  const totals = { events: 0, contacts: 0, exposures: 0 };
  let recordsDone = 0;
  let lastHash = '';
  const exposed = new Uint8Array(params.people);
  const complete = (tick: number, m: EventMetadata, events: DomainEvent[], moves: number, contacts: number, exposures: number): DomainEvent[] => {
    for (const e of events) evolve(state, e);
    // a tick that changed nothing keeps the previous hash
    if (events.length > 0 || tick === 0) lastHash = stateHash(state);
    const [healthy, suspicious, infected] = state.counts;
    const done: DomainEvent = { type: 'TickCompleted', data: { tick, healthy, suspicious, infected, moves, contacts, exposures, events: events.length + 1, stateHash: lastHash }, metadata: m };
    evolve(state, done);
    events.push(done);
    totals.events += events.length;
    totals.contacts += contacts;
    totals.exposures += exposures;
    return events;
  };
  const run: RunTick = (tick, m, events, moves, contacts, x, y, done) => {
    const decision = decideTracing(state, { tick, metadata: m, contacts, x, y, changed: exposed, seed: 0, start: params.start, tickMs: params.tickMs });
    for (const e of decision.events) events.push(e);
    recordsDone = done;
    return complete(tick, m, events, moves, contacts.length, decision.exposures);
  };
  return {
    params,
    state,
    get recordsDone() {
      return recordsDone;
    },
    totals,
    *ticks() {
      const m = meta(params, 0);
      const events: DomainEvent[] = [{ type: 'WorldIngested', data: params, metadata: m }];
      if (input.policy && !isSeedPolicy(input.policy.policy)) events.push({ type: 'PolicyAdopted', data: input.policy, metadata: m });
      for (let personId = 0; personId < params.people; personId++) {
        const { x, y } = registeredAt(personId);
        events.push({ type: 'PersonRegistered', data: { personId, phone: input.phones[personId]!, x, y, sourceId: input.ids[personId]! }, metadata: m });
      }
      for (let personId = 0; personId < params.people; personId++) {
        const to = input.status[personId]!;
        if (to !== 0) events.push({ type: 'HealthStatusChanged', data: { personId, from: 0, to: to as 1 | 2, reason: 'initial' }, metadata: m });
      }
      yield complete(0, m, events, 0, 0, 0);
      yield* body(run);
    },
  };
}

function meta(params: Pick<IngestParams, 'start' | 'tickMs'>, tick: number): EventMetadata {
  return { tick, at: tickTime(params, tick), schemaVersion: CURRENT_SCHEMA_VERSION, correlationId: `tick-${tick}` };
}

/**
 * The record indexes in tick order (a counting sort over ticks `1..lastTick`), and within a tick
 * in `compare` order (records are mostly in order already: a group is sorted only when it is not).
 */
function orderByTick(ticks: Int32Array, lastTick: number, compare: (i: number, j: number) => number): Int32Array {
  const start = new Int32Array(lastTick + 2);
  for (let k = 0; k < ticks.length; k++) start[ticks[k]! + 1]!++;
  for (let t = 0; t <= lastTick; t++) start[t + 1]! += start[t]!;
  const fill = start.slice();
  const order = new Int32Array(ticks.length);
  for (let k = 0; k < ticks.length; k++) order[fill[ticks[k]!]!++] = k;
  for (let t = 1; t <= lastTick; t++) {
    const from = start[t]!;
    const to = start[t + 1]!;
    let sorted = true;
    for (let k = from + 1; k < to && sorted; k++) sorted = compare(order[k - 1]!, order[k]!) <= 0;
    if (!sorted) order.set(Array.from(order.subarray(from, to)).sort(compare), from);
  }
  return order;
}
