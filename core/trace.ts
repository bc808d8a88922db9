/**
 * Trace queries over the contact graph: upstream (who exposed this person, back to an index
 * case) and downstream (everyone this person exposed, directly or not), with a depth limit.
 * @module
 */
import type { ExposureEdge } from './projections/contactGraph.js';

/**
 * What a trace query reads: the contact graph indexed both ways. The in-memory
 * {@link ContactGraph} and the persisted `exposures` + `people` read models implement it.
 */
export interface TraceSource {
  /** The phone of `personId`, or `undefined` for an unknown person. */
  phoneOf(personId: number): string | undefined;
  /** The person's id in the input data (ingested worlds only). */
  sourceIdOf(personId: number): string | undefined;
  /** Exposures of `person` (edges into them), oldest first. */
  exposuresOf(person: number): readonly ExposureEdge[];
  /** Exposures caused by `person` (edges out of them), oldest first. */
  exposedBy(person: number): readonly ExposureEdge[];
  /** Current status of `person`. */
  statusOf(person: number): number;
  /** True when `person`'s current status >= 1 made them an index case: `initial`, a positive test, or a revoked positive back to 1 at hop 0; not a contact nor a revoked positive back to 1 on an exposure (policy/tracing.ts `isIndexChange`). */
  isIndexCase(person: number): boolean;
  /** The person's test results and hop count, where the source keeps them (the read models do). */
  testsOf?(person: number): PersonTests;
}

/** A person's test results as the tracing system learnt them, and their hops from the index case. */
export interface PersonTests {
  taken: number;
  positives: number;
  negatives: number;
  /** The last result and the tick it was recorded, when any. */
  last?: { result: 'positive' | 'negative' | 'revoked'; tick: number };
  /** Released alerts received (negative tests, expiries), expiries among them. */
  releases: number;
  expiries: number;
  /** Hops from the index case now: 0 for an index case, -1 for status 0. */
  hops: number;
}

/** One link of a contact chain, as shown to a tracer. */
export interface TraceLink {
  /** The person reached by this link (upstream: the source; downstream: the exposed). */
  personId: number;
  phone: string;
  /** The person's id in the input data (ingested worlds only). */
  sourceId?: string;
  tick: number;
  at: string;
  /**
   * The exposed person's cell at `tick`, when the exposure was decided: the contact's cell for a
   * live exposure; for a retroactive one, where the person was when alerted, not at `contactTick`
   * (`explain` reads the contact's own cell from its event). Cells; metres in GPS worlds; 0, 0 in
   * worlds of contact lists, which have no positions.
   */
  cell: { x: number; y: number };
  /** Status of the source at the start of the tick (1 or 2), and of the exposed before -> after. */
  sourceStatus: number;
  exposedStatus: { from: number; to: number };
  /** Links from the index case to the exposed person of this link (1: exposed by an index case), where known. */
  hops?: number;
  /** A retroactive alert (decided at `tick`, when the source tested positive): the tick of the contact. */
  contactTick?: number;
  /** Upstream only: this person is an index case (status >= 1 not from a contact). */
  indexCase?: boolean;
  /** Downstream only: the people this one exposed in turn. */
  children?: TraceLink[];
}

/** The answer to a trace query. */
export interface Trace {
  personId: number;
  phone: string;
  /** The person's id in the input data (ingested worlds only). */
  sourceId?: string;
  /** Current status, and whether the person is an index case. */
  status: number;
  indexCase: boolean;
  /** Test results and hop count, when the source keeps them. */
  tests?: PersonTests;
  /** Upstream chain, nearest source first; it ends at an index case unless `depth` cut it. */
  upstream?: TraceLink[];
  /** True when the upstream chain was cut by the depth limit before reaching an index case. */
  upstreamTruncated?: boolean;
  /** Downstream tree of exposures. */
  downstream?: TraceLink[];
  /** Total people in the downstream tree (within the depth limit). */
  downstreamCount?: number;
  /** True when the depth limit left out people further down the tree. */
  downstreamTruncated?: boolean;
}

/** Direction of a trace query. */
export type Direction = 'up' | 'down' | 'both';

function link(graph: TraceSource, edge: ExposureEdge, personId: number): TraceLink {
  return {
    personId,
    phone: graph.phoneOf(personId) ?? '?',
    ...sourceId(graph, personId),
    tick: edge.tick,
    at: edge.at,
    cell: { x: edge.x, y: edge.y },
    sourceStatus: edge.sourceStatus,
    exposedStatus: { from: 0, to: 1 },
    ...(edge.hops !== undefined ? { hops: edge.hops } : {}),
    ...(edge.contactTick !== undefined ? { contactTick: edge.contactTick } : {}),
  };
}

/**
 * Trace `personId` in `direction`, following at most `depth` links (>= 1) each way.
 * Upstream follows, from the person's latest exposure, the source's latest exposure before that
 * tick, and so on, until a source that was an index case at that link: not exposed by a contact
 * before it, or confirmed by a positive test since (a retroactive alert, or a hop-1 link from a
 * source that is an index case still).
 */
export function trace(graph: TraceSource, personId: number, direction: Direction, depth: number): Trace {
  const result: Trace = {
    personId,
    phone: graph.phoneOf(personId) ?? '?',
    ...sourceId(graph, personId),
    status: graph.statusOf(personId),
    indexCase: graph.isIndexCase(personId),
    ...(graph.testsOf ? { tests: graph.testsOf(personId) } : {}),
  };
  if (direction !== 'down') {
    const chain: TraceLink[] = [];
    let current = personId;
    let before = Infinity;
    let truncated = false;
    const visited = new Set<number>([personId]);
    for (;;) {
      const edge = latestBefore(graph.exposuresOf(current), before);
      if (!edge) break;
      if (chain.length >= depth) {
        truncated = true;
        break;
      }
      const l = link(graph, edge, edge.source);
      // the source was an index case at this link: exposed by no contact before it, or confirmed since: a retroactive
      // alert comes from the source's positive result, and a hop-1 link (where hops are kept) from a source at hop 0
      // then, when they are an index case still (a revoked positive back to 1 is not)
      l.indexCase = latestBefore(graph.exposuresOf(edge.source), edge.tick) === undefined || edge.contactTick !== undefined || (edge.hops === 1 && graph.isIndexCase(edge.source));
      chain.push(l);
      if (l.indexCase) break;
      if (visited.has(edge.source)) break;
      visited.add(edge.source);
      current = edge.source;
      before = edge.tick;
    }
    result.upstream = chain;
    result.upstreamTruncated = truncated;
  }
  if (direction !== 'up') {
    const visited = new Set<number>([personId]);
    let count = 0;
    let truncated = false;
    const grow = (source: number, level: number): TraceLink[] => {
      const out: TraceLink[] = [];
      for (const edge of graph.exposedBy(source)) {
        if (visited.has(edge.exposed)) continue;
        visited.add(edge.exposed);
        count++;
        const l = link(graph, edge, edge.exposed);
        if (level < depth) l.children = grow(edge.exposed, level + 1);
        else {
          l.children = [];
          if (graph.exposedBy(edge.exposed).some((e) => !visited.has(e.exposed))) truncated = true;
        }
        out.push(l);
      }
      return out;
    };
    result.downstream = grow(personId, 1);
    result.downstreamCount = count;
    result.downstreamTruncated = truncated;
  }
  return result;
}

function sourceId(graph: TraceSource, personId: number): { sourceId?: string } {
  const id = graph.sourceIdOf(personId);
  return id === undefined ? {} : { sourceId: id };
}

function latestBefore(edges: readonly ExposureEdge[], tick: number): ExposureEdge | undefined {
  let best: ExposureEdge | undefined;
  for (const e of edges) if (e.tick < tick) best = e;
  return best;
}
