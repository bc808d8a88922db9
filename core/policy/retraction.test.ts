/**
 * Retraction of a revoked positive result (issue 13), on hand-worked worlds: a line (A -> C -> D,
 * A revoked: C and D return to 0 with released alerts) and a diamond (A and B both expose C, A
 * revoked: C stays 1), revocations one after another (the routes an earlier one voided stay void;
 * a released person's earlier, legitimate episode stands), routes that stand only if their
 * source stood before them (suspicious people who met do not hold each other up), retroactive
 * alerts (a route through the positive result that sent them), a person suspicious from the
 * start (no revocation undoes it), and a case revoked back to 1 that keeps whom it exposed at 2 when
 * a 1 could have exposed them then (the policy and hop cap of the route's tick; in the fold too),
 * and a person suspicious from the start standing from it (revoked or confirmed).
 * Every expected value is worked out
 * by hand from the rule, in the test's comment. People are placed with `applyPositions`; commands
 * go through `commandTick`, the revocation with what `retraction` works out from the world's log.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent, PolicyInput } from '../../events/index.js';
import { Policy } from '../../events/index.js';
import { DEFAULT_PARAMS } from '../params.js';
import { applyPositions, commandTick } from '../simulation.js';
import { evolve } from '../evolve.js';
import { stateHash } from '../hash.js';
import { initialState, type WorldState } from '../world.js';
import type { InboxCommand } from './decide.js';
import { retraction, routesOf, standingPositives } from './retraction.js';

const GRID = 101;

/**
 * A world of `n` people, tick 0 done, with its log: healthy but for `initial` (person -> initial
 * status), under `policy` (the seed's when absent); one tick = one minute.
 */
function world(n: number, { initial = {}, policy }: { initial?: Record<number, 1 | 2>; policy?: PolicyInput } = {}): { state: WorldState; log: DomainEvent[] } {
  const state = initialState();
  const params = { ...DEFAULT_PARAMS, people: n, width: GRID, height: GRID };
  const m = { tick: 0, at: params.start, schemaVersion: 1 };
  const log: DomainEvent[] = [
    { type: 'SimulationStarted', data: params, metadata: m },
    ...(policy ? [{ type: 'PolicyAdopted', data: { policy: Policy.parse(policy), source: 'test' }, metadata: m } as DomainEvent] : []),
    ...Array.from({ length: n }, (_, p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: `+3361000${String(p).padStart(4, '0')}`, x: p, y: 0 }, metadata: m })),
    ...Object.entries(initial).map(([p, to]): DomainEvent => ({ type: 'HealthStatusChanged', data: { personId: Number(p), from: 0, to, reason: 'initial' }, metadata: m })),
  ];
  for (const e of log) evolve(state, e);
  const [healthy, suspicious, infected] = state.counts;
  const done: DomainEvent = { type: 'TickCompleted', data: { tick: 0, healthy, suspicious, infected, moves: 0, contacts: 0, exposures: 0, events: log.length + 1, stateHash: stateHash(state) }, metadata: m };
  evolve(state, done);
  log.push(done);
  return { state, log };
}

function meet(w: { state: WorldState; log: DomainEvent[] }, ...groups: number[][]): DomainEvent[] {
  const n = w.state.xs.length;
  const cell = Array.from({ length: n }, (_, p) => ({ x: p, y: 0 }));
  groups.forEach((g, i) => g.forEach((p) => (cell[p] = { x: i, y: GRID - 1 })));
  const { events } = applyPositions(w.state, cell.map((c, personId) => ({ personId, ...c })));
  w.log.push(...events);
  return events;
}

function command(w: { state: WorldState; log: DomainEvent[] }, person: number, result: 'positive' | 'negative' | 'revoked'): DomainEvent[] {
  const c: InboxCommand = { revision: 0, type: 'TestResultReported', data: { phone: w.state.phones[person]!, result } };
  if (result === 'revoked') {
    const r = retraction(routesOf(w.log), person);
    if (r) c.retraction = r;
  }
  const { events } = commandTick(w.state, [c]);
  w.log.push(...events);
  return events;
}

/** Adopt `policy` through the inbox (`stopcovid policy set`): it governs from the tick after this one. */
function adopt(w: { state: WorldState; log: DomainEvent[] }, policy: PolicyInput): void {
  const { events } = commandTick(w.state, [{ revision: 0, type: 'PolicyChangeRequested', data: { policy: Policy.parse(policy), source: 'test' } }]);
  w.log.push(...events);
}

const changes = (events: DomainEvent[]) => events.flatMap((e) => (e.type === 'HealthStatusChanged' ? [[e.data.personId, e.data.from, e.data.to, e.data.reason]] : []));
const released = (events: DomainEvent[]) => events.flatMap((e) => (e.type === 'NotificationIssued' && e.data.kind === 'released' ? [e.data.personId] : []));

describe('retraction of a revoked positive result', () => {
  it('a line, A -> C -> D: revoking A returns A, C and D to 0, each with a released alert; the exposures stay in the log', () => {
    const [A, C, D] = [0, 1, 2];
    const w = world(3);
    command(w, A, 'positive');
    expect(changes(meet(w, [A, C]))).toEqual([[C, 0, 1, 'contact']]);
    expect(changes(meet(w, [C, D]))).toEqual([[D, 0, 1, 'contact']]);
    const events = command(w, A, 'revoked');
    expect(changes(events)).toEqual([
      [A, 2, 0, 'test-revoked'],
      [C, 1, 0, 'retracted'],
      [D, 1, 0, 'retracted'],
    ]);
    expect(released(events)).toEqual([A, C, D]);
    expect([...w.state.status]).toEqual([0, 0, 0]);
    // the audit trail: both exposures and their retraction
    expect(w.log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact')).toHaveLength(2);
    expect(w.log.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'retracted')).toHaveLength(2);
  });

  it('a diamond, A and B both expose C in one tick: revoking A leaves C at 1 (B exposed C too)', () => {
    const [A, B, C] = [0, 1, 2];
    const w = world(3);
    command(w, A, 'positive');
    command(w, B, 'positive');
    expect(changes(meet(w, [A, B, C]))).toEqual([[C, 0, 1, 'contact']]); // once, named after A (the first contact in pair order)
    const events = command(w, A, 'revoked');
    expect(changes(events)).toEqual([[A, 2, 0, 'test-revoked']]);
    expect([...w.state.status]).toEqual([0, 2, 1]);
  });

  it('a diamond over two ticks: exposed by A, met B later while suspicious: revoking A leaves C at 1', () => {
    const [A, B, C] = [0, 1, 2];
    const w = world(3);
    command(w, A, 'positive');
    command(w, B, 'positive');
    meet(w, [A, C]);
    meet(w, [B, C]);
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 0, 'test-revoked']]);
    expect(w.state.status[C]).toBe(1);
  });

  it('revoked back to 1: the hops of the standing route, no longer an index case, and exposures after it count from there', () => {
    // hand-worked: I (index, hop 0) exposes C at tick 2 (hop 1); C's positive at tick 3 makes C an
    // index case (hop 0); revoking it at tick 4 leaves C's route through I (tick 2 < 3): hop 0 + 1 = 1;
    // C then exposes D at tick 5: hop 1 + 1 = 2 (before the fix C stayed at 0 and D got hop 1)
    const [I, C, D] = [0, 1, 2];
    const w = world(3);
    command(w, I, 'positive');
    expect(changes(meet(w, [I, C]))).toEqual([[C, 0, 1, 'contact']]);
    expect(w.state.tracing.hops[C]).toBe(1);
    command(w, C, 'positive');
    expect(w.state.tracing.hops[C]).toBe(0);
    const events = command(w, C, 'revoked');
    const revoked = events.find((e) => e.type === 'HealthStatusChanged' && e.data.personId === C);
    expect(revoked?.data).toEqual({ personId: C, from: 2, to: 1, reason: 'test-revoked', hops: 1 });
    expect([w.state.status[C], w.state.tracing.hops[C]]).toEqual([1, 1]);
    expect(changes(meet(w, [C, D]))).toEqual([[D, 0, 1, 'contact']]);
    expect(w.state.tracing.hops[D]).toBe(2);
  });

  it('a log written before the revocation carried its hops folds as it did: the revoked positive\'s 0', () => {
    const [I, C] = [0, 1];
    const w = world(2);
    command(w, I, 'positive');
    meet(w, [I, C]);
    command(w, C, 'positive');
    command(w, C, 'revoked');
    const old = w.log.map((e) => (e.type === 'HealthStatusChanged' && e.data.reason === 'test-revoked' ? { ...e, data: { ...e.data, hops: undefined } } : e));
    const state = initialState();
    for (const e of old) evolve(state, e);
    expect([state.status[C], state.tracing.hops[C]]).toEqual([1, 0]);
    expect(stateHash(state)).toBe(stateHash(w.state));
  });

  it('revoked back to 1 with two standing routes: the fewer hops', () => {
    // hand-worked: I (hop 0) exposes B at tick 2 (hop 1), B exposes C at tick 3 (hop 2); C, already
    // suspicious, meets I at tick 4 (a route of hop 1, no new exposure); C's positive at tick 5,
    // revoked at tick 6: both routes predate it and stand, min(2, 1) = 1
    const [I, B, C] = [0, 1, 2];
    const w = world(3);
    command(w, I, 'positive');
    meet(w, [I, B]);
    meet(w, [B, C]);
    expect(w.state.tracing.hops[C]).toBe(2);
    expect(changes(meet(w, [I, C]))).toEqual([]);
    command(w, C, 'positive');
    const r = retraction(routesOf(w.log), C);
    expect(r).toEqual({ standing: 1, revokedTo: 1, hops: 1, released: [] });
    command(w, C, 'revoked');
    expect([w.state.status[C], w.state.tracing.hops[C]]).toEqual([1, 1]);
  });

  it('tested positive twice: a revocation withdraws one result and the person stays infected; the second undoes the case', () => {
    // hand-worked: A positive at tick 1 (0 -> 2) and again at tick 2 (status unchanged): 2 stand;
    // the revocation at tick 3 leaves 1 standing (A stays 2, only the result is recorded); the one
    // at tick 4 withdraws the last: A has no route, back to 0 with a released alert; a third has
    // nothing left
    const [A, C] = [0, 1];
    const w = world(2);
    command(w, A, 'positive');
    command(w, A, 'positive');
    expect(retraction(routesOf(w.log), A)?.standing).toBe(2);
    const first = command(w, A, 'revoked');
    expect(changes(first)).toEqual([]);
    expect(first.filter((e) => e.type === 'TestResultRecorded').map((e) => e.data.result)).toEqual(['revoked']);
    expect(w.state.status[A]).toBe(2);
    expect(retraction(routesOf(w.log), A)?.standing).toBe(1);
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 0, 'test-revoked']]);
    expect(retraction(routesOf(w.log), A)).toBeUndefined();
    expect(w.state.status[C]).toBe(0);
  });

  it('revocations and positive results in one tick count in order: one standing result, a second positive, two revocations, a third refused', () => {
    // hand-worked: A positive at tick 1 (1 standing). Tick 2 applies [positive, revoked, revoked, revoked]:
    // the positive makes 2 standing, the first revocation leaves 1, the second undoes the case, the third has none left
    const A = 0;
    const w = world(1);
    command(w, A, 'positive');
    const r = retraction(routesOf(w.log), A)!;
    expect(r.standing).toBe(1);
    const phone = w.state.phones[A]!;
    const cmds: InboxCommand[] = [
      { revision: 1, type: 'TestResultReported', data: { phone, result: 'positive' } },
      { revision: 2, type: 'TestResultReported', data: { phone, result: 'revoked' }, retraction: r },
      { revision: 3, type: 'TestResultReported', data: { phone, result: 'revoked' }, retraction: r },
      { revision: 4, type: 'TestResultReported', data: { phone, result: 'revoked' }, retraction: r },
    ];
    const { events } = commandTick(w.state, cmds);
    w.log.push(...events);
    expect(changes(events)).toEqual([[A, 2, 0, 'test-revoked']]);
    expect(events.find((e) => e.type === 'CommandsApplied')?.data.rejected).toEqual([{ revision: 4, reason: `${phone} has no positive result left to revoke in this tick` }]);
    expect(events.filter((e) => e.type === 'TestResultRecorded').map((e) => e.data.result)).toEqual(['positive', 'revoked', 'revoked']);
    expect(retraction(routesOf(w.log), A)).toBeUndefined();
  });

  it('two revocations: the second reads no route through the case the first withdrew nor through the people it released', () => {
    // hand-worked from the rule (a route through a revoked case, or through a person its retraction
    // released, is void; a person at 1 whose every route is void is released): C positive at tick 1,
    // A at tick 2; A exposes B at tick 3 (B's only route: A); B exposes D at tick 4 (D: B at 4);
    // C meets D at tick 5 (D already 1: a second route, C at 5). A revoked at tick 6: A has no
    // route, back to 0; B's only route (A) is void: released; D's route via C stands: D stays 1.
    // C revoked at tick 7: D's routes are via B (void: B's episode was retracted at tick 6) and via
    // C (void now): D is released. Before the fix the fold kept D's route via B and D stayed 1.
    const [A, B, C, D] = [0, 1, 2, 3];
    const w = world(4);
    command(w, C, 'positive');
    command(w, A, 'positive');
    expect(changes(meet(w, [A, B]))).toEqual([[B, 0, 1, 'contact']]);
    expect(changes(meet(w, [B, D]))).toEqual([[D, 0, 1, 'contact']]);
    expect(changes(meet(w, [C, D]))).toEqual([]);
    expect(changes(command(w, A, 'revoked'))).toEqual([
      [A, 2, 0, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
    expect([...w.state.status]).toEqual([0, 0, 2, 1]);
    // the fold dropped D's route via B (B's retracted episode began at tick 3)
    expect(routesOf(w.log).routes.get(D)).toEqual([{ source: C, tick: 5, hops: 1, exposes1: true }]);
    expect(retraction(routesOf(w.log), C)).toEqual({ standing: 1, revokedTo: 0, released: [D] });
    const events = command(w, C, 'revoked');
    expect(changes(events)).toEqual([
      [C, 2, 0, 'test-revoked'],
      [D, 1, 0, 'retracted'],
    ]);
    expect(released(events)).toEqual([C, D]);
    expect([...w.state.status]).toEqual([0, 0, 0, 0]);
  });

  it('two revocations: a route straight from the first revoked case stays void', () => {
    // hand-worked: A positive at tick 1, C at tick 2; A exposes D at tick 3 (D: A at 3); C meets D
    // at tick 4 (D: A at 3, C at 4). A revoked at tick 5: D's route via A (tick 3 >= A's positive
    // at 1) is void, the one via C stands: D stays 1. C revoked at tick 6: both void, D released.
    // Before the fix the fold kept D's route via A and D stayed 1.
    const [A, C, D] = [0, 1, 2];
    const w = world(3);
    command(w, A, 'positive');
    command(w, C, 'positive');
    expect(changes(meet(w, [A, D]))).toEqual([[D, 0, 1, 'contact']]);
    meet(w, [C, D]);
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 0, 'test-revoked']]);
    expect(routesOf(w.log).routes.get(D)).toEqual([{ source: C, tick: 4, hops: 1, exposes1: true }]);
    expect(changes(command(w, C, 'revoked'))).toEqual([
      [C, 2, 0, 'test-revoked'],
      [D, 1, 0, 'retracted'],
    ]);
    expect([...w.state.status]).toEqual([0, 0, 0]);
  });

  it('a released person\'s earlier, legitimate episode stands: routes from it are not voided by the retraction of a later one', () => {
    // hand-worked: I positive at tick 1 (never revoked); I exposes B at tick 2 (B's first episode,
    // legitimate); B exposes D at tick 3 (D: B at 3); B tests negative at tick 4 (back to 0, the
    // episode ends). A positive at tick 5; A exposes B at tick 6 (B's second episode begins: A at 6).
    // A revoked at tick 7: B's only route (A) is void, B released; D's route via B (tick 3) is from
    // B's first episode, before the retracted one began (tick 6): it stands, D stays 1. C positive
    // at tick 8 meets D at tick 9 (D: B at 3, C at 9); C revoked at tick 10: D's route via B still
    // stands, D stays 1. Before the fix the first revocation counted every route from B as void
    // and released D.
    const [I, B, D, A, C] = [0, 1, 2, 3, 4];
    const w = world(5);
    command(w, I, 'positive');
    expect(changes(meet(w, [I, B]))).toEqual([[B, 0, 1, 'contact']]);
    expect(changes(meet(w, [B, D]))).toEqual([[D, 0, 1, 'contact']]);
    expect(changes(command(w, B, 'negative'))).toEqual([[B, 1, 0, 'test-negative']]);
    command(w, A, 'positive');
    expect(changes(meet(w, [A, B]))).toEqual([[B, 0, 1, 'contact']]);
    expect(retraction(routesOf(w.log), A)).toEqual({ standing: 1, revokedTo: 0, released: [B] });
    expect(changes(command(w, A, 'revoked'))).toEqual([
      [A, 2, 0, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
    expect(routesOf(w.log).routes.get(D)).toEqual([{ source: B, tick: 3, hops: 2 }]);
    command(w, C, 'positive');
    meet(w, [C, D]);
    expect(changes(command(w, C, 'revoked'))).toEqual([[C, 2, 0, 'test-revoked']]);
    expect([...w.state.status]).toEqual([2, 0, 1, 0, 0]);
  });

  it('a case revoked back to 1 exposes again from then on: its routes from its positive on a 1 could not have made are void, later ones count', () => {
    // hand-worked (only confirmed cases expose until tick 9, then 1 and 2 do): I positive at tick 1
    // exposes A at tick 2 (A: I at 2, hop 1); C positive at tick 3; A positive at tick 4; A exposes D
    // at tick 5 (D: A at 5); C meets D at tick 6 (D: A at 5, C at 6). A revoked at tick 7: A's route
    // via I stands, A back to 1 (hop 1); D's route via A (5 >= 4) is void (a 1 exposed nobody at
    // tick 5), via C stands: D stays 1. Tick 8 adopts exposingStatuses [1, 2]; A (at 1) meets D at
    // tick 9: a new route, A at 9 (hop 2). C revoked at tick 10: D's route A at 9 stands, D stays 1.
    // Before the fold dropped it D kept the stale A at 5 (so A at 9 was never recorded). I revoked at
    // tick 11: A's route via I is void, and A's route via D (they met at 9, both at 1) came after D's
    // stood only on A: neither stands before the other, both released (D's routes: C withdrawn, A's
    // retracted episode).
    const [I, A, D, C] = [0, 1, 2, 3];
    const w = world(4, { policy: { exposingStatuses: [2] } });
    command(w, I, 'positive');
    meet(w, [I, A]);
    command(w, C, 'positive');
    command(w, A, 'positive');
    expect(changes(meet(w, [A, D]))).toEqual([[D, 0, 1, 'contact']]);
    meet(w, [C, D]);
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 1, 'test-revoked']]);
    adopt(w, { exposingStatuses: [1, 2] });
    expect(changes(meet(w, [A, D]))).toEqual([]);
    expect(routesOf(w.log).routes.get(D)).toEqual([
      { source: C, tick: 6, hops: 1 },
      { source: A, tick: 9, hops: 2 },
    ]);
    expect(changes(command(w, C, 'revoked'))).toEqual([[C, 2, 0, 'test-revoked']]);
    expect([...w.state.status]).toEqual([2, 1, 1, 0]);
    expect(changes(command(w, I, 'revoked'))).toEqual([
      [I, 2, 0, 'test-revoked'],
      [A, 1, 0, 'retracted'],
      [D, 1, 0, 'retracted'],
    ]);
  });

  it('two people exposed only through the revoked case who met again while suspicious do not hold each other up', () => {
    // hand-worked: I positive at tick 1 exposes A at tick 2 (A: I at 2); A exposes D at tick 3 (D: A
    // at 3); A and D meet again at tick 4, both at 1 (A: I at 2, D at 4; D keeps its earliest, A at 3).
    // I revoked at tick 5: A's route via I is void; A's route via D (tick 4) would stand only if D
    // stood before tick 4, and D's only route is via A: neither ever stood, both released. Before
    // the fix each one's route through the other counted and nobody was released.
    const [I, A, D] = [0, 1, 2];
    const w = world(3);
    command(w, I, 'positive');
    meet(w, [I, A]);
    meet(w, [A, D]);
    meet(w, [A, D]);
    expect(routesOf(w.log).routes.get(A)).toEqual([
      { source: I, tick: 2, hops: 1, exposes1: true },
      { source: D, tick: 4, hops: 3 },
    ]);
    expect(changes(command(w, I, 'revoked'))).toEqual([
      [I, 2, 0, 'test-revoked'],
      [A, 1, 0, 'retracted'],
      [D, 1, 0, 'retracted'],
    ]);
  });

  it('a confirmed case stands from its positive result: whom it exposed while suspicious only through a revoked case is released', () => {
    // hand-worked: I positive at tick 1 exposes A at tick 2; A (at 1) exposes D at tick 3 (D: A at 3);
    // A tests positive at tick 4. I revoked at tick 5: A stays 2 (its own result stands) but stood
    // before tick 4 only on I: D's route via A at 3 is void, D released. A revoked at tick 6: no route
    // of A stands (via I: void), back to 0. Before the fix D stayed 1 after both revocations.
    const [I, A, D] = [0, 1, 2];
    const w = world(3);
    command(w, I, 'positive');
    meet(w, [I, A]);
    expect(changes(meet(w, [A, D]))).toEqual([[D, 0, 1, 'contact']]);
    command(w, A, 'positive');
    expect(changes(command(w, I, 'revoked'))).toEqual([
      [I, 2, 0, 'test-revoked'],
      [D, 1, 0, 'retracted'],
    ]);
    expect(retraction(routesOf(w.log), A)).toEqual({ standing: 1, revokedTo: 0, released: [] });
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 0, 'test-revoked']]);
    expect([...w.state.status]).toEqual([0, 0, 0]);
  });

  it('a case revoked to 0 whose every route before the result was void: its whole episode is void for later revocations', () => {
    // hand-worked: I positive at tick 1, C at tick 2; I exposes A at tick 3; A exposes D at tick 4
    // (D: A at 4); C meets D at tick 5 (D: A at 4, C at 5); A positive at tick 6. I revoked at tick 7:
    // A stays 2; D's route via A at 4 is void (A stood before 6 only on I), via C stands: D stays 1.
    // A revoked at tick 8: no route of A stands, back to 0, and its episode (from tick 3) was void
    // all along. C revoked at tick 9: D's routes via A (that void episode) and via C (withdrawn):
    // D released. Without the fold's rule A at 0 would have no episode and its route to D would stand.
    const [I, A, D, C] = [0, 1, 2, 3];
    const w = world(4);
    command(w, I, 'positive');
    command(w, C, 'positive');
    meet(w, [I, A]);
    expect(changes(meet(w, [A, D]))).toEqual([[D, 0, 1, 'contact']]);
    meet(w, [C, D]);
    command(w, A, 'positive');
    expect(changes(command(w, I, 'revoked'))).toEqual([[I, 2, 0, 'test-revoked']]);
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 0, 'test-revoked']]);
    expect(routesOf(w.log).routes.get(D)).toEqual([{ source: C, tick: 5, hops: 1, exposes1: true }]);
    expect(changes(command(w, C, 'revoked'))).toEqual([
      [C, 2, 0, 'test-revoked'],
      [D, 1, 0, 'retracted'],
    ]);
  });

  it('a retroactive alert: revoking the positive result that sent it releases the person alerted', () => {
    // hand-worked (a 60-minute window, one tick a minute): A and B meet at tick 1, both at 0; A
    // positive at tick 2 alerts B retroactively (contact tick 1, a route through A's result). A
    // revoked at tick 3: A has no route, back to 0; B's only route ran through A's result: released.
    // Before the fix the alert left no route and B stayed 1.
    const [A, B] = [0, 1];
    const w = world(2, { policy: { retroactiveMinutes: 60 } });
    expect(changes(meet(w, [A, B]))).toEqual([]);
    const positive = command(w, A, 'positive');
    expect(changes(positive)).toEqual([
      [A, 0, 2, 'test-positive'],
      [B, 0, 1, 'contact'],
    ]);
    expect(positive.find((e) => e.type === 'HealthStatusChanged' && e.data.personId === B)?.data).toMatchObject({ sourcePersonId: A, contactTick: 1 });
    expect(routesOf(w.log).routes.get(B)).toEqual([{ source: A, tick: 1, hops: 1, result: 2 }]);
    const events = command(w, A, 'revoked');
    expect(changes(events)).toEqual([
      [A, 2, 0, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
    expect(released(events)).toEqual([A, B]);
    expect([...w.state.status]).toEqual([0, 0]);
  });

  it('a retroactive alert stands while the positive result that sent it stands, though its source stood on a revoked case before', () => {
    // hand-worked (only confirmed cases expose, a 60-minute window): I positive at tick 1 exposes A
    // at tick 2; A (at 1, not exposing) meets B at tick 3; A positive at tick 4 alerts B (contact
    // tick 3, through A's result at 4). I revoked at tick 5: A stays 2 (its own result stands), and
    // B's route needs A's result, not A's standing before it (A stood only on I then): B stays 1.
    // A revoked at tick 6: A's route via I is void, back to 0; B's route through A's result is void:
    // released. Before the fix B stayed 1 after both; a route counted from its contact tick (A stood
    // only from 4 > 3) would have released B at tick 5.
    const [I, A, B] = [0, 1, 2];
    const w = world(3, { policy: { exposingStatuses: [2], retroactiveMinutes: 60 } });
    command(w, I, 'positive');
    expect(changes(meet(w, [I, A]))).toEqual([[A, 0, 1, 'contact']]);
    expect(changes(meet(w, [A, B]))).toEqual([]);
    expect(changes(command(w, A, 'positive'))).toEqual([
      [A, 1, 2, 'test-positive'],
      [B, 0, 1, 'contact'],
    ]);
    expect(changes(command(w, I, 'revoked'))).toEqual([[I, 2, 0, 'test-revoked']]);
    expect([...w.state.status]).toEqual([0, 2, 1]);
    expect(changes(command(w, A, 'revoked'))).toEqual([
      [A, 2, 0, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
    expect([...w.state.status]).toEqual([0, 0, 0]);
  });

  it('a retroactive alert and a later route: revoking the later source leaves the person at 1, revoking the first releases them', () => {
    // hand-worked (a 60-minute window): C positive at tick 1; A and B meet at tick 2; A positive at
    // tick 3 alerts B (contact tick 2, through A's result at 3); B (at 1) meets C at tick 4 (a second
    // route, C at 4). C revoked at tick 5: B's route through A's result stands: B stays 1. A revoked
    // at tick 6: both routes void, B released. Before the fix B's only route was C's and the first
    // revocation released B.
    const [A, B, C] = [0, 1, 2];
    const w = world(3, { policy: { retroactiveMinutes: 60 } });
    command(w, C, 'positive');
    meet(w, [A, B]);
    expect(changes(command(w, A, 'positive'))).toEqual([
      [A, 0, 2, 'test-positive'],
      [B, 0, 1, 'contact'],
    ]);
    expect(changes(meet(w, [B, C]))).toEqual([]);
    expect(changes(command(w, C, 'revoked'))).toEqual([[C, 2, 0, 'test-revoked']]);
    expect(changes(command(w, A, 'revoked'))).toEqual([
      [A, 2, 0, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
  });

  it('a retroactive alert\'s route is dropped by the fold once the result that sent it is revoked', () => {
    // the world above, revoked the other way round: A revoked at tick 5 voids B's route through A's
    // result (at 3, though the contact was at 2): the fold keeps only C at 4, B stays 1; C revoked at
    // tick 6 releases B. (A guard of the fold's rule: it passes without the fix too, as B then had
    // only C's route.)
    const [A, B, C] = [0, 1, 2];
    const w = world(3, { policy: { retroactiveMinutes: 60 } });
    command(w, C, 'positive');
    meet(w, [A, B]);
    command(w, A, 'positive');
    meet(w, [B, C]);
    expect(routesOf(w.log).routes.get(B)).toEqual([
      { source: A, tick: 2, hops: 1, result: 3 },
      { source: C, tick: 4, hops: 1, exposes1: true },
    ]);
    expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 0, 'test-revoked']]);
    expect(routesOf(w.log).routes.get(B)).toEqual([{ source: C, tick: 4, hops: 1, exposes1: true }]);
    expect(changes(command(w, C, 'revoked'))).toEqual([
      [C, 2, 0, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
  });

  it('a person suspicious from the start whose positive result is revoked returns to 1, an index case at hop 0', () => {
    // hand-worked: P at 1 from tick 0 (initial, hop 0); P positive at tick 1 (hop 0); revoked at
    // tick 2: the initial suspicion came from no contact and no revocation undoes it: back to 1 at
    // hop 0, as an initial case has it (the event carries no hops: 0 is the hops the positive left,
    // and the schema's are positive). P exposes Q at tick 3: hop 0 + 1 = 1. Before the fix P went
    // to 0 with a released alert.
    const [P, Q] = [0, 1];
    const w = world(2, { initial: { [P]: 1 } });
    expect([w.state.status[P], w.state.tracing.hops[P]]).toEqual([1, 0]);
    expect(changes(command(w, P, 'positive'))).toEqual([[P, 1, 2, 'test-positive']]);
    expect(retraction(routesOf(w.log), P)).toEqual({ standing: 1, revokedTo: 1, hops: 0, released: [] });
    const events = command(w, P, 'revoked');
    expect(events.find((e) => e.type === 'HealthStatusChanged')?.data).toEqual({ personId: P, from: 2, to: 1, reason: 'test-revoked' });
    expect(released(events)).toEqual([]);
    expect([w.state.status[P], w.state.tracing.hops[P]]).toEqual([1, 0]);
    expect(changes(meet(w, [P, Q]))).toEqual([[Q, 0, 1, 'contact']]);
    expect(w.state.tracing.hops[Q]).toBe(1);
  });

  it('a case revoked back to 1: whom it exposed after its positive stays 1 when a 1 could expose then (the seed), is released when not ([2])', () => {
    // hand-worked from the rule (a route from the revoked case from its positive on stands when it
    // goes back to 1 and, at the route's tick, the policy let a 1 expose with its restored hops):
    // I positive at tick 1 exposes A at tick 2 (A: I at 2, hop 1); A positive at tick 3 (hop 0);
    // A (at 2) exposes B at tick 4 (B: A at 4, hop 1). A revoked at tick 5: A's route via I (2 < 3)
    // stands, A back to 1 at hop 1. Under the seed (exposingStatuses [1, 2], no hop cap) A at 1
    // would have exposed B at tick 4 too: B's route stands, B stays 1 (its hops stay 1: not
    // recomputed). Under exposingStatuses [2] a 1 exposes nobody: B released. Before the fix B was
    // released under both.
    const [I, A, B] = [0, 1, 2];
    for (const [policy, expected] of [
      [undefined, { standing: 1, revokedTo: 1, hops: 1, released: [] }],
      [{ exposingStatuses: [2] }, { standing: 1, revokedTo: 1, hops: 1, released: [B] }],
    ] as const) {
      const w = world(3, policy ? { policy: { exposingStatuses: [...policy.exposingStatuses] } } : {});
      command(w, I, 'positive');
      expect(changes(meet(w, [I, A]))).toEqual([[A, 0, 1, 'contact']]);
      command(w, A, 'positive');
      expect(changes(meet(w, [A, B]))).toEqual([[B, 0, 1, 'contact']]);
      expect(retraction(routesOf(w.log), A)).toEqual(expected);
      const events = command(w, A, 'revoked');
      expect(changes(events)).toEqual([[A, 2, 1, 'test-revoked'], ...expected.released.map((p) => [p, 1, 0, 'retracted'])]);
      expect([...w.state.status]).toEqual([2, 1, expected.released.length ? 0 : 1]);
    }
  });

  it('a case revoked back to 1: its routes after the positive stand only under the hop cap of their tick for its restored hops', () => {
    // hand-worked (exposingStatuses [1, 2], maxHops 1): I positive at tick 1 exposes A at tick 2
    // (0 + 1 <= 1; A hop 1); A positive at tick 3 (hop 0); A exposes B at tick 4 (0 + 1 <= 1);
    // tick 5 adopts maxHops 2 (in force from tick 6); A exposes C at tick 6. A revoked at tick 7:
    // back to 1 at hop 1 (via I). B's route (tick 4, cap 1): 1 + 1 = 2 > 1, a 1 at hop 1 could not
    // have exposed B: released. C's route (tick 6, cap 2): 2 <= 2: stands, C stays 1. Before the
    // fix both were released.
    const [I, A, B, C] = [0, 1, 2, 3];
    const w = world(4, { policy: { maxHops: 1 } });
    command(w, I, 'positive');
    expect(changes(meet(w, [I, A]))).toEqual([[A, 0, 1, 'contact']]);
    command(w, A, 'positive');
    expect(changes(meet(w, [A, B]))).toEqual([[B, 0, 1, 'contact']]);
    adopt(w, { maxHops: 2 });
    expect(changes(meet(w, [A, C]))).toEqual([[C, 0, 1, 'contact']]);
    expect(retraction(routesOf(w.log), A)).toEqual({ standing: 1, revokedTo: 1, hops: 1, released: [B] });
    expect(changes(command(w, A, 'revoked'))).toEqual([
      [A, 2, 1, 'test-revoked'],
      [B, 1, 0, 'retracted'],
    ]);
    expect([...w.state.status]).toEqual([2, 1, 0, 1]);
  });

  it('a person suspicious from the start, revoked back to 1 at hop 0: whom they exposed after the positive stays 1 (the seed)', () => {
    // hand-worked: P at 1 from tick 0 (initial, hop 0); P positive at tick 1; P exposes Q at tick 2
    // (Q: P at 2). P revoked at tick 3: back to 1 at hop 0; under the seed a 1 exposes, no cap: Q's
    // route stands, Q stays 1. Before the fix Q was released.
    const [P, Q] = [0, 1];
    const w = world(2, { initial: { [P]: 1 } });
    command(w, P, 'positive');
    expect(changes(meet(w, [P, Q]))).toEqual([[Q, 0, 1, 'contact']]);
    expect(retraction(routesOf(w.log), P)).toEqual({ standing: 1, revokedTo: 1, hops: 0, released: [] });
    expect(changes(command(w, P, 'revoked'))).toEqual([[P, 2, 1, 'test-revoked']]);
    expect([...w.state.status]).toEqual([1, 1]);
  });

  it('a person suspicious from the start with routes of their own: whom they exposed before the positive stays 1 after its revocation', () => {
    // hand-worked: P at 1 from tick 0 (initial, hop 0); X positive at tick 1; P exposes Q at tick 2
    // (Q: P at 2); P meets X at tick 3 (P: X at 3, no new exposure); P positive at tick 4. P revoked
    // at tick 5: back to 1 at hop 0 (initial), standing from the start of the episode (tick 0), so
    // Q's route via P at 2 stands: Q stays 1. Before the fix P stood only from its route at tick 3
    // (3 > 2): Q was released.
    const [P, X, Q] = [0, 1, 2];
    const w = world(3, { initial: { [P]: 1 } });
    command(w, X, 'positive');
    expect(changes(meet(w, [P, Q]))).toEqual([[Q, 0, 1, 'contact']]);
    expect(changes(meet(w, [P, X]))).toEqual([]);
    command(w, P, 'positive');
    expect(retraction(routesOf(w.log), P)).toEqual({ standing: 1, revokedTo: 1, hops: 0, released: [] });
    expect(changes(command(w, P, 'revoked'))).toEqual([[P, 2, 1, 'test-revoked']]);
    expect([...w.state.status]).toEqual([1, 2, 1]);
  });

  it('a person suspicious from the start and then confirmed stands from the start: whom they exposed at 1 stays when their only route is revoked', () => {
    // hand-worked: P at 1 from tick 0 (initial); X positive at tick 1; P exposes Q at tick 2 (Q: P at
    // 2); P meets X at tick 3 (P: X at 3); P positive at tick 4 (stays 2 to the end). X revoked at
    // tick 5: P's route via X is void, but P stood from the start of its episode (tick 0 < 2), not
    // from its positive result (4): Q's route via P at 2 stands, Q stays 1. Before the fix Q was
    // released.
    const [P, X, Q] = [0, 1, 2];
    const w = world(3, { initial: { [P]: 1 } });
    command(w, X, 'positive');
    expect(changes(meet(w, [P, Q]))).toEqual([[Q, 0, 1, 'contact']]);
    meet(w, [P, X]);
    command(w, P, 'positive');
    expect(changes(command(w, X, 'revoked'))).toEqual([[X, 2, 0, 'test-revoked']]);
    expect([...w.state.status]).toEqual([2, 0, 1]);
  });

  it('the fold keeps the routes a revocation back to 1 left standing: a second revocation reads them (seed: stays; [2]: released)', () => {
    // hand-worked: C positive at tick 1, I at tick 2; I exposes A at tick 3 (hop 1); A positive at
    // tick 4; A (at 2) exposes B at tick 5 (B: A at 5); C meets B at tick 6 (B: A at 5, C at 6).
    // A revoked at tick 7: back to 1 via I; B stays 1 either way (C's route stands). Under the seed
    // the fold keeps B's route via A at 5 (a 1 exposed then), so C revoked at tick 8 leaves B at 1
    // (A stood from tick 3 < 5). Under exposingStatuses [2] the fold drops it and C's revocation
    // releases B. Before the fix the fold dropped it under both and B was released.
    const [C, I, A, B] = [0, 1, 2, 3];
    for (const exposingStatuses of [[1, 2], [2]] as (1 | 2)[][]) {
      const seed = exposingStatuses.length === 2;
      const w = world(4, { policy: { exposingStatuses } });
      command(w, C, 'positive');
      command(w, I, 'positive');
      expect(changes(meet(w, [I, A]))).toEqual([[A, 0, 1, 'contact']]);
      command(w, A, 'positive');
      expect(changes(meet(w, [A, B]))).toEqual([[B, 0, 1, 'contact']]);
      meet(w, [C, B]);
      expect(changes(command(w, A, 'revoked'))).toEqual([[A, 2, 1, 'test-revoked']]);
      expect(routesOf(w.log).routes.get(B)?.map((r) => [r.source, r.tick])).toEqual(seed ? [[A, 5], [C, 6]] : [[C, 6]]);
      expect(changes(command(w, C, 'revoked'))).toEqual([[C, 2, 0, 'test-revoked'], ...(seed ? [] : [[B, 1, 0, 'retracted']])]);
      expect([...w.state.status]).toEqual([0, 2, 1, seed ? 1 : 0]);
    }
  });

  it('standingPositives: the test-positive change, plus positives after it, less revocations after it', () => {
    // positions: a positive result (10) made the change (11); then positive (20), negative (25), revoked (30), positive (40): 1 + 2 - 1 = 2
    const tests = [
      { position: 10, result: 'positive' },
      { position: 20, result: 'positive' },
      { position: 25, result: 'negative' },
      { position: 30, result: 'revoked' },
      { position: 40, result: 'positive' },
    ];
    expect(standingPositives([{ position: 11, reason: 'test-positive' }], tests)).toBe(2);
    expect(standingPositives([{ position: 11, reason: 'test-positive' }, { position: 50, reason: 'test-revoked' }], tests)).toBe(0);
    expect(standingPositives([{ position: 1, reason: 'initial' }], tests)).toBe(0);
    expect(standingPositives([], [])).toBe(0);
  });

  it('a person without a standing positive result has nothing to revoke', () => {
    const w = world(2);
    expect(retraction(routesOf(w.log), 0)).toBeUndefined();
    const events = command(w, 0, 'revoked');
    expect(events.find((e) => e.type === 'CommandsApplied')?.data.rejected).toEqual([{ revision: 0, reason: `${w.state.phones[0]} has no positive result to revoke` }]);
  });
});
