/**
 * The policy's rules, each on a hand-worked world: people are placed cell by cell with
 * `applyPositions` (so every contact is chosen by the test), commands go through `commandTick`.
 * The expected values are worked out by hand from the rule named in each test.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent, PolicyInput } from '../../events/index.js';
import { Policy } from '../../events/index.js';
import { DEFAULT_PARAMS } from '../params.js';
import { applyPositions, commandTick, genesis, stepTick } from '../simulation.js';
import { evolve } from '../evolve.js';
import { initialState, type WorldState } from '../world.js';
import type { InboxCommand } from './decide.js';
import { SEED_POLICY, TOUSANTICOVID_POLICY } from './presets.js';

const GRID = 101;

/** A world of `statuses.length` people with these initial statuses under `policy`, tick 0 done; one tick = one minute. */
function world(statuses: (0 | 1 | 2)[], policy: PolicyInput = {}): WorldState {
  const state = initialState();
  const params = { ...DEFAULT_PARAMS, people: statuses.length, width: GRID, height: GRID };
  const m = { tick: 0, at: params.start, schemaVersion: 1 };
  const events: DomainEvent[] = [
    { type: 'SimulationStarted', data: params, metadata: m },
    { type: 'PolicyAdopted', data: { policy: Policy.parse(policy), source: 'test' }, metadata: m },
    ...statuses.map((_, p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: `+3361000${String(p).padStart(4, '0')}`, x: p, y: 0 }, metadata: m })),
    ...statuses.flatMap((to, p): DomainEvent[] => (to ? [{ type: 'HealthStatusChanged', data: { personId: p, from: 0, to, reason: 'initial' }, metadata: m }] : [])),
  ];
  events.push({ type: 'TickCompleted', data: { tick: 0, healthy: 0, suspicious: 0, infected: 0, moves: 0, contacts: 0, exposures: 0, events: events.length + 1, stateHash: '0'.repeat(64) }, metadata: m });
  for (const e of events) evolve(state, e);
  return state;
}

/** One tick in which each group of people shares a cell and everyone else is alone. */
function meet(state: WorldState, ...groups: number[][]): DomainEvent[] {
  const n = state.xs.length;
  const cell = Array.from({ length: n }, (_, p) => ({ x: p, y: 0 }));
  groups.forEach((g, i) => g.forEach((p) => (cell[p] = { x: i, y: GRID - 1 })));
  return applyPositions(state, cell.map((c, personId) => ({ personId, ...c }))).events;
}

/** Ticks in which nobody meets. */
function apart(state: WorldState, ticks: number): DomainEvent[] {
  const out: DomainEvent[] = [];
  for (let i = 0; i < ticks; i++) out.push(...meet(state));
  return out;
}

function test(state: WorldState, person: number, result: 'positive' | 'negative', revision = 0, sampledTick?: number): DomainEvent[] {
  const data = { phone: state.phones[person]!, result, ...(sampledTick === undefined ? {} : { sampledAt: new Date(Date.parse(DEFAULT_PARAMS.start) + sampledTick * 60_000).toISOString() }) };
  const command: InboxCommand = { revision, type: 'TestResultReported', data };
  return commandTick(state, [command]).events;
}

const changes = (events: DomainEvent[]) => events.flatMap((e) => (e.type === 'HealthStatusChanged' ? [e.data] : []));
const alerts = (events: DomainEvent[]) => events.flatMap((e) => (e.type === 'NotificationIssued' ? [e.data] : []));

describe('policy rules, hand-worked', () => {
  it('hop cap 1 stops the second hop: A (infected) exposes B, B does not expose C', () => {
    const capped = world([2, 0, 0], { maxHops: 1 });
    expect(changes(meet(capped, [0, 1]))).toMatchObject([{ personId: 1, to: 1, sourcePersonId: 0 }]);
    expect(changes(meet(capped, [1, 2]))).toEqual([]);
    expect([...capped.status]).toEqual([2, 1, 0]);
    // the same contacts without a cap: the second hop happens (the seed's rule)
    const uncapped = world([2, 0, 0]);
    meet(uncapped, [0, 1]);
    expect(changes(meet(uncapped, [1, 2]))).toMatchObject([{ personId: 2, to: 1, sourcePersonId: 1 }]);
    expect(uncapped.tracing.hops[2]).toBe(2);
  });

  it('a positive test alerts a contact from inside the retroactive window, with its tick, and not one from before it', () => {
    // only confirmed cases expose; contacts of the 10 minutes before the sample are alerted
    const state = world([0, 0, 0], { exposingStatuses: [2], retroactiveMinutes: 10 });
    meet(state, [0, 2]); // tick 1: A meets C, before the window
    apart(state, 10); // ticks 2..11
    meet(state, [0, 1]); // tick 12: A meets B, inside it
    apart(state, 1); // tick 13
    const events = test(state, 0, 'positive'); // tick 14, sampled at 14: window [4, 14]
    expect(state.tick).toBe(14);
    expect(changes(events)).toMatchObject([
      { personId: 0, from: 0, to: 2, reason: 'test-positive' },
      { personId: 1, from: 0, to: 1, reason: 'contact', sourcePersonId: 0, contactTick: 12 },
    ]);
    expect(alerts(events)).toEqual([{ notificationId: 'n-14-1', personId: 1, phone: state.phones[1], contactTick: 12 }]);
    expect([...state.status]).toEqual([2, 1, 0]);
  });

  it('a retroactive alert for a contact of the very tick of the positive result carries its contactTick: it is not a live exposure by the (then suspicious) source', () => {
    // only confirmed cases expose, one hop; every alerted person is tested one tick later and found positive
    const state = world([2, 0, 0], { exposingStatuses: [2], maxHops: 1, retroactiveMinutes: 10, testing: { share: 1, delayMinutes: 1, sensitivity: 1, specificity: 0 } });
    meet(state, [0, 1]); // tick 1: A (infected) exposes B
    const events = meet(state, [1, 2]); // tick 2: B tests positive and meets C: C is alerted through B's result, not by B's status 1 at the start of the tick
    expect(changes(events)).toMatchObject([
      { personId: 1, from: 1, to: 2, reason: 'test-positive' },
      { personId: 2, from: 0, to: 1, reason: 'contact', sourcePersonId: 1, contactTick: 2 },
    ]);
    expect(alerts(events)).toEqual([{ notificationId: 'n-2-2', personId: 2, phone: state.phones[2], contactTick: 2 }]);
    expect(state.tracing.hops[2]).toBe(1); // B is an index case now: hop 0
  });

  it('a live exposure counts its hops from its source at the start of the tick, even when the source tests positive in that tick: the hop cap holds', () => {
    // DESIGN: exposure is decided on the start of the tick. Status 1 exposes, at most 2 hops; every alerted person is tested 2 ticks after the alert, found positive
    const state = world([2, 0, 0, 0], { exposingStatuses: [1, 2], maxHops: 2, testing: { share: 1, delayMinutes: 2, sensitivity: 1, specificity: 0 } });
    meet(state, [0, 1]); // tick 1: A (index case) exposes B: hop 1
    apart(state, 1); // tick 2
    const three = meet(state, [1, 2]); // tick 3: B tests positive, and B (suspicious at hop 1 at the start of the tick) exposes C: hop 2
    expect(changes(three)).toMatchObject([
      { personId: 1, from: 1, to: 2, reason: 'test-positive' },
      { personId: 2, from: 0, to: 1, reason: 'contact', sourcePersonId: 1 },
    ]);
    expect(state.tracing.hops[2]).toBe(2); // before: 1, counted from B's hop 0 after the positive test
    expect(changes(meet(state, [2, 3]))).toEqual([]); // tick 4: C at hop 2 would put D at hop 3, over the cap (before: D exposed)
  });

  it('a sample taken inside a tick is placed in that tick: the retroactive window counts back from it', () => {
    // README "Real data": tick t is the time (start + (t-1) * tick, start + t * tick]; a sample at
    // 00:13:30 is in tick 14, so 10 minutes before it reach back to 00:03:30, inside tick 4: a
    // contact at tick 3 (00:02 to 00:03) ended 10.5 minutes before the sample and is not alerted
    const state = world([0, 0, 0], { exposingStatuses: [2], retroactiveMinutes: 10 });
    meet(state, [0, 2]); // tick 3 below: A meets C
    meet(state, [0, 2]);
    meet(state, [0, 2]);
    apart(state, 8); // ticks 4..11
    meet(state, [0, 1]); // tick 12: A meets B, inside the window
    apart(state, 2); // ticks 13, 14
    const sampledAt = new Date(Date.parse(DEFAULT_PARAMS.start) + 13.5 * 60_000).toISOString();
    const events = commandTick(state, [{ revision: 0, type: 'TestResultReported', data: { phone: state.phones[0]!, result: 'positive', sampledAt } }]).events;
    expect(state.tick).toBe(15);
    expect(events.find((e) => e.type === 'TestResultRecorded')?.data).toMatchObject({ personId: 0, result: 'positive', sampledTick: 14 });
    expect(changes(events)).toMatchObject([
      { personId: 0, from: 0, to: 2, reason: 'test-positive' },
      { personId: 1, from: 0, to: 1, reason: 'contact', sourcePersonId: 0, contactTick: 12 },
    ]);
    expect([...state.status]).toEqual([2, 1, 0]);
  });

  it('a negative test releases a suspicious person with a "released" alert', () => {
    const state = world([2, 0]);
    meet(state, [0, 1]);
    const events = test(state, 1, 'negative');
    expect(changes(events)).toEqual([{ personId: 1, from: 1, to: 0, reason: 'test-negative' }]);
    expect(alerts(events)).toEqual([{ notificationId: `r-2-1`, personId: 1, phone: state.phones[1], kind: 'released' }]);
    expect(events.find((e) => e.type === 'TestResultRecorded')?.data).toEqual({ personId: 1, result: 'negative', sampledTick: 2, source: 'reported', inboxRevision: 0 });
  });

  it('expiry releases at exactly the stated tick: turned 1 at tick 1, suspicion 5 minutes, released at tick 6', () => {
    const s = world([1, 0], { suspicionMinutes: 5 });
    expect(changes(meet(s, [0, 1]))).toMatchObject([{ personId: 1, to: 1 }]); // tick 1 (A, initial 1 since tick 0, is still 1)
    const released: number[] = [];
    for (let t = 2; t <= 7; t++) for (const c of changes(apart(s, 1))) if (c.personId === 1) released.push(t);
    expect(released).toEqual([6]);
    expect(s.status[1]).toBe(0);
  });

  it('the infectious period ends exposure: infectious 3 minutes, infected since tick 0, exposes at tick 2 and not at tick 3', () => {
    const state = world([2, 0, 0], { infectiousMinutes: 3 });
    apart(state, 1);
    expect(changes(meet(state, [0, 1]))).toMatchObject([{ personId: 1, sourcePersonId: 0 }]); // tick 2: 2 - 0 < 3
    expect(changes(meet(state, [0, 2]))).toEqual([]); // tick 3: 3 - 0 >= 3
  });

  it('cumulative contact time: 14 ticks (minutes) of contact do not expose under a 15-minute rule, the 15th does', () => {
    const state = world([2, 0], { contact: { minMinutes: 15, windowMinutes: 1440 } });
    for (let t = 1; t <= 14; t++) expect(changes(meet(state, [0, 1]))).toEqual([]);
    expect(state.status[1]).toBe(0);
    expect(changes(meet(state, [0, 1]))).toMatchObject([{ personId: 1, to: 1, reason: 'contact' }]);
  });

  it('cumulative contact time counts within the window only: 14 minutes, a gap longer than the window, 1 minute: no exposure', () => {
    const state = world([2, 0], { contact: { minMinutes: 15, windowMinutes: 20 } });
    for (let t = 1; t <= 14; t++) meet(state, [0, 1]);
    apart(state, 20);
    expect(changes(meet(state, [0, 1]))).toEqual([]);
  });

  it('two sources in one tick expose once (the first contact in pair order names the source)', () => {
    const state = world([2, 1, 0]);
    const events = meet(state, [0, 1, 2]);
    expect(changes(events)).toEqual([{ personId: 2, from: 0, to: 1, reason: 'contact', sourcePersonId: 0, contactId: 'c-1-1', x: 0, y: GRID - 1 }]);
    expect(alerts(events)).toHaveLength(1);
  });

  it('statuses that expose: with [2], a suspicious person exposes nobody', () => {
    const state = world([1, 0], { exposingStatuses: [2] });
    expect(changes(meet(state, [0, 1]))).toEqual([]);
  });

  it('a command for an unknown phone, or for a never-alerted person when the policy requires an alert, is rejected and recorded', () => {
    const state = world([0, 0], { testing: { requireAlert: true } });
    const unknown: InboxCommand = { revision: 0, type: 'TestResultReported', data: { phone: '+33699999999', result: 'positive' } };
    const unalerted: InboxCommand = { revision: 1, type: 'TestResultReported', data: { phone: state.phones[1]!, result: 'positive' } };
    const events = commandTick(state, [unknown, unalerted]).events;
    expect(events.find((e) => e.type === 'CommandsApplied')?.data).toEqual({
      from: 0,
      to: 1,
      rejected: [
        { revision: 0, reason: 'no person has phone +33699999999' },
        { revision: 1, reason: `${state.phones[1]} was never alerted and the policy requires an alert before a test` },
      ],
    });
    expect(changes(events)).toEqual([]);
    expect(state.tracing.inboxNext).toBe(2);
  });

  it('a policy change from the inbox is recorded and governs from the next tick', () => {
    const state = world([2, 0, 0]);
    const events = commandTick(state, [{ revision: 0, type: 'PolicyChangeRequested', data: { policy: Policy.parse({ name: 'strict', exposingStatuses: [2], maxHops: 1 }), source: 'file:strict.yaml' } }]).events;
    expect(events.find((e) => e.type === 'PolicyAdopted')?.data).toMatchObject({ source: 'inbox:0', policy: { name: 'strict', maxHops: 1 } });
    expect(state.tracing.policy.maxHops).toBe(1);
    meet(state, [0, 1]);
    expect(changes(meet(state, [1, 2]))).toEqual([]);
  });
});

describe('the ground truth', () => {
  it('never decides an exposure or an alert: the same world with and without transmission alerts the same people', () => {
    const run = (probability: number) => {
      const { state } = genesis({ ...DEFAULT_PARAMS, people: 400, width: 25, height: 25, seed: 9 }, { policy: { ...TOUSANTICOVID_POLICY, contact: { ...TOUSANTICOVID_POLICY.contact, minMinutes: 0 }, exposingStatuses: [1, 2], maxHops: null, transmission: { probability } }, source: 'test' });
      const out: { exposures: string[]; truths: number } = { exposures: [], truths: 0 };
      for (let t = 0; t < 30; t++)
        for (const e of stepTick(state).events) {
          if (e.type === 'HealthStatusChanged' && e.data.reason === 'contact') out.exposures.push(`${e.metadata.tick}:${e.data.personId}`);
          if (e.type === 'InfectionTransmitted') out.truths++;
          if (e.type === 'NotificationIssued') expect(Object.keys(e.data)).not.toContain('sourcePersonId');
        }
      return out;
    };
    const withTruth = run(0.5);
    const without = run(0);
    expect(withTruth.truths).toBeGreaterThan(0);
    expect(without.truths).toBe(0);
    expect(withTruth.exposures.length).toBeGreaterThan(0);
    // simulated tests read the truth (a test's result), but with share 0.7 and a one-day delay none falls in 30 minutes
    expect(withTruth.exposures).toEqual(without.exposures);
  });
});

describe('presets', () => {
  it('the seed preset is the schema default, and the deployed-app preset validates', () => {
    expect(Policy.parse({ name: 'seed' })).toEqual(SEED_POLICY);
    expect(Policy.parse(TOUSANTICOVID_POLICY)).toEqual(TOUSANTICOVID_POLICY);
  });
});
