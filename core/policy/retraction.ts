/**
 * Retraction of a revoked positive result (issue 13): who was exposed only through the revoked
 * case. Every person of status 0 or 1 keeps the routes by which they were (or could have been)
 * exposed in their current episode: each counting contact, under the policy of its tick, with a
 * person who could expose them. A person's episode ends when they return to 0. When a positive
 * result is revoked, its routes from the moment of the result are void, and so, transitively, are
 * all routes from the people whose every route is void; those people are released. People with
 * another route stay. A route stands only if its source stood before it (a person suspicious from
 * the start from their episode's start, another index case from its positive result, anyone
 * else from a route that stands): people exposed only through each other (two suspicious people
 * who met) do not hold each other up. A retroactive alert (a positive result alerts the contacts
 * of the window before the sample) is a route too, through that result: its source stood from the
 * result, after the contact, so it stands while the result stands and is void with it, whatever
 * the source's standing at the contact. A person suspicious from the start (`initial`) is not
 * undone by a revocation: they return to 1 at hop 0. A case that returns to 1 (suspicious from the
 * start, or a route of its own before the result stands) keeps the routes it made at 2 from the
 * result on that it would have made at 1: a live route (not a retroactive alert, which came from
 * the result) whose tick's policy let a 1 expose, within that tick's hop cap for its restored hops
 * (each live route from a 2 records that policy); the hops of the people it keeps are not
 * recomputed. The fold drops what a revocation voided, so that a later revocation reads only the
 * routes that still stand: a withdrawn case's routes as a source from its positive result's tick
 * (from the start of its episode when it had routes before the result and none stood; back at 1,
 * but those it keeps), and a released person's routes as a source within the episode that was
 * retracted (their earlier episodes stand). The routes are folded from the log with the
 * simulation's own `evolve` (statuses at the start of each tick), through the projection runner,
 * when a revocation comes: a revocation is rare, and the routes would cost every tick otherwise. A
 * person tested positive more than once has several positive results standing
 * ({@link standingPositives}): a revocation withdraws one, and only the one that withdraws the
 * last undoes the case.
 * @module
 */
import type { DomainEvent, StoredEvent } from '../../events/index.js';
import { evolve } from '../evolve.js';
import type { EventStore } from '../ports.js';
import { inMemory } from '../projections/memory.js';
import type { Projection } from '../projections/projection.js';
import { runProjection } from '../projections/runner.js';
import { initialState, type WorldState } from '../world.js';
import { exposureRules, type ExposureRules } from './rules.js';

/**
 * A route to exposure: a counting contact at `tick` with `source`, who could expose then; or a
 * retroactive alert (`result` set): a contact at `tick` with `source`, alerted when the source's
 * positive result at tick `result` came (policy `retroactiveMinutes`).
 */
export interface Route {
  source: number;
  tick: number;
  /** The hops from the index case it gives, as an exposure then would have: one more than the source's (an index case: 1). */
  hops: number;
  /**
   * A retroactive alert's route: the tick of the source's positive result that sent it (later than
   * `tick`). It stands while that result stands, whatever the source's standing at the contact,
   * and counts from that tick: a revocation voids it with the result, never before.
   */
  result?: number;
  /**
   * On a live route from a source at 2: the policy of its tick let a 1 expose too (1 in
   * `exposingStatuses`), so a revocation that takes the source back to 1 may keep it (see
   * {@link exposesAt1}). Absent on other routes (a source at 1 needed no record: it exposed as a 1).
   */
  exposes1?: true;
  /** With `exposes1`: the policy's hop cap (`maxHops`) at the route's tick; absent: no cap. */
  maxHops?: number;
}

/**
 * The policy record of a live route from a source at 2 at `tick`, read at the start of the tick:
 * whether a 1 could expose then, and under which hop cap (see {@link Route.exposes1}).
 */
type At1 = Pick<Route, 'exposes1' | 'maxHops'>;

function at1(w: WorldState): At1 {
  const { exposingStatuses, maxHops } = w.tracing.policy;
  if (!exposingStatuses.includes(1)) return {};
  return maxHops === null ? { exposes1: true } : { exposes1: true, maxHops };
}

/**
 * True when `r`, a route from a person at 2 who is revoked back to 1 at `hops`, stands on the
 * person at 1: a live route (a retroactive alert came from the revoked result itself) whose
 * tick's policy let a 1 expose, within that tick's hop cap for `hops` (the infectious period
 * limits only a 2).
 */
function exposesAt1(r: Route, hops: number): boolean {
  return r.exposes1 === true && r.result === undefined && (r.maxHops === undefined || hops + 1 <= r.maxHops);
}

/** The tick from which `r` counts: its contact's, or a retroactive alert's positive result's (see {@link Route.result}). */
function routeTick(r: Route): number {
  return r.result ?? r.tick;
}

/**
 * The routes of every person in their current episode, less those a revocation voided; for each
 * person infected by a positive result that stands, the tick of that result, and how many
 * positive results were recorded after it and not revoked (see {@link standingPositives}).
 */
export interface RoutesState {
  world: WorldState;
  routes: Map<number, Route[]>;
  positives: Map<number, number>;
  laterPositives: Map<number, number>;
  /** The tick each person of status >= 1 began their current episode (their last change from 0). */
  episodes: Map<number, number>;
  /**
   * The people whose current episode began with an initial status (`initial`, tick 0): a status
   * that came from no contact nor test, which no revocation undoes ({@link retraction}).
   */
  initial: Set<number>;
  /**
   * Routes voided by the events read so far and not yet dropped from `routes`, by source (see
   * {@link Voided}). Dropped in one pass before the next contact or at the end of the tick (a
   * retraction voids many sources at once); {@link retraction} reads them too.
   */
  voided: Map<number, Voided>;
  rules?: { tick: number; rules: ExposureRules; at1: At1 };
}

/**
 * A source's routes voided by a revocation: those from tick `from` on, but, for a case revoked
 * back to 1 at hops `back`, the live ones a 1 at `back` hops could have made then
 * ({@link exposesAt1}).
 */
export interface Voided {
  from: number;
  back?: number;
}

/** A fresh {@link RoutesState}. */
export function routesState(): RoutesState {
  return { world: initialState(), routes: new Map(), positives: new Map(), laterPositives: new Map(), episodes: new Map(), initial: new Set(), voided: new Map() };
}

/**
 * The positive results of a person that stand (issue 13, a person tested positive more than
 * once): none unless their last status change is `test-positive`; then that result, plus each
 * positive result recorded after it, less each revocation recorded after it. A revocation
 * withdraws one of them (the latest): while another stands, the person stays infected and nothing
 * else changes; revoking the last one undoes the case ({@link retraction}). `changes` and `tests`
 * are the person's status changes and test results with their global positions, in log order.
 */
export function standingPositives(changes: readonly { position: number; reason: string }[], tests: readonly { position: number; result: string }[]): number {
  const last = changes[changes.length - 1];
  if (last?.reason !== 'test-positive') return 0;
  let n = 1;
  for (const t of tests) if (t.position > last.position) n += t.result === 'positive' ? 1 : t.result === 'revoked' ? -1 : 0;
  return Math.max(0, n);
}

/** Folds the routes (see the module) beside the world state. */
export const routesProjection: Projection<RoutesState> = {
  name: 'routes',
  // 2: routes carry their hops; 3: routes voided by a revocation are dropped; 4: a list they emptied stays;
  // 5: retroactive alerts are routes; 6: who is suspicious from the start (folded in memory, never stored);
  // 7: a case revoked back to 1 keeps its routes from its positive on that a 1 could have made (routes record the policy)
  version: 7,
  types: 'all',
  evolve(s, events) {
    for (const e of events) routeEvent(s, e as DomainEvent);
  },
};

/** Apply one event: record its routes (read on the state before it), then `evolve`. */
export function routeEvent(s: RoutesState, e: DomainEvent): void {
  const w = s.world;
  if ((e.type === 'ContactDetected' || e.type === 'TickCompleted') && s.voided.size > 0) dropVoided(s);
  if (e.type === 'ContactDetected') {
    const tick = e.metadata.tick;
    if (s.rules?.tick !== tick) s.rules = { tick, rules: exposureRules(w, tick), at1: at1(w) };
    const { canExpose, risky } = s.rules.rules;
    const c = { contactId: e.data.contactId, a: e.data.a, b: e.data.b, distance: e.data.distance };
    if (risky(c))
      for (const [source, person] of [
        [c.a, c.b],
        [c.b, c.a],
      ] as const)
        if (w.status[source]! >= 1 && w.status[person]! <= 1 && canExpose(source))
          add(s, person, { source, tick, hops: Math.max(0, w.tracing.hops[source]!) + 1, ...(w.status[source] === 2 ? s.rules.at1 : {}) });
  } else if (e.type === 'HealthStatusChanged') {
    const d = e.data;
    const p = d.personId;
    // a 0 -> 1 exposure with no route from its source yet (a live one has its contact's): a retroactive alert,
    // through the source's positive result of this tick; read on the state before it, as `evolve` counts its hops
    if (d.reason === 'contact' && d.from === 0 && d.sourcePersonId !== undefined) {
      const src = d.sourcePersonId;
      const tick = e.metadata.tick;
      const through = w.status[src] === 2 && s.positives.get(src) === tick ? { result: tick } : {};
      add(s, p, { source: src, tick: d.contactTick ?? tick, hops: Math.max(0, w.tracing.hops[src]!) + 1, ...through });
    }
    // a withdrawn case: its routes as a source from its positive result on (back to 0 with routes before it: every one of
    // them was void, and so was the whole episode; back to 1: but those a 1 at its restored hops could have made, the
    // event's, or the positive's 0 that evolve keeps without them); a released person: within the retracted episode
    const whole = (d.reason === 'retracted' || (d.reason === 'test-revoked' && s.routes.has(p))) && d.to === 0;
    const from = whole ? s.episodes.get(p) : d.reason === 'test-revoked' && w.status[p] === 2 ? s.positives.get(p) : undefined;
    if (from !== undefined) {
      const v: Voided = d.to === 1 ? { from, back: d.hops ?? 0 } : { from };
      const prev = s.voided.get(p);
      // voided twice in one tick: the earlier tick, and keep a route only when both would
      s.voided.set(p, prev ? { from: Math.min(prev.from, from), ...(prev.back !== undefined && v.back !== undefined ? { back: Math.max(prev.back, v.back) } : {}) } : v);
    }
    if (w.status[p] === 0 && d.to >= 1) s.episodes.set(p, e.metadata.tick);
    if (d.reason === 'initial' && d.to >= 1) s.initial.add(p);
    if (d.to === 0) {
      s.routes.delete(p);
      s.episodes.delete(p);
      s.initial.delete(p);
    }
    s.laterPositives.delete(d.personId);
    if (d.reason === 'test-positive') s.positives.set(d.personId, e.metadata.tick);
    else s.positives.delete(d.personId);
  } else if (e.type === 'TestResultRecorded' && s.positives.has(e.data.personId)) {
    // a result after the standing positive (its own comes just before its status change)
    const p = e.data.personId;
    const later = (s.laterPositives.get(p) ?? 0) + (e.data.result === 'positive' ? 1 : e.data.result === 'revoked' ? -1 : 0);
    if (later > 0) s.laterPositives.set(p, later);
    else s.laterPositives.delete(p);
  }
  evolve(w, e);
}

/** Drop from `s.routes` the routes that `s.voided` names, in one pass. */
function dropVoided(s: RoutesState): void {
  for (const [person, list] of s.routes) {
    // an emptied list stays: its person had routes in their episode and none stands
    const kept = list.filter((r) => !isVoided(s, r));
    if (kept.length < list.length) s.routes.set(person, kept);
  }
  s.voided.clear();
}

function isVoided(s: RoutesState, r: Route): boolean {
  const v = s.voided.get(r.source);
  return v !== undefined && routeTick(r) >= v.from && !(v.back !== undefined && exposesAt1(r, v.back));
}

function add(s: RoutesState, person: number, route: Route): void {
  const list = s.routes.get(person);
  if (!list) s.routes.set(person, [route]);
  // one route per source is enough: the earliest
  else if (!list.some((r) => r.source === route.source)) list.push(route);
}

/** What revoking a person's positive result undoes. */
export interface Retraction {
  /**
   * The person's positive results that stand before the revocation (at least 1, see
   * {@link standingPositives}): a revocation that leaves one standing changes nothing but the
   * record; the one that withdraws the last undoes the case as the fields below say.
   */
  standing: number;
  /**
   * The revoked person's status afterwards: 1 when they were suspicious from the start of their
   * episode (`initial`) or another route to exposure stands, else 0.
   */
  revokedTo: 0 | 1;
  /**
   * With `revokedTo` 1: their hops from the index case: 0 for a person suspicious from the start
   * (as the initial status gave them), else through the standing routes (the fewest; they are no
   * longer an index case).
   */
  hops?: number;
  /** People of status 1 from a contact whose every route ran through the revoked case, by id. */
  released: number[];
}

/**
 * What revoking `person`'s positive results undoes in `s` (folded up to the tick before the
 * revocation), once the last of them that stand is withdrawn, or `undefined` when the person
 * has no standing positive result.
 */
export function retraction(s: RoutesState, person: number): Retraction | undefined {
  const positiveTick = s.positives.get(person);
  if (positiveTick === undefined || s.world.status[person] !== 2) return undefined;
  const { status, tracing } = s.world;
  // for each person with routes, the tick from which they stood in their current episode (they could expose from the
  // tick after it): a person suspicious from the start from the episode's start (the revoked one too: no revocation
  // undoes it), another index case from their positive result (or the episode's start), else their earliest standing
  // route, Infinity while none is known; the revoked person stands on their routes before the result alone
  const first = new Map<number, number>();
  const episode = (p: number) => s.episodes.get(p) ?? Infinity;
  const from = (p: number) => (s.initial.has(p) ? episode(p) : p !== person && tracing.hops[p] === 0 ? (s.positives.get(p) ?? s.episodes.get(p) ?? 0) : Infinity);
  // (a person at 0 has none: every route from them is from an earlier episode, and stands)
  for (const p of s.routes.keys()) if (status[p]! >= 1) first.set(p, from(p));
  // the revoked person's hops back at 1, once known (below); undefined: not (yet) back at 1
  let back: number | undefined;
  // a route stands unless voided, or from its source's current episode before they stood: so people exposed only through
  // each other (two suspicious people who met) do not hold each other up. A retroactive alert's route stands on the
  // positive result that sent it alone (its source stood from that result, after the contact): it counts from that
  // result and is void only with it (revoked now, or voided in the fold). From the revoked result on, the revoked
  // person's routes are void, but, once they are back at 1, those a 1 at their hops could have made then
  const stands = (r: Route) => {
    if (isVoided(s, r)) return false;
    if (r.source === person && routeTick(r) >= positiveTick) return back !== undefined && exposesAt1(r, back);
    if (r.result !== undefined) return true;
    const f = first.get(r.source);
    return f === undefined || r.tick < episode(r.source) || f < r.tick;
  };
  const own = (p: number) => (p === person ? s.routes.get(p)!.filter((r) => routeTick(r) < positiveTick) : s.routes.get(p)!);
  // the earliest standing ticks only fall, and each fall can only make more routes stand: repeat until none falls
  const settle = () => {
    for (let fell = true; fell; ) {
      fell = false;
      for (const [p, f] of first) {
        let best = f;
        for (const r of own(p)) if (routeTick(r) < best && stands(r)) best = routeTick(r);
        if (best < f) {
          first.set(p, best);
          fell = true;
        }
      }
    }
  };
  // first without the revoked person's routes from the result on: whether they are back at 1 rests on their own routes
  // before it alone (a route from them from the result on makes no one stand before it); then with those that stand
  settle();
  const routes = first.has(person) ? own(person).filter(stands) : [];
  // suspicious from the start: no contact made it, no revocation undoes it; back to 1 at hop 0, as `initial` gives
  if (s.initial.has(person)) back = 0;
  else if (routes.length > 0) back = routes.reduce((m, r) => Math.min(m, r.hops), Infinity);
  if (back !== undefined) settle();
  const released = [...first].filter(([p, f]) => p !== person && f === Infinity && status[p] === 1 && tracing.hops[p]! >= 1).map(([p]) => p);
  const sorted = released.sort((a, b) => a - b);
  const standing = 1 + (s.laterPositives.get(person) ?? 0);
  return back === undefined ? { standing, revokedTo: 0, released: sorted } : { standing, revokedTo: 1, hops: back, released: sorted };
}

/**
 * The retraction of `person`'s positive result in the world of `store`, its log folded up to
 * tick `untilTick` through the projection runner.
 * @throws EventDecodeError on a corrupt event.
 */
export async function retractionIn(store: EventStore, person: number, untilTick: number): Promise<Retraction | undefined> {
  const s = routesState();
  await runProjection(store, routesProjection, inMemory(s), { untilTick });
  return retraction(s, person);
}

/** The routes of the events `log` (a world's events in order), for tests and in-memory worlds. */
export function routesOf(log: Iterable<DomainEvent | StoredEvent>): RoutesState {
  const s = routesState();
  for (const e of log) routeEvent(s, e as DomainEvent);
  return s;
}
