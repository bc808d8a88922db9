/**
 * A person suspicious from the start whose positive result is revoked is back at 1 at hop 0: the
 * index case again. Through the real `stopcovid test <phone> positive` / `revoked` on a real
 * SQLite file, then a tick written by hand in which they expose a healthy person: `trace --json`
 * marks them as the index case (upstream of the person they exposed too, and at a past tick), and
 * `explain` of that person's alert ends at their initial status instead of a "no exposure" note.
 * The world is written by hand, one stream a tick.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, applyPositions, evolve, initialState, stateHash, tickStream, type DomainEvent, type Explanation } from '../core/index.js';
import { decode } from '../events/codec.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import type { TestResultOutput } from '../cli/commands/test.js';
import type { TraceResult } from '../cli/commands/trace.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-revoked-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRID = 101;
const phone = (p: number) => `+3361000001${p}`;

describe('a person suspicious from the start, tested positive then revoked', () => {
  it('is the index case again: trace marks them so and explain names their initial status', async () => {
    // hand-worked: P at 1 from tick 0 (initial), B healthy and apart. Through the CLI: P positive at
    // tick 1, revoked at tick 2: back to 1 at hop 0 (no hops on the event). Tick 3, by hand: P (a 1
    // exposes under the seed policy) meets B: B exposed at hop 1 by the index case P.
    const [P, B] = [0, 1];
    const state = initialState();
    const params = { ...DEFAULT_PARAMS, people: 2, width: GRID, height: GRID };
    const m = { tick: 0, at: params.start, schemaVersion: 1 };
    const log: DomainEvent[] = [
      { type: 'SimulationStarted', data: params, metadata: m },
      ...[P, B].map((p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: phone(p), x: p * 10, y: 0 }, metadata: m })),
      { type: 'HealthStatusChanged', data: { personId: P, from: 0, to: 1, reason: 'initial' }, metadata: m },
    ];
    for (const e of log) evolve(state, e);
    const done: DomainEvent = { type: 'TickCompleted', data: { tick: 0, healthy: 1, suspicious: 1, infected: 0, moves: 0, contacts: 0, exposures: 0, events: log.length + 1, stateHash: stateHash(state) }, metadata: m };
    evolve(state, done);
    log.push(done);

    const file = join(dir, 'initial.db');
    const store = `sqlite:${file}`;
    const first = await sqliteStore(file);
    await first.append(tickStream(0), log, 'no_stream');
    await first.close();

    const test = async (p: number, result: string): Promise<TestResultOutput> => {
      const r = await run('test', phone(p), result, '--store', store, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as TestResultOutput;
    };
    expect(await test(P, 'positive')).toMatchObject({ tick: 1, statusBefore: 1, statusAfter: 2 });
    expect(await test(P, 'revoked')).toMatchObject({ tick: 2, statusBefore: 2, statusAfter: 1, retracted: 0 });

    // tick 3 by hand, on the state folded from the store: P meets B
    const second = await sqliteStore(file);
    const folded = initialState();
    for await (const raw of second.readAll()) evolve(folded, decode(raw) as DomainEvent);
    expect(folded.tick).toBe(2);
    expect([...folded.status]).toEqual([1, 0]);
    expect(folded.tracing.hops[P]).toBe(0);
    const meet = applyPositions(folded, [
      { personId: P, x: 50, y: 50 },
      { personId: B, x: 50, y: 50 },
    ]).events;
    await second.append(tickStream(3), meet, 'no_stream');
    await second.close();
    expect([...folded.status]).toEqual([1, 1]);

    const trace = async (p: number, ...more: string[]): Promise<TraceResult> => {
      const r = await run('trace', phone(p), '--store', store, '--json', ...more);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as TraceResult;
    };
    const index = await trace(P);
    expect(index).toMatchObject({ personId: P, status: 1, indexCase: true, lastChange: { tick: 2, reason: 'test-revoked' } });
    expect(index.downstream.map((l) => l.personId)).toEqual([B]);
    const exposed = await trace(B);
    expect(exposed).toMatchObject({ personId: B, status: 1, indexCase: false });
    expect(exposed.upstream).toMatchObject([{ personId: P, indexCase: true }]);
    // time travel: at tick 2 (after the revocation) too; at tick 1 the positive made them one
    expect(await trace(P, '--at-tick', '2')).toMatchObject({ indexCase: true });
    expect(await trace(P, '--at-tick', '1')).toMatchObject({ indexCase: true });

    const r = await run('explain', phone(B), '--store', store, '--json');
    expect(r.code, r.stderr).toBe(0);
    const why = JSON.parse(r.stdout) as Explanation;
    expect(why.note).toBeUndefined();
    expect(why.chain).toMatchObject([{ source: { personId: P }, exposed: { personId: B }, tick: 3, sourceStatus: 1, sourceChange: { tick: 2, reason: 'test-revoked' } }]);
    expect(why.indexCase).toMatchObject({ personId: P, change: { tick: 0, from: 0, to: 1, reason: 'initial' } });
    const text = await run('explain', phone(B), '--store', store);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toMatch(/no exposure/);
  });
});
