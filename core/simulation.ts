/**
 * The simulation, as a decider over {@link WorldState}: `genesis` creates a world (tick 0),
 * `stepTick` runs one tick, `applyPositions` runs one tick from reported positions. All return
 * the tick's events and have already applied them with `evolve`. Model rules (seed project, made exact in DESIGN.md):
 * - moves: independent uniform integers in [-step, step] on x and y, clamped to the grid;
 * - contact: after all moves, people within `radius` cells (see contacts.ts);
 * - exposure: decided on statuses at the START of the tick; a contact between a person of
 *   status >= 1 and a person of status 0 makes the latter 1 (once per tick; the source is the
 *   first such contact in pair order); two healthy people never expose each other;
 * - only 0 -> 1 transitions notify with an exposure alert;
 * - the world's policy (policy/) filters and extends that rule: see {@link decideTracing}; the
 *   seed policy changes nothing.
 * A tick's inputs are its random draws (or reported positions) and the inbox commands given to it.
 * @module
 */
import type { DomainEvent, EventData, EventMetadata, Policy } from '../events/index.js';
import { isSeedPolicy } from './policy/presets.js';
import { CURRENT_SCHEMA_VERSION } from '../events/index.js';
import { tickRandom, uniformInt } from './random.js';
import { tickTime, type WorldParams } from './params.js';
import { evolve, evolveRun } from './evolve.js';
import { sha256Hex, stateHash, type Sha256Hex } from './hash.js';
import { contactScratch, detectContacts, type ContactScratch } from './contacts.js';
import { initialState, type WorldState } from './world.js';
import { decideTracing, type InboxCommand, type TickContact } from './policy/decide.js';
import { eventCount, expandEvents, type EventRun } from './eventRun.js';

/**
 * A tick's events as {@link stepTickColumnar} writes them: the `PersonMoved` events (when anyone
 * moved) as one run of columns `personId`, `x`, `y` first, then the other events as objects.
 * Expanded ({@link expandEvents}), they are the events of {@link stepTick}, in the same order.
 */
export type TickEvents = (DomainEvent | EventRun)[];

/** The keys of a `PersonMoved` run, in the order of the event's data. */
export const MOVE_KEYS = ['personId', 'x', 'y'] as const;

/** The keys of the run of initial `HealthStatusChanged` events of a simulated world (`from` 0, `reason` `initial`). */
const INITIAL_KEYS = ['personId', 'from', 'to', 'reason'] as const;

/** The keys of a simulated world's `PersonRegistered` run, in the order of the event's data. */
export const REGISTRATION_KEYS = ['personId', 'phone', 'x', 'y'] as const;

/** Counts of one tick, as `TickCompleted` records them. */
export interface TickSummary {
  tick: number;
  moves: number;
  contacts: number;
  exposures: number;
  events: number;
  /** Test results the tick recorded (reported and simulated), positives among them, and released alerts. */
  tests: number;
  positives: number;
  releases: number;
  counts: [number, number, number];
  stateHash: string;
}

/** Scratch buffers reused across ticks so the hot loop allocates little, and the SHA-256 to hash states with. */
export interface Scratch {
  nx: Int32Array;
  ny: Int32Array;
  /** The ids of the people who moved in a tick and their new cells (the move run's columns, before they are copied). */
  moved: Int32Array;
  movedX: Int32Array;
  movedY: Int32Array;
  exposed: Uint8Array;
  contacts: ContactScratch;
  /** The SHA-256 of `TickCompleted`'s state hash (default: pure TypeScript; the CLI passes Node's native one). */
  sha: Sha256Hex;
}

/** Fresh scratch buffers; `sha` computes state hashes (default {@link sha256Hex}). */
export function scratch(sha: Sha256Hex = sha256Hex): Scratch {
  return { nx: new Int32Array(0), ny: new Int32Array(0), moved: new Int32Array(0), movedX: new Int32Array(0), movedY: new Int32Array(0), exposed: new Uint8Array(0), contacts: contactScratch(), sha };
}

function meta(params: Pick<WorldParams, 'start' | 'tickMs'>, tick: number): EventMetadata {
  return { tick, at: tickTime(params, tick), schemaVersion: CURRENT_SCHEMA_VERSION, correlationId: `tick-${tick}` };
}

/**
 * Create a world: `SimulationStarted`, one `PersonRegistered` per person (uniform cell, unique
 * French mobile number), a `HealthStatusChanged` (reason `initial`) for each person drawn
 * suspicious or infected with `params.initialStatusWeights`, and `TickCompleted(0)`. A policy
 * other than the seed's is recorded by a `PolicyAdopted` right after `SimulationStarted` (`source`
 * says where it came from, e.g. `preset:tousanticovid`); the seed's is not recorded (a log without
 * one is read as the seed policy), so a seed world's log is the one it was before policies existed.
 * The same as {@link genesisColumnar}, with every event an object.
 * @returns the new state and the events of tick 0.
 */
export function genesis(params: WorldParams, policy?: { policy: Policy; source: string }, sha: Sha256Hex = sha256Hex): { state: WorldState; events: DomainEvent[] } {
  const { state, events } = genesisColumnar(params, policy, sha);
  return { state, events: expandEvents(events) as DomainEvent[] };
}

/**
 * Create a world as {@link genesis} does, the `PersonRegistered` events kept as one run of
 * columns `personId`, `phone`, `x`, `y` (what the simulate command writes: no object per person).
 * @returns the new state and the events of tick 0.
 */
export function genesisColumnar(params: WorldParams, policy?: { policy: Policy; source: string }, sha: Sha256Hex = sha256Hex): { state: WorldState; events: TickEvents } {
  const state = initialState();
  const rng = tickRandom(params.seed, 0);
  const m = meta(params, 0);
  const head: DomainEvent[] = [{ type: 'SimulationStarted', data: params, metadata: m }];
  if (policy && !isSeedPolicy(policy.policy)) head.push({ type: 'PolicyAdopted', data: policy, metadata: m });
  for (const e of head) evolve(state, e);
  const n = params.people;
  const drawn = new Set<number>();
  const statuses = new Uint8Array(n);
  const ids = new Int32Array(n);
  const xs = new Int32Array(n);
  const ys = new Int32Array(n);
  const numbers = new Array<string>(n);
  const [w0, w1, w2] = params.initialStatusWeights;
  const total = w0 + w1 + w2;
  for (let personId = 0; personId < n; personId++) {
    const x = uniformInt(rng, 0, params.width - 1);
    const y = uniformInt(rng, 0, params.height - 1);
    // draw k in [0, 2e8) until unused: the phone is +33 6 or 7 then 8 digits, k's order (+33600000000 + k)
    let k: number;
    do k = uniformInt(rng, 0, 199_999_999);
    while (drawn.has(k));
    drawn.add(k);
    const phone = `+33${600_000_000 + k}`;
    const draw = total > 0 ? uniformInt(rng, 0, total - 1) : 0;
    statuses[personId] = draw < w0 ? 0 : draw < w0 + w1 ? 1 : 2;
    ids[personId] = personId;
    xs[personId] = x;
    ys[personId] = y;
    numbers[personId] = phone;
  }
  drawn.clear();
  const events: TickEvents = [...head];
  if (n > 0) {
    const registered: EventRun = { type: 'PersonRegistered', metadata: m, count: n, keys: REGISTRATION_KEYS, columns: [ids, numbers, xs, ys] };
    evolveRun(state, registered);
    events.push(registered);
  }
  // the initial statuses, one run too: a quarter of the people at the seed's weights
  let cases = 0;
  for (let personId = 0; personId < n; personId++) if (statuses[personId] !== 0) cases++;
  if (cases > 0) {
    const who = new Int32Array(cases);
    const to = new Int32Array(cases);
    let c = 0;
    for (let personId = 0; personId < n; personId++)
      if (statuses[personId] !== 0) {
        who[c] = personId;
        to[c++] = statuses[personId]!;
      }
    const initial: EventRun = { type: 'HealthStatusChanged', metadata: m, count: cases, keys: INITIAL_KEYS, columns: [who, new Int32Array(cases), to, new Array<string>(cases).fill('initial')] };
    evolveRun(state, initial);
    events.push(initial);
  }
  const done = complete(state, 0, { moves: 0, contacts: 0, exposures: 0, events: eventCount(events) + 1 }, sha);
  evolve(state, done);
  events.push(done);
  return { state, events };
}

/**
 * Run tick `state.tick + 1`: move everyone, detect contacts, expose, notify; apply the events to
 * `state` and return them, `TickCompleted` last. The same as {@link stepTickColumnar}, with the
 * moves as one object each.
 * @throws Error when `state` holds no world.
 */
export function stepTick(state: WorldState, buffers: Scratch = scratch(), commands: readonly InboxCommand[] = []): { events: DomainEvent[]; summary: TickSummary } {
  const { events, summary } = stepTickColumnar(state, buffers, commands);
  return { events: expandEvents(events) as DomainEvent[], summary };
}

/**
 * Run tick `state.tick + 1` as {@link stepTick} does, the tick's `PersonMoved` events kept as one
 * run of columns (no object per move: what the simulate command writes).
 * @throws Error when `state` holds no world.
 */
export function stepTickColumnar(state: WorldState, buffers: Scratch = scratch(), commands: readonly InboxCommand[] = []): { events: TickEvents; summary: TickSummary } {
  const params = state.params;
  if (!params) throw new Error('no world: run genesis first');
  const tick = state.tick + 1;
  const n = params.people;
  const rng = tickRandom(params.seed, tick);
  const { nx, ny, moved, movedX, movedY } = sized(buffers, n);
  const { xs, ys } = state;
  const step = params.step;
  const maxX = params.width - 1;
  const maxY = params.height - 1;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = clamp(xs[i]! + uniformInt(rng, -step, step), maxX);
    const y = clamp(ys[i]! + uniformInt(rng, -step, step), maxY);
    nx[i] = x;
    ny[i] = y;
    if (x !== xs[i] || y !== ys[i]) {
      moved[count] = i;
      movedX[count] = x;
      movedY[count++] = y;
    }
  }
  return settleTick(state, tick, moveRun(meta(params, tick), buffers, count), buffers, commands);
}

/** The `PersonMoved` run of the first `count` people of `buffers.moved` to `movedX`/`movedY` (copied: the buffers are reused); undefined when nobody moved. */
function moveRun(metadata: EventMetadata, buffers: Scratch, count: number): EventRun | undefined {
  if (count === 0) return undefined;
  return { type: 'PersonMoved', metadata, count, keys: MOVE_KEYS, columns: [buffers.moved.slice(0, count), buffers.movedX.slice(0, count), buffers.movedY.slice(0, count)] };
}

/**
 * Run tick `state.tick + 1` for `commands` alone (`stopcovid test` or `policy set` while no
 * simulation runs): nobody moves and no contact is detected; the commands, simulated tests and
 * expiries of the tick are decided as in {@link stepTick}. Applied to `state`, `TickCompleted` last.
 * @throws Error when `state` holds no world.
 */
export function commandTick(state: WorldState, commands: readonly InboxCommand[], buffers: Scratch = scratch()): { events: DomainEvent[]; summary: TickSummary } {
  if (!state.params && !state.ingest) throw new Error('no world: run genesis first');
  const n = state.xs.length;
  const { nx, ny } = sized(buffers, n);
  nx.set(state.xs.subarray(0, n));
  ny.set(state.ys.subarray(0, n));
  const { events, summary } = settleTick(state, state.tick + 1, undefined, buffers, commands, false);
  return { events: events as DomainEvent[], summary };
}

/**
 * The second half of tick `tick` once its moves are known (`buffers.nx` / `buffers.ny`: every
 * person's cell after the moves; `run`: the tick's `PersonMoved` events): contacts, exposures
 * on the statuses at the start of the tick, `evolve`, `TickCompleted`. Shared by {@link stepTick}
 * and {@link applyPositions}, so both follow the same rules.
 */
function settleTick(state: WorldState, tick: number, run: EventRun | undefined, buffers: Scratch, commands: readonly InboxCommand[], detect = true): { events: TickEvents; summary: TickSummary } {
  const params = state.params ?? { ...state.ingest!, seed: 0, radius: 0 };
  const n = state.xs.length;
  const m = meta(params, tick);
  const { nx, ny, exposed } = buffers;
  const moves = run?.count ?? 0;
  const events: DomainEvent[] = [];

  const pairs = detect ? detectContacts(nx, ny, n, params.radius, buffers.contacts) : { count: 0, a: new Int32Array(0), b: new Int32Array(0), d2: new Float64Array(0) };
  const contacts: TickContact[] = new Array(pairs.count);
  for (let k = 0; k < pairs.count; k++) {
    const a = pairs.a[k]!;
    const b = pairs.b[k]!;
    const contactId = `c-${tick}-${k}`;
    const distance = Math.sqrt(pairs.d2[k]!);
    contacts[k] = { contactId, a, b, distance };
    events.push({ type: 'ContactDetected', data: { contactId, a, b, x: nx[a]!, y: ny[a]!, distance }, metadata: m });
  }
  // statuses at the start of the tick: `state.status` is not changed until the events are applied
  const decision = decideTracing(state, { tick, metadata: m, contacts, commands, x: (p) => nx[p]!, y: (p) => ny[p]!, changed: exposed, seed: params.seed, start: params.start, tickMs: params.tickMs });
  for (const e of decision.events) events.push(e);
  // the moves come first in the tick: applying them before the other events is applying them in
  // order; `nx`/`ny` hold every person's cell after them (what `evolveRun` of the run would set)
  if (run) {
    state.xs.set(nx.subarray(0, n));
    state.ys.set(ny.subarray(0, n));
  }
  for (const e of events) evolve(state, e);
  const done = complete(state, tick, { moves, contacts: pairs.count, exposures: decision.exposures, events: moves + events.length + 1 }, buffers.sha);
  evolve(state, done);
  events.push(done);
  return { events: run ? [run, ...events] : events, summary: { ...done.data, counts: [...state.counts], tests: decision.tests, positives: decision.positives, releases: decision.releases } as TickSummary };
}

/** A reported position: person `personId` is now at cell (`x`, `y`), the data of a `PersonMoved` event. */
export type PositionReport = EventData<'PersonMoved'>;

/** Error code of {@link PositionError}. */
export const BAD_POSITION = 'BAD_POSITION';

/** A position report that does not fit the world: unknown person, cell off the grid, or a person reported twice. */
export class PositionError extends Error {
  readonly code = BAD_POSITION;
  constructor(message: string) {
    super(message);
    this.name = 'PositionError';
  }
}

/** Type guard for {@link PositionError}, by code. */
export function isPositionError(error: unknown): error is PositionError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === BAD_POSITION;
}

/**
 * Run tick `state.tick + 1` from reported positions instead of seeded moves (real traces, a
 * phone app): each reported person moves to the reported cell, everyone else stays where they
 * are; then contacts, exposures and notifications follow exactly the rules of {@link stepTick}.
 * The events come in `stepTick`'s order: `PersonMoved` by person id (only changed cells),
 * `ContactDetected`, `HealthStatusChanged` + `NotificationIssued` per exposure, `TickCompleted`.
 * They are already applied to `state`.
 * @example
 * const { state } = genesis({ ...DEFAULT_PARAMS, people: 3 });
 * const { events, summary } = applyPositions(state, [{ personId: 0, x: 4, y: 4 }, { personId: 1, x: 4, y: 4 }]);
 * @throws Error when `state` holds no world; PositionError (code `BAD_POSITION`) when a report
 *   names a person outside the world, a cell outside the grid (`0 <= x < width`,
 *   `0 <= y < height`, integers) or a person already reported in this call; `state` is then unchanged.
 */
export function applyPositions(state: WorldState, reports: readonly PositionReport[], buffers: Scratch = scratch()): { events: DomainEvent[]; summary: TickSummary } {
  const params = state.params;
  if (!params) throw new Error('no world: run genesis first');
  const n = params.people;
  const reported = new Set<number>();
  reports.forEach(({ personId, x, y }, i) => {
    if (!Number.isInteger(personId) || personId < 0 || personId >= n) throw new PositionError(`report ${i}: person ${personId} is not in this world of ${n} people (0..${n - 1})`);
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= params.width || y >= params.height)
      throw new PositionError(`report ${i}: cell (${x}, ${y}) of person ${personId} is off the ${params.width}x${params.height} grid`);
    if (reported.has(personId)) throw new PositionError(`report ${i}: person ${personId} is reported twice in one tick`);
    reported.add(personId);
  });
  const tick = state.tick + 1;
  const m = meta(params, tick);
  const { nx, ny } = sized(buffers, n);
  const { xs, ys } = state;
  nx.set(xs.subarray(0, n));
  ny.set(ys.subarray(0, n));
  for (const { personId, x, y } of reports) {
    nx[personId] = x;
    ny[personId] = y;
  }
  const { moved, movedX, movedY } = buffers;
  let count = 0;
  for (let i = 0; i < n; i++)
    if (nx[i] !== xs[i] || ny[i] !== ys[i]) {
      moved[count] = i;
      movedX[count] = nx[i]!;
      movedY[count++] = ny[i]!;
    }
  const { events, summary } = settleTick(state, tick, moveRun(m, buffers, count), buffers, []);
  return { events: expandEvents(events) as DomainEvent[], summary };
}

/** `buffers`, its per-person arrays grown to at least `n` people. */
function sized(buffers: Scratch, n: number): Scratch {
  if (buffers.nx.length < n) {
    buffers.nx = new Int32Array(n);
    buffers.ny = new Int32Array(n);
    buffers.moved = new Int32Array(n);
    buffers.movedX = new Int32Array(n);
    buffers.movedY = new Int32Array(n);
    buffers.exposed = new Uint8Array(n);
  }
  return buffers;
}

function complete(state: WorldState, tick: number, c: { moves: number; contacts: number; exposures: number; events: number }, sha: Sha256Hex = sha256Hex): DomainEvent<'TickCompleted'> {
  const [healthy, suspicious, infected] = state.counts;
  return {
    type: 'TickCompleted',
    data: { tick, healthy, suspicious, infected, ...c, stateHash: stateHash(state, sha) },
    metadata: meta((state.params ?? state.ingest)!, tick),
  };
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
