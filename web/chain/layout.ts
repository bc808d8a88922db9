/**
 * Layout of a contact chain on a time axis: a person's column is the tick they entered the
 * chain, source to exposed left to right; one row per person, in the order of a depth-first walk
 * from the top (children by tick), so a branch sits under its source. No physics: the same
 * chain always gets the same picture. Pure: the page, `trace --format svg` and `report` share it.
 * @module
 */
import type { Chain, ChainLink, ChainNode } from '../source.js';

/** Where each person of a chain goes: `row` from 0 down, `tick` along the time axis. */
export interface ChainLayout {
  /** Row of each person, by person id. */
  rows: Map<number, number>;
  /** Number of rows used. */
  rowCount: number;
  minTick: number;
  maxTick: number;
  /** Each node by person id. */
  nodes: Map<number, ChainNode>;
}

/** Lay `chain` out: depth-first from each top person (no source in the chain), children by tick. */
export function layoutChain(chain: Chain): ChainLayout {
  const nodes = new Map(chain.nodes.map((n) => [n.personId, n]));
  const children = new Map<number, ChainLink[]>();
  const hasSource = new Set<number>();
  for (const l of chain.links) {
    if (!nodes.has(l.source) || !nodes.has(l.exposed) || hasSource.has(l.exposed)) continue;
    hasSource.add(l.exposed);
    const list = children.get(l.source);
    if (list) list.push(l);
    else children.set(l.source, [l]);
  }
  for (const list of children.values()) list.sort((a, b) => a.tick - b.tick || a.exposed - b.exposed);
  const rows = new Map<number, number>();
  let next = 0;
  // iterative depth-first walk, one row per person in pre-order: a chain may be thousands deep
  for (const top of chain.nodes) {
    if (hasSource.has(top.personId) || rows.has(top.personId)) continue;
    const stack: number[] = [top.personId];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (rows.has(p)) continue;
      rows.set(p, next++);
      const kids = children.get(p) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!.exposed);
    }
  }
  let minTick = Infinity;
  let maxTick = -Infinity;
  for (const n of chain.nodes) {
    minTick = Math.min(minTick, n.tick);
    maxTick = Math.max(maxTick, n.tick);
  }
  for (const l of chain.links) maxTick = Math.max(maxTick, l.tick);
  if (!Number.isFinite(minTick)) minTick = maxTick = 0;
  return { rows, rowCount: next, minTick, maxTick, nodes };
}
