/**
 * Time travel on the contact graph, on two independent axes as in bitemporal databases: valid
 * time (`tick`: the world as it was at that tick) and recorded time (`knownAt`: what the system
 * knew at that tick). With retroactive alerts they differ: an exposure decided at tick 15 for a
 * contact at tick 10 is valid from tick 10 but known only from tick 15.
 * @module
 */
import type { ExposureEdge } from './projections/contactGraph.js';
import type { PersonTests, TraceSource } from './trace.js';
import { isIndexChange } from './policy/tracing.js';

/** A point on both time axes, in ticks: `tick` (valid time) as known at `knownAt` (recorded time). */
export interface Bitemporal {
  tick: number;
  knownAt: number;
}

/** A person's status at a {@link Bitemporal} point, and the reason of the change that set it (absent: never changed). */
export interface StatusAt {
  status: number;
  reason?: string;
}

/**
 * What time travel reads beyond the contact graph: the `history` read model. The rule of
 * {@link HistorySource.statusAt} is the one of this module: see {@link statusAtRule}.
 */
export interface HistorySource {
  /** The status of `personId` at `at` (see {@link statusAtRule}). */
  statusAt(personId: number, at: Bitemporal): StatusAt;
  /** The person's test results and releases at `at`: results recorded by `knownAt` whose sample was taken by `tick`. */
  testsAt?(personId: number, at: Bitemporal): PersonTests;
}

/**
 * The rule, for documentation and for sources that fold rows in memory: the status at `tick` as
 * known at `knownAt` is the last change recorded by `min(tick, knownAt)` (the record of the time),
 * unless that leaves the person healthy while a retroactive exposure recorded after `tick` but by
 * `knownAt` says they met a case at or before `tick`: then it is that exposure's status.
 * `changes` are one person's, in log order.
 */
export function statusAtRule(changes: readonly { tick: number; validTick: number; to: number; reason: string }[], at: Bitemporal): StatusAt {
  const horizon = Math.min(at.tick, at.knownAt);
  let out: StatusAt = { status: 0 };
  for (const c of changes) if (c.tick <= horizon) out = { status: c.to, reason: c.reason };
  if (out.status !== 0) return out;
  for (const c of changes) if (c.validTick <= at.tick && c.tick > at.tick && c.tick <= at.knownAt && c.validTick < c.tick) return { status: c.to, reason: c.reason };
  return out;
}

/** The tick an exposure took effect: its contact's tick for a retroactive one. */
export function validTickOf(edge: ExposureEdge): number {
  return edge.contactTick ?? edge.tick;
}

/** True when `edge` existed at `at.tick` as known at `at.knownAt`. */
export function edgeKnown(edge: ExposureEdge, at: Bitemporal): boolean {
  return edge.tick <= at.knownAt && validTickOf(edge) <= at.tick;
}

/**
 * The contact graph `graph` as it was at `at`: only exposures known by `at.knownAt` that took
 * effect by `at.tick`, statuses and tests from `history` at that point. Upstream traces then stop
 * at whoever was an index case then.
 */
export function asOf(graph: TraceSource, history: HistorySource, at: Bitemporal): TraceSource {
  const keep = (edges: readonly ExposureEdge[]) => edges.filter((e) => edgeKnown(e, at));
  return {
    phoneOf: (id) => graph.phoneOf(id),
    sourceIdOf: (id) => graph.sourceIdOf(id),
    exposuresOf: (id) => keep(graph.exposuresOf(id)),
    exposedBy: (id) => keep(graph.exposedBy(id)),
    statusOf: (id) => history.statusAt(id, at).status,
    isIndexCase: (id) => {
      const s = history.statusAt(id, at);
      // the history keeps no hops: a revoked positive back to 1 stands on the latest exposure known then (its hops), or
      // on none (suspicious from the start: hop 0)
      const edges = s.reason === 'test-revoked' ? keep(graph.exposuresOf(id)) : [];
      const hops = s.reason !== 'test-revoked' ? undefined : edges.length === 0 ? 0 : (edges[edges.length - 1]!.hops ?? 1);
      return isIndexChange({ to: s.status, reason: s.reason ?? '', hops });
    },
    ...(history.testsAt
      ? {
          testsOf: (id: number) => {
            const tests = history.testsAt!(id, at);
            // a contact case is one hop further than the source of the latest exposure known then
            if (tests.hops < 0 && history.statusAt(id, at).status >= 1) {
              const edges = keep(graph.exposuresOf(id));
              const hops = edges[edges.length - 1]?.hops;
              if (hops !== undefined) return { ...tests, hops };
            }
            return tests;
          },
        }
      : {}),
  };
}
