/**
 * A case whose positive result is revoked back to 1 exposes someone in the very tick of the
 * revocation: policy/decide.ts decides that exposure on the case as the revocation leaves it
 * (status 1 at the hops of its standing route), so the fold (`evolve`, the people read model's
 * hops) and the exposures read model must count it from there too, not from the case's
 * start-of-tick state (status 2, an index case at hop 0).
 * Hand-worked under the seed policy (status 1 exposes, no hop cap): I (index case, hop 0) exposes
 * C at tick 1 (hop 1); C tests positive at tick 2 (hop 0); at tick 3 C's positive is revoked, C
 * back to 1 on the route through I (hop 1), and C exposes D in that tick: D at hop 2, source status 1.
 * Likewise a case tested positive in the tick it exposes someone: the exposure counts from its
 * hops at the tick's start, as it was decided.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventMetadata, StoredEvent } from '../../events/index.js';
import { DEFAULT_PARAMS } from '../params.js';
import { evolve } from '../evolve.js';
import { initialState } from '../world.js';
import { exposuresProjection, type CaseState, type ExposureRow, type ExposuresTx } from './readModels.js';
import { epidemicProjection, type EpidemicPerson, type EpidemicRow, type EpidemicTx } from './epidemic.js';

const [I, C, D] = [0, 1, 2];
const params = { ...DEFAULT_PARAMS, people: 3 };
const meta = (tick: number): EventMetadata => ({ tick, at: new Date(Date.parse(params.start) + tick * params.tickMs).toISOString(), schemaVersion: 1 });
const done = (tick: number): DomainEvent => ({
  type: 'TickCompleted',
  data: { tick, healthy: 0, suspicious: 0, infected: 0, moves: 0, contacts: 0, exposures: 0, events: 1, stateHash: '0'.repeat(64) },
  metadata: meta(tick),
});
const exposure = (tick: number, personId: number, source: number): DomainEvent[] => [
  { type: 'ContactDetected', data: { contactId: `c-${tick}-${source}-${personId}`, a: Math.min(source, personId), b: Math.max(source, personId), x: 0, y: 0, distance: 0 }, metadata: meta(tick) },
  { type: 'HealthStatusChanged', data: { personId, from: 0, to: 1, reason: 'contact', sourcePersonId: source, contactId: `c-${tick}-${source}-${personId}`, x: 0, y: 0 }, metadata: meta(tick) },
];

const log: DomainEvent[] = [
  { type: 'SimulationStarted', data: params, metadata: meta(0) },
  ...[I, C, D].map((p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: `+3361000000${p}`, x: 0, y: 0 }, metadata: meta(0) })),
  { type: 'HealthStatusChanged', data: { personId: I, from: 0, to: 2, reason: 'initial' }, metadata: meta(0) },
  done(0),
  ...exposure(1, C, I),
  done(1),
  { type: 'HealthStatusChanged', data: { personId: C, from: 1, to: 2, reason: 'test-positive' }, metadata: meta(2) },
  done(2),
  // the revocation first, then the tick's exposures (decide.ts's order)
  { type: 'HealthStatusChanged', data: { personId: C, from: 2, to: 1, reason: 'test-revoked', hops: 1 }, metadata: meta(3) },
  ...exposure(3, D, C),
  done(3),
];
const stored = (events: readonly DomainEvent[]) => events.map((e, i) => ({ ...e, stream: 'stopcovid.test', revision: i, position: i + 1 }) as StoredEvent);

/** The epidemic read model's people and rows folded over `events`. */
function epidemic(events: readonly DomainEvent[]): { people: Map<number, EpidemicPerson>; rows: EpidemicRow[] } {
  const people = new Map<number, EpidemicPerson>();
  const rows: EpidemicRow[] = [];
  let chains = new Map<number, number>();
  const tx: EpidemicTx = {
    epidemicPerson: (id) => people.get(id),
    setEpidemicPerson: (id, p) => void people.set(id, p),
    activeChains: () => new Map(chains),
    saveActiveChains: (c) => void (chains = new Map(c)),
    lastEpidemic: () => rows.at(-1),
    putEpidemic: (r) => void rows.push(...r),
  };
  epidemicProjection.evolve(tx, stored(events).filter((e) => (epidemicProjection.types as readonly string[]).includes(e.type)));
  return { people, rows };
}

describe('a case revoked back to 1 that exposes someone in the tick of the revocation', () => {
  it('the fold counts the exposed person from the case as the revocation left it: hop 2', () => {
    const state = initialState();
    for (const e of log) evolve(state, e);
    expect([state.status[C], state.tracing.hops[C]]).toEqual([1, 1]);
    expect([state.status[D], state.tracing.hops[D]]).toEqual([1, 2]); // before: 1, from C's hop 0 at the tick's start
  });

  it('the exposures read model: hop 2, from a source of status 1', () => {
    const cases = new Map<number, CaseState>();
    const rows: ExposureRow[] = [];
    const tx: ExposuresTx = { caseOf: (id) => cases.get(id), setCase: (id, c) => void (c ? cases.set(id, c) : cases.delete(id)), addExposures: (r) => void rows.push(...r) };
    exposuresProjection.evolve(tx, stored(log).filter((e) => (exposuresProjection.types as readonly string[]).includes(e.type)));
    expect(rows.map((r) => [r.exposed, r.source, r.tick, r.hops, r.sourceStatus])).toEqual([
      [C, I, 1, 1, 2],
      [D, C, 3, 2, 1], // before: hop 1 from a source of status 2
    ]);
    expect(cases.get(D)).toEqual({ status: 1, hops: 2 });
  });

  it('the epidemic read model: hop 2, the longest active chain 2', () => {
    const { people, rows } = epidemic(log);
    expect(people.get(D)?.hops).toBe(2); // before: 1
    expect(rows.at(-1)).toMatchObject({ tick: 3, longestChain: 2 });
  });
});

describe('a case tested positive that exposes someone in the tick of the test', () => {
  // C (suspicious at hop 1 at the start of tick 2) tests positive at tick 2 and exposes D in that
  // tick: the exposure was decided on C at the tick's start, hop 1, so D is at hop 2
  const positive: DomainEvent[] = [
    ...log.slice(0, log.findIndex((e) => e.type === 'TickCompleted' && e.data.tick === 1) + 1),
    { type: 'HealthStatusChanged', data: { personId: C, from: 1, to: 2, reason: 'test-positive' }, metadata: meta(2) },
    ...exposure(2, D, C),
    done(2),
  ];

  it('the fold, and the epidemic read model, put D at hop 2', () => {
    const state = initialState();
    for (const e of positive) evolve(state, e);
    expect(state.tracing.hops[D]).toBe(2);
    expect(epidemic(positive).people.get(D)?.hops).toBe(2); // before: 1, from C's hop 0 after the test
  });
});
