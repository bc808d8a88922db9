/**
 * Two revocations one after another through the real `stopcovid test <phone> revoked` on a real
 * SQLite file: the second reads the routes folded from the store (the tick writer's
 * `retractionIn`), with no route left through the case the first withdrew nor through the person
 * it released. And, on a world with a retroactive window, a revocation that releases whom the
 * revoked result alerted retroactively, and one that returns a person suspicious from the start to
 * 1. The worlds' first ticks are written by hand, one stream a tick; the expected values are
 * worked out by hand in the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, applyPositions, commandTick, evolve, initialState, stateHash, tickStream, type DomainEvent } from '../core/index.js';
import { Policy } from '../events/index.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import type { TestResultOutput } from '../cli/commands/test.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-revocations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRID = 101;
const [A, B, C, D] = [0, 1, 2, 3];
const phone = (p: number) => `+3361000000${p}`;

describe('two revocations through `stopcovid test <phone> revoked` on a SQLite store', () => {
  it('the second releases the person whose remaining routes ran through the first revoked case and through the person it released', async () => {
    // hand-worked: C positive at tick 1, A at tick 2; A exposes B at tick 3; B exposes D at tick 4;
    // C meets D at tick 5 (D: routes via B and via C). Revoking A (tick 6) releases B (only route: A),
    // D stays 1 (route via C); revoking C (tick 7) leaves D's routes via B (B's episode retracted)
    // and via C (withdrawn): D released. Before the fix the second revocation released nobody.
    const state = initialState();
    const params = { ...DEFAULT_PARAMS, people: 4, width: GRID, height: GRID };
    const m = { tick: 0, at: params.start, schemaVersion: 1 };
    const log: DomainEvent[] = [
      { type: 'SimulationStarted', data: params, metadata: m },
      ...[A, B, C, D].map((p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: phone(p), x: p, y: 0 }, metadata: m })),
    ];
    for (const e of log) evolve(state, e);
    const done: DomainEvent = { type: 'TickCompleted', data: { tick: 0, healthy: 4, suspicious: 0, infected: 0, moves: 0, contacts: 0, exposures: 0, events: log.length + 1, stateHash: stateHash(state) }, metadata: m };
    evolve(state, done);
    log.push(done);
    const positive = (p: number) => log.push(...commandTick(state, [{ revision: state.tracing.inboxNext, type: 'TestResultReported', data: { phone: phone(p), result: 'positive' } }]).events);
    const meet = (a: number, b: number) => {
      const cells = [A, B, C, D].map((personId) => ({ personId, x: personId, y: 0 }));
      for (const p of [a, b]) cells[p] = { personId: p, x: 50, y: 50 };
      log.push(...applyPositions(state, cells).events);
    };
    positive(C);
    positive(A);
    meet(A, B);
    meet(B, D);
    meet(C, D);
    expect([...state.status]).toEqual([2, 1, 2, 1]);

    const file = join(dir, 'two.db');
    const store = await sqliteStore(file);
    // the positives' commands in the inbox, as `stopcovid test` would have put them there
    for (const p of [C, A]) await store.append('stopcovid.inbox', [{ type: 'TestResultReported', data: { phone: phone(p), result: 'positive' }, metadata: { tick: 0, at: params.start, schemaVersion: 1 } } as DomainEvent], 'any');
    for (let t = 0; t <= state.tick; t++) await store.append(tickStream(t), log.filter((e) => e.metadata.tick === t), 'no_stream');
    await store.close();

    const revoke = async (p: number): Promise<TestResultOutput> => {
      const r = await run('test', phone(p), 'revoked', '--store', `sqlite:${file}`, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as TestResultOutput;
    };
    expect(await revoke(A)).toMatchObject({ tick: 6, statusBefore: 2, statusAfter: 0, retracted: 1 });
    expect(await revoke(C)).toMatchObject({ tick: 7, statusBefore: 2, statusAfter: 0, retracted: 1 });
    const people = await run('people', '--store', `sqlite:${file}`, '--json');
    expect(people.code, people.stderr).toBe(0);
    const rows = JSON.parse(people.stdout) as { personId: number; status: number; lastChange: { tick: number; reason: string } }[];
    expect(rows.map((r) => [r.personId, r.status, r.lastChange.tick, r.lastChange.reason])).toEqual([
      [A, 0, 6, 'test-revoked'],
      [B, 0, 6, 'retracted'],
      [C, 0, 7, 'test-revoked'],
      [D, 0, 7, 'retracted'],
    ]);
    const replay = await run('replay', '--store', `sqlite:${file}`);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/matches the recorded/);
  });

  it('a revocation releases whom the revoked result alerted retroactively; one of a person suspicious from the start returns them to 1', async () => {
    // hand-worked (a 60-minute window, one tick a minute): P at 1 from tick 0 (initial); A and B
    // meet at tick 1. Through the CLI: A positive at tick 2 alerts B retroactively (contact tick 1);
    // P positive at tick 3; A revoked at tick 4: A has no route, back to 0, and B's only route ran
    // through A's result: released; P revoked at tick 5: back to 1 (the initial status stands), no
    // released alert. Before the fix B stayed 1 and P went to 0.
    const [P, A, B] = [0, 1, 2];
    const state = initialState();
    const params = { ...DEFAULT_PARAMS, people: 3, width: GRID, height: GRID };
    const m = { tick: 0, at: params.start, schemaVersion: 1 };
    const log: DomainEvent[] = [
      { type: 'SimulationStarted', data: params, metadata: m },
      { type: 'PolicyAdopted', data: { policy: Policy.parse({ name: 'retro', retroactiveMinutes: 60 }), source: 'test' }, metadata: m },
      ...[P, A, B].map((p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: phone(p), x: p, y: 0 }, metadata: m })),
      { type: 'HealthStatusChanged', data: { personId: P, from: 0, to: 1, reason: 'initial' }, metadata: m },
    ];
    for (const e of log) evolve(state, e);
    const done: DomainEvent = { type: 'TickCompleted', data: { tick: 0, healthy: 2, suspicious: 1, infected: 0, moves: 0, contacts: 0, exposures: 0, events: log.length + 1, stateHash: stateHash(state) }, metadata: m };
    evolve(state, done);
    log.push(done);
    log.push(...applyPositions(state, [{ personId: P, x: 0, y: 0 }, { personId: A, x: 50, y: 50 }, { personId: B, x: 50, y: 50 }]).events);
    expect([...state.status]).toEqual([1, 0, 0]);

    const file = join(dir, 'retro.db');
    const store = await sqliteStore(file);
    for (let t = 0; t <= state.tick; t++) await store.append(tickStream(t), log.filter((e) => e.metadata.tick === t), 'no_stream');
    await store.close();

    const test = async (p: number, result: string): Promise<TestResultOutput> => {
      const r = await run('test', phone(p), result, '--store', `sqlite:${file}`, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as TestResultOutput;
    };
    expect(await test(A, 'positive')).toMatchObject({ tick: 2, statusBefore: 0, statusAfter: 2, alerted: 1 });
    expect(await test(P, 'positive')).toMatchObject({ tick: 3, statusBefore: 1, statusAfter: 2 });
    expect(await test(A, 'revoked')).toMatchObject({ tick: 4, statusBefore: 2, statusAfter: 0, retracted: 1, releasedAlert: true });
    expect(await test(P, 'revoked')).toMatchObject({ tick: 5, statusBefore: 2, statusAfter: 1, retracted: 0, releasedAlert: false });
    const people = await run('people', '--store', `sqlite:${file}`, '--json');
    expect(people.code, people.stderr).toBe(0);
    const rows = JSON.parse(people.stdout) as { personId: number; status: number; lastChange: { tick: number; reason: string } }[];
    expect(rows.map((r) => [r.personId, r.status, r.lastChange.tick, r.lastChange.reason])).toEqual([
      [P, 1, 5, 'test-revoked'],
      [A, 0, 4, 'test-revoked'],
      [B, 0, 4, 'retracted'],
    ]);
    const replay = await run('replay', '--store', `sqlite:${file}`);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/matches the recorded/);
  });
});
