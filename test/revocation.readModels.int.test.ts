/**
 * Revocations on the read side: hand-worked worlds of three people written tick by tick to a real
 * SQLite store, their read models folded by the real projections, then read by `trace`, `explain`,
 * time travel and the history queries. Each world's steps and expected values are in its test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PARAMS,
  applyPositions,
  asOf,
  commandTick,
  evolve,
  explain,
  initialState,
  retraction,
  routesOf,
  runProjection,
  stateHash,
  tickStream,
  trace,
  type DomainEvent,
  type InboxCommand,
  type WorldState,
} from '../core/index.js';
import { sqliteStore, type SqliteEventStore } from '../adapters/store/sqlite.js';
import { fileReadModels, group, type SqliteReadModels } from '../adapters/readmodels/sqlite.js';
import { render } from '../cli/commands/trace.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-revoked-hops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GRID = 101;
const [I, C, D] = [0, 1, 2];

type Step = ['meet', number, number] | ['positive' | 'revoked', number];

/** A world of 3 healthy people (tick 0), then one tick a step: two people meet (the others stay apart), or a test result for one. */
function handWorld(steps: readonly Step[]): { state: WorldState; log: DomainEvent[] } {
  const state = initialState();
  const params = { ...DEFAULT_PARAMS, people: 3, width: GRID, height: GRID };
  const m = { tick: 0, at: params.start, schemaVersion: 1 };
  const log: DomainEvent[] = [
    { type: 'SimulationStarted', data: params, metadata: m },
    ...[0, 1, 2].map((p): DomainEvent => ({ type: 'PersonRegistered', data: { personId: p, phone: `+3361000000${p}`, x: p, y: 0 }, metadata: m })),
  ];
  for (const e of log) evolve(state, e);
  const done: DomainEvent = { type: 'TickCompleted', data: { tick: 0, healthy: 3, suspicious: 0, infected: 0, moves: 0, contacts: 0, exposures: 0, events: log.length + 1, stateHash: stateHash(state) }, metadata: m };
  evolve(state, done);
  log.push(done);
  for (const step of steps) {
    if (step[0] === 'meet') {
      const cells = [0, 1, 2].map((personId) => ({ personId, x: personId, y: 0 }));
      for (const p of [step[1], step[2]]) cells[p] = { personId: p, x: 50, y: 50 };
      log.push(...applyPositions(state, cells).events);
    } else {
      const [result, person] = step;
      const c: InboxCommand = { revision: 0, type: 'TestResultReported', data: { phone: state.phones[person]!, result } };
      if (result === 'revoked') c.retraction = retraction(routesOf(log), person)!;
      log.push(...commandTick(state, [c]).events);
    }
  }
  return { state, log };
}

let worlds = 0;

/** `w`'s log in a new SQLite store, one stream a tick, and its read models folded in a file of their own. */
async function stored(w: { state: WorldState; log: DomainEvent[] }): Promise<{ store: SqliteEventStore; models: SqliteReadModels }> {
  const file = join(dir, `world-${worlds++}.db`);
  const store = await sqliteStore(file);
  const models = fileReadModels(`${file}.rm`, `sqlite:${file}`);
  for (let t = 0; t <= w.state.tick; t++) await store.append(tickStream(t), w.log.filter((e) => e.metadata.tick === t), 'no_stream');
  await runProjection(store, group('read-models', models.projections), models);
  return { store, models };
}

describe('a revoked positive back to 1, read through the read models', () => {
  it('trace, the exposures, people and epidemic read models, explain and time travel give the standing route hops, not an index case', async () => {
    // hand-worked: I is an index case (positive at tick 1), exposes C at tick 2 (hop 1); C's positive
    // at tick 3 is revoked at tick 4 (C's route through I at tick 2 stands: back to 1, hop 0 + 1 = 1,
    // not an index case); C exposes D at tick 5 (hop 1 + 1 = 2)
    const w = handWorld([['positive', I], ['meet', I, C], ['positive', C], ['revoked', C], ['meet', C, D]]);
    const { store, models } = await stored(w);
    try {
      const graph = models.traceSource();

      const c = trace(graph, C, 'both', 10);
      expect(c.indexCase).toBe(false);
      expect(c.tests?.hops).toBe(1);
      expect(c.upstream?.map((l) => [l.personId, l.hops, l.indexCase])).toEqual([[I, 1, true]]);
      expect(c.downstream?.map((l) => [l.personId, l.hops])).toEqual([[D, 2]]);
      expect(render(c)[0]).toBe(`+33610000001  person 1  suspicious  (hop 1 from the index case)`);
      expect(trace(graph, I, 'up', 10).indexCase).toBe(true);

      // the read models' own rows: people keeps evolve's hops, epidemic its own, the exposures' case state D's edge
      expect(models.person(C)?.lastChange).toMatchObject({ tick: 4, to: 1, reason: 'test-revoked' });
      const epidemic = models.dump('epidemic') as Record<string, unknown[][]>;
      const chains = epidemic['epidemic_chains'] ?? epidemic[Object.keys(epidemic).find((k) => k.endsWith('epidemic_chains'))!]!;
      // after tick 5: I at hop 0, C at 1, D at 2
      expect(chains).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
      ]);

      // explain D's alert: D <- C (back to 1 through I's exposure) <- I, an index case by its positive test
      const why = await explain(models.explainSource(store), { personId: D });
      expect(why.chain.map((l) => [l.source.personId, l.exposed.personId, l.hops])).toEqual([
        [C, D, 2],
        [I, C, 1],
      ]);
      expect(why.indexCase?.personId).toBe(I);

      // time travel at tick 4 (after the revocation, before D): C is not an index case, hop 1
      const then = asOf(graph, models.history(), { tick: 4, knownAt: 4 });
      expect(then.isIndexCase(C)).toBe(false);
      expect(then.testsOf?.(C).hops).toBe(1);
    } finally {
      models.close();
      await store.close();
    }
  });
});

describe('a person tested positive twice, on the read side', () => {
  it('a revocation that leaves a positive result standing keeps the person infected and counted among the alerted positives; the last one undoes both', async () => {
    // hand-worked: I positive at tick 1 exposes C at tick 2 (C alerted at tick 2); C positive at
    // tick 3 (after the alert: alerted positives 1) and again at tick 4 (2 stand); revoked at tick 5
    // (1 stands: C still infected, still 1 alerted positive); revoked at tick 6 (0 stand: C back to 1
    // through I, 0 alerted positives)
    const w = handWorld([['positive', I], ['meet', I, C], ['positive', C], ['positive', C], ['revoked', C], ['revoked', C]]);
    const { store, models } = await stored(w);
    try {
      // alerted positives per tick, as the stats command reads them
      const alertedPositive = models.epidemic().map((r) => [r.tick, r.alertedPositive]);
      expect(alertedPositive).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 1],
        [4, 1],
        [5, 1],
        [6, 0],
      ]);
      expect(w.state.status[C]).toBe(1);
      expect(models.history().standingPositives(C)).toBe(0);
      expect(models.history().standingPositives(I)).toBe(1);
    } finally {
      models.close();
      await store.close();
    }
  });
});
