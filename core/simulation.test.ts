import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../events/index.js';
import { DEFAULT_PARAMS, type WorldParams } from './params.js';
import { evolve } from './evolve.js';
import { genesis, stepTick } from './simulation.js';
import { initialState, type WorldState } from './world.js';
import { stateHash } from './hash.js';

const meta = { tick: 0, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1 };

/** A hand-placed world: people at given cells with given statuses, tick 0 completed. */
function world(people: { x: number; y: number; status: 0 | 1 | 2 }[], over: Partial<WorldParams> = {}): WorldState {
  const params: WorldParams = { ...DEFAULT_PARAMS, people: people.length, step: 0, ...over };
  const state = initialState();
  const events: DomainEvent[] = [{ type: 'SimulationStarted', data: params, metadata: meta }];
  people.forEach((p, personId) => {
    events.push({ type: 'PersonRegistered', data: { personId, phone: `+3361000000${personId}`, x: p.x, y: p.y }, metadata: meta });
    if (p.status) events.push({ type: 'HealthStatusChanged', data: { personId, from: 0, to: p.status, reason: 'initial' }, metadata: meta });
  });
  for (const e of events) evolve(state, e);
  evolve(state, { type: 'TickCompleted', data: { tick: 0, healthy: 0, suspicious: 0, infected: 0, moves: 0, contacts: 0, exposures: 0, events: 1, stateHash: stateHash(state) }, metadata: meta });
  return state;
}

const exposuresOf = (events: DomainEvent[]) =>
  events.filter((e): e is DomainEvent<'HealthStatusChanged'> => e.type === 'HealthStatusChanged').map((e) => [e.data.personId, e.data.from, e.data.to, e.data.sourcePersonId]);

describe('model rules (the seed, made exact in DESIGN.md)', () => {
  it('three people in one cell with statuses 2, 0, 0: both 0 become 1, each notified once', () => {
    const state = world([{ x: 3, y: 3, status: 2 }, { x: 3, y: 3, status: 0 }, { x: 3, y: 3, status: 0 }]);
    const { events } = stepTick(state);
    expect(exposuresOf(events)).toEqual([[1, 0, 1, 0], [2, 0, 1, 0]]);
    expect(events.filter((e) => e.type === 'ContactDetected')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'NotificationIssued').map((e) => e.data)).toEqual([
      { notificationId: 'n-1-1', personId: 1, phone: '+33610000001' },
      { notificationId: 'n-1-2', personId: 2, phone: '+33610000002' },
    ]);
    expect([...state.status]).toEqual([2, 1, 1]);
  });

  it("two healthy people in one cell: a contact, but nobody's status changes (the seed's bug stays fixed)", () => {
    const state = world([{ x: 7, y: 7, status: 0 }, { x: 7, y: 7, status: 0 }]);
    const { events, summary } = stepTick(state);
    expect(summary.contacts).toBe(1);
    expect(exposuresOf(events)).toEqual([]);
    expect(events.some((e) => e.type === 'NotificationIssued')).toBe(false);
    expect([...state.status]).toEqual([0, 0]);
  });

  it('exposure does not chain within one tick: statuses at the start of the tick decide', () => {
    // radius 1: A(2) at x=0, B(0) at x=1, C(0) at x=2. Contacts A-B and B-C; A-C is 2 cells apart.
    const state = world([{ x: 0, y: 0, status: 2 }, { x: 1, y: 0, status: 0 }, { x: 2, y: 0, status: 0 }], { radius: 1 });
    const tick1 = stepTick(state);
    expect(exposuresOf(tick1.events)).toEqual([[1, 0, 1, 0]]); // only B, from A; C not yet
    const tick2 = stepTick(state);
    expect(exposuresOf(tick2.events)).toEqual([[2, 0, 1, 1]]); // next tick B (now 1) exposes C
  });

  it('a suspicious person (1) exposes too; a person already 1 or 2 is not exposed again', () => {
    const state = world([{ x: 1, y: 1, status: 1 }, { x: 1, y: 1, status: 2 }, { x: 1, y: 1, status: 0 }]);
    const { events } = stepTick(state);
    expect(exposuresOf(events)).toEqual([[2, 0, 1, 0]]);
  });

  it('moves clamp at the grid edges: nobody leaves a 3x3 grid with step 5, and the edges are reached', () => {
    const state = world([{ x: 0, y: 0, status: 0 }, { x: 2, y: 2, status: 0 }], { width: 3, height: 3, step: 5 });
    const seen = new Set<string>();
    for (let t = 0; t < 200; t++) {
      stepTick(state);
      for (let i = 0; i < 2; i++) {
        expect(state.xs[i]).toBeGreaterThanOrEqual(0);
        expect(state.xs[i]).toBeLessThanOrEqual(2);
        expect(state.ys[i]).toBeGreaterThanOrEqual(0);
        expect(state.ys[i]).toBeLessThanOrEqual(2);
        seen.add(`${state.xs[i]},${state.ys[i]}`);
      }
    }
    expect(seen.has('0,0') && seen.has('2,2') && seen.has('0,2') && seen.has('2,0')).toBe(true);
  });

  it('moves are within [-step, step] on each axis', () => {
    const { state } = genesis({ ...DEFAULT_PARAMS, people: 500, step: 2, width: 1000, height: 1000 });
    const xs = Int32Array.from(state.xs);
    const ys = Int32Array.from(state.ys);
    stepTick(state);
    let max = 0;
    for (let i = 0; i < 500; i++) max = Math.max(max, Math.abs(state.xs[i]! - xs[i]!), Math.abs(state.ys[i]! - ys[i]!));
    expect(max).toBe(2);
  });
});

describe('genesis', () => {
  it('registers every person once with a unique E.164 phone, inside the grid, with the 15:5:1 status draw', () => {
    const { state, events } = genesis({ ...DEFAULT_PARAMS, people: 21_000 });
    const phones = new Set(state.phones);
    expect(phones.size).toBe(21_000);
    for (const p of phones) expect(p).toMatch(/^\+33[67]\d{8}$/);
    expect(events.filter((e) => e.type === 'PersonRegistered')).toHaveLength(21_000);
    // expected 15000 / 5000 / 1000; a binomial standard deviation is under 70
    expect(Math.abs(state.counts[0] - 15_000)).toBeLessThan(400);
    expect(Math.abs(state.counts[1] - 5_000)).toBeLessThan(400);
    expect(Math.abs(state.counts[2] - 1_000)).toBeLessThan(200);
    expect(events[events.length - 1]!.type).toBe('TickCompleted');
  });
});

describe('determinism', () => {
  const run = (seed: number, ticks: number) => {
    const { state, events } = genesis({ ...DEFAULT_PARAMS, people: 300, width: 40, height: 40, seed });
    const log = [...events];
    for (let t = 0; t < ticks; t++) log.push(...stepTick(state).events);
    return log;
  };

  it('the same seed gives the same events; another seed does not', () => {
    expect(JSON.stringify(run(7, 15))).toBe(JSON.stringify(run(7, 15)));
    expect(JSON.stringify(run(8, 15))).not.toBe(JSON.stringify(run(7, 15)));
  });

  it('a world rebuilt from its events after k ticks continues exactly as the uninterrupted run', () => {
    const full = run(11, 12);
    const firstPart = run(11, 5);
    const rebuilt = initialState();
    for (const e of firstPart) evolve(rebuilt, e);
    const resumed = [...firstPart];
    for (let t = 0; t < 7; t++) resumed.push(...stepTick(rebuilt).events);
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(full));
  });
});
