import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../events/index.js';
import { ContactGraph } from './projections/contactGraph.js';
import { trace, type TraceLink } from './trace.js';

// A hand-made history: 0 is an index case (infected at tick 0);
// tick 3: 0 exposes 1; tick 5: 1 exposes 2 and 3; tick 7: 3 exposes 4.
function graph(): ContactGraph {
  const g = new ContactGraph();
  const at = (t: number) => `2020-03-17T00:0${t}:00.000Z`;
  const m = (tick: number) => ({ tick, at: at(tick), schemaVersion: 1 });
  const events: DomainEvent[] = [];
  for (let p = 0; p < 5; p++) events.push({ type: 'PersonRegistered', data: { personId: p, phone: `+3360000000${p}`, x: 0, y: 0 }, metadata: m(0) });
  events.push({ type: 'HealthStatusChanged', data: { personId: 0, from: 0, to: 2, reason: 'initial' }, metadata: m(0) });
  const expose = (tick: number, source: number, exposed: number) =>
    events.push({ type: 'HealthStatusChanged', data: { personId: exposed, from: 0, to: 1, reason: 'contact', sourcePersonId: source, contactId: `c-${tick}-${exposed}`, x: exposed, y: tick }, metadata: m(tick) });
  expose(3, 0, 1);
  expose(5, 1, 2);
  expose(5, 1, 3);
  expose(7, 3, 4);
  for (const e of events) g.evolve(e);
  return g;
}

const ids = (links: TraceLink[] = []): unknown => links.map((l) => (l.children?.length ? [l.personId, ids(l.children)] : l.personId));

describe('trace', () => {
  it('upstream follows exposures back to the index case, nearest first', () => {
    const t = trace(graph(), 4, 'up', 10);
    expect(t.upstream!.map((l) => [l.personId, l.tick, l.indexCase])).toEqual([
      [3, 7, false],
      [1, 5, false],
      [0, 3, true],
    ]);
    expect(t.upstreamTruncated).toBe(false);
    expect(t.upstream![0]).toMatchObject({ phone: '+33600000003', at: '2020-03-17T00:07:00.000Z', cell: { x: 4, y: 7 }, sourceStatus: 1, exposedStatus: { from: 0, to: 1 } });
    expect(t.upstream![2]!.sourceStatus).toBe(2);
  });

  it('the depth limit cuts the upstream chain and says so', () => {
    const t = trace(graph(), 4, 'up', 2);
    expect(t.upstream!.map((l) => l.personId)).toEqual([3, 1]);
    expect(t.upstreamTruncated).toBe(true);
  });

  it('downstream lists everyone exposed, directly or not, as a tree', () => {
    const t = trace(graph(), 0, 'down', 10);
    expect(ids(t.downstream)).toEqual([[1, [2, [3, [4]]]]]);
    expect(t.downstreamCount).toBe(4);
    expect(t.indexCase).toBe(true);
    expect(t.upstream).toBeUndefined();
  });

  it('the depth limit cuts the downstream tree, and says so', () => {
    const t = trace(graph(), 0, 'down', 1);
    expect(ids(t.downstream)).toEqual([1]);
    expect(t.downstreamCount).toBe(1);
    expect(t.downstreamTruncated).toBe(true);
    expect(trace(graph(), 0, 'down', 3).downstreamTruncated).toBe(false);
    expect(trace(graph(), 3, 'down', 1).downstreamTruncated).toBe(false); // 3 -> 4, and 4 exposed no one
  });

  it('both directions from the middle of the chain; an index case has no upstream', () => {
    const t = trace(graph(), 1, 'both', 10);
    expect(t.upstream!.map((l) => l.personId)).toEqual([0]);
    expect(ids(t.downstream)).toEqual([2, [3, [4]]]);
    expect(trace(graph(), 0, 'up', 10).upstream).toEqual([]);
  });
});
