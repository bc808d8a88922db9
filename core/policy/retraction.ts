/**
 * Retraction of a revoked positive result (issue 13): who was exposed only through the revoked
 * case. Every person of status 0 or 1 keeps the routes by which they were (or could have been)
 * exposed in their current episode: each counting contact, under the policy of its tick, with a
 * person who could expose them. A person's episode ends when they return to 0. When a positive
 * result is revoked, its routes from the moment of the result are void, and so, transitively, are
 * all routes from the people whose every route is void; those people are released. People with
 * another route stay. The routes are folded from the log with the simulation's own `evolve`
 * (statuses at the start of each tick), through the projection runner, when a revocation comes:
 * a revocation is rare, and the routes would cost every tick otherwise.
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

/** A route to exposure: a counting contact at `tick` with `source`, who could expose then. */
export interface Route {
  source: number;
  tick: number;
  /** The hops from the index case it gives, as an exposure then would have: one more than the source's (an index case: 1). */
  hops: number;
}

/** The routes of every person in their current episode, and the tick of each standing positive result. */
export interface RoutesState {
  world: WorldState;
  routes: Map<number, Route[]>;
  positives: Map<number, number>;
  rules?: { tick: number; rules: ExposureRules };
}

/** A fresh {@link RoutesState}. */
export function routesState(): RoutesState {
  return { world: initialState(), routes: new Map(), positives: new Map() };
}

/** Folds the routes (see the module) beside the world state. */
export const routesProjection: Projection<RoutesState> = {
  name: 'routes',
  version: 2, // 2: routes carry their hops (folded in memory, never stored)
  types: 'all',
  evolve(s, events) {
    for (const e of events) routeEvent(s, e as DomainEvent);
  },
};

/** Apply one event: record its routes (read on the state before it), then `evolve`. */
export function routeEvent(s: RoutesState, e: DomainEvent): void {
  const w = s.world;
  if (e.type === 'ContactDetected') {
    const tick = e.metadata.tick;
    if (s.rules?.tick !== tick) s.rules = { tick, rules: exposureRules(w, tick) };
    const { canExpose, risky } = s.rules.rules;
    const c = { contactId: e.data.contactId, a: e.data.a, b: e.data.b, distance: e.data.distance };
    if (risky(c))
      for (const [source, person] of [
        [c.a, c.b],
        [c.b, c.a],
      ] as const)
        if (w.status[source]! >= 1 && w.status[person]! <= 1 && canExpose(source)) add(s, person, { source, tick, hops: Math.max(0, w.tracing.hops[source]!) + 1 });
  } else if (e.type === 'HealthStatusChanged') {
    const d = e.data;
    if (d.to === 0) s.routes.delete(d.personId);
    if (d.reason === 'test-positive') s.positives.set(d.personId, e.metadata.tick);
    else s.positives.delete(d.personId);
  }
  evolve(w, e);
}

function add(s: RoutesState, person: number, route: Route): void {
  const list = s.routes.get(person);
  if (!list) s.routes.set(person, [route]);
  // one route per source is enough: the earliest
  else if (!list.some((r) => r.source === route.source)) list.push(route);
}

/** What revoking a person's positive result undoes. */
export interface Retraction {
  /** The revoked person's status afterwards: 1 when another route to exposure stands, else 0. */
  revokedTo: 0 | 1;
  /** With `revokedTo` 1: their hops from the index case through the standing routes (the fewest); they are no longer an index case. */
  hops?: number;
  /** People of status 1 from a contact whose every route ran through the revoked case, by id. */
  released: number[];
}

/**
 * What revoking `person`'s positive result undoes in `s` (folded up to the tick before the
 * revocation), or `undefined` when the person has no standing positive result.
 */
export function retraction(s: RoutesState, person: number): Retraction | undefined {
  const positiveTick = s.positives.get(person);
  if (positiveTick === undefined || s.world.status[person] !== 2) return undefined;
  const released = new Set<number>();
  const void_ = (r: Route) => (r.source === person && r.tick >= positiveTick) || released.has(r.source);
  const { status, tracing } = s.world;
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, routes] of s.routes)
      if (p !== person && !released.has(p) && status[p] === 1 && tracing.hops[p]! >= 1 && routes.every(void_)) {
        released.add(p);
        grew = true;
      }
  }
  const standing = (s.routes.get(person) ?? []).filter((r) => r.tick < positiveTick && !void_(r));
  const sorted = [...released].sort((a, b) => a - b);
  if (standing.length === 0) return { revokedTo: 0, released: sorted };
  return { revokedTo: 1, hops: standing.reduce((m, r) => Math.min(m, r.hops), Infinity), released: sorted };
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
