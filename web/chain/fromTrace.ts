/**
 * A {@link Trace} (the `trace` command's answer) as a {@link Chain}, so that the chain renderers
 * draw what `trace` found. Statuses are those the trace knows: a source's status at its exposure,
 * 1 for a downstream person, the traced person's current status.
 * @module
 */
import type { Trace, TraceLink } from '../../core/index.js';
import type { Chain, ChainLink, ChainNode } from '../source.js';

/** The people and links of `t`: the upstream path, the traced person, the downstream tree. */
export function chainFromTrace(t: Trace): Chain {
  const nodes = new Map<number, ChainNode>();
  const links: ChainLink[] = [];
  const add = (l: TraceLink, status: number, tick: number, indexCase: boolean) => {
    if (!nodes.has(l.personId)) nodes.set(l.personId, { personId: l.personId, phone: l.phone, ...(l.sourceId !== undefined ? { sourceId: l.sourceId } : {}), status, indexCase, tick });
  };
  const up = t.upstream ?? [];
  nodes.set(t.personId, { personId: t.personId, phone: t.phone, ...(t.sourceId !== undefined ? { sourceId: t.sourceId } : {}), status: t.status, indexCase: t.indexCase, tick: up[0]?.tick ?? firstTick(t.downstream) });
  let below = t.personId;
  up.forEach((l, i) => {
    add(l, l.sourceStatus, up[i + 1]?.tick ?? l.tick, l.indexCase === true);
    links.push(chainLink(l.personId, below, l));
    below = l.personId;
  });
  const walk = (source: number, list: TraceLink[]) => {
    for (const l of list) {
      add(l, l.exposedStatus.to, l.tick, false);
      links.push(chainLink(source, l.personId, l));
      walk(l.personId, l.children ?? []);
    }
  };
  walk(t.personId, t.downstream ?? []);
  return { personId: t.personId, nodes: [...nodes.values()], links, cut: t.upstreamTruncated === true || t.downstreamTruncated === true };
}

/** The chain link `source` -> `exposed` of trace link `l` (its tick, time, cell and, retroactive, its contact's tick). */
export function chainLink(source: number, exposed: number, l: TraceLink): ChainLink {
  return { source, exposed, tick: l.tick, at: l.at, x: l.cell.x, y: l.cell.y, ...(l.contactTick !== undefined ? { contactTick: l.contactTick } : {}) };
}

function firstTick(list: TraceLink[] | undefined): number {
  return list && list.length > 0 ? Math.min(...list.map((l) => l.tick)) : 0;
}
