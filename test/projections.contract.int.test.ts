/**
 * The projection contract: every read model, fed the same log in one batch, in many small
 * batches, twice over, and inline (inside the SQLite store's append transactions), ends in the
 * same rows; run over the memory store, the SQLite store and the EventStoreDB adapter on its
 * fake client. The rows are also checked against folds that do not use the read models: the
 * in-memory contact graph (exposures) and the simulation's own state (people, metrics).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContactGraph, DEFAULT_PARAMS, genesis, runProjection, scratch, stateHash, stepTick, tickStream, type DomainEvent, type EventStore, type Projection, type WorldReadModelTx } from '../core/index.js';
import { memoryStore } from '../adapters/store/memory.js';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { esdbStore } from '../adapters/store/esdb.js';
import { fileReadModels, group, storeReadModels, type SqliteReadModels } from '../adapters/readmodels/sqlite.js';
import { FakeEsdb } from './esdbFake.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-projections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A dense enough world that chains grow several hops: 600 people on 40x40 cells, 12 ticks, radius 1. */
const PARAMS = { ...DEFAULT_PARAMS, people: 600, width: 40, height: 40, radius: 1, seed: 11 };
const TICKS = 12;

async function writeWorld(store: EventStore): Promise<void> {
  const world = genesis(PARAMS);
  await store.append(tickStream(0), world.events, 'no_stream');
  const buffers = scratch();
  for (let t = 1; t <= TICKS; t++) await store.append(tickStream(t), stepTick(world.state, buffers).events, 'no_stream');
}

function dumpAll(models: SqliteReadModels): Record<string, unknown> {
  return Object.fromEntries(models.projections.map((p) => [p.name, models.dump(p.name)]));
}

let n = 0;
const fresh = () => fileReadModels(join(dir, `rm-${n++}.db`), `test:${n}`);
const all = (models: SqliteReadModels): Projection<WorldReadModelTx> => group('read-models', models.projections);

const stores: [string, () => EventStore][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(join(dir, `store-${n++}.db`))],
  ['esdb (fake client)', () => esdbStore(new FakeEsdb(), { namespace: `p${n++}.` })],
];

let reference: Record<string, unknown> | undefined;

describe.each(stores)('read models over the %s store', (_name, open) => {
  it('one batch, one tick a batch, each projection on its own, and twice over: the same rows', async () => {
    const store = open();
    await writeWorld(store);
    const oneBatch = fresh();
    const run = await runProjection(store, all(oneBatch), oneBatch, { batchEvents: 1e9 });
    expect(run.ticks).toBe(TICKS + 1);
    const expected = dumpAll(oneBatch);

    const small = fresh();
    await runProjection(store, all(small), small, { batchEvents: 1 });
    expect(dumpAll(small)).toEqual(expected);

    const separately = fresh();
    for (const p of separately.projections) await runProjection(store, group(p.name, [p]), separately, { batchEvents: 5000 });
    expect(dumpAll(separately)).toEqual(expected);

    // twice over: a second run finds nothing new; the same batch committed again changes nothing
    const again = await runProjection(store, all(oneBatch), oneBatch);
    expect(again.read).toBe(0);
    const events = [];
    for await (const e of store.readAll()) events.push(e);
    const { decode } = await import('../events/index.js');
    await oneBatch.commit(all(oneBatch), events.map(decode), events[events.length - 1]!.position);
    expect(dumpAll(oneBatch)).toEqual(expected);

    // the memory and SQLite stores number positions alike (1, 2, 3...), so their read models are equal row for row
    if (_name !== 'esdb (fake client)') {
      reference ??= expected;
      expect(expected).toEqual(reference);
    }
    for (const m of [oneBatch, small, separately]) m.close();
    await store.close();
  });
});

describe('read models against folds that do not use them', () => {
  it('people = the simulation state, exposures = the in-memory contact graph, metrics = TickCompleted, inline = caught up', async () => {
    const store = sqliteStore(join(dir, 'inline.db'));
    const models = storeReadModels(store);
    models.attachInline(store, all(models));
    const world = genesis(PARAMS);
    await store.append(tickStream(0), world.events, 'no_stream');
    const buffers = scratch();
    const graph = new ContactGraph();
    for (const e of world.events) graph.evolve(e);
    for (let t = 1; t <= TICKS; t++) {
      const { events, summary } = stepTick(world.state, buffers);
      await store.append(tickStream(t), events, 'no_stream');
      for (const e of events) graph.evolve(e as DomainEvent);
      // inline: the read models are current after every append, in the same transaction
      expect(models.info().map((i) => i.position)).toEqual(new Array(models.projections.length).fill(await store.lastPosition()));
      expect(models.metrics().at(-1)).toMatchObject({ tick: t, healthy: summary.counts[0], suspicious: summary.counts[1], infected: summary.counts[2], contacts: summary.contacts, exposures: summary.exposures, notifications: summary.exposures });
    }
    const snapshot = models.snapshot();
    expect(stateHash(snapshot)).toBe(stateHash(world.state));
    expect(snapshot.phones).toEqual(world.state.phones);
    expect(snapshot.tick).toBe(TICKS);

    const source = models.traceSource();
    let edges = 0;
    let maxHops = 0;
    for (let p = 0; p < PARAMS.people; p++) {
      const fromModel = source.exposuresOf(p).map(({ hops: _h, ...e }) => e);
      expect(fromModel).toEqual(graph.exposuresOf(p));
      expect(source.exposedBy(p).map(({ hops: _h, ...e }) => e)).toEqual(graph.exposedBy(p));
      expect(source.statusOf(p)).toBe(world.state.status[p]);
      expect(source.isIndexCase(p)).toBe(graph.isIndexCase(p));
      edges += fromModel.length;
      for (const e of source.exposuresOf(p)) maxHops = Math.max(maxHops, e.hops!);
    }
    expect(edges).toBeGreaterThan(100);
    expect(maxHops).toBeGreaterThan(2);

    // hop counts: an exposure by an index case is hop 1, else one more than the source's own exposure before it
    for (let p = 0; p < PARAMS.people; p++)
      for (const e of source.exposuresOf(p)) {
        const before = source.exposuresOf(e.source).filter((s) => s.tick < e.tick).at(-1);
        expect(e.hops).toBe(before ? before.hops! + 1 : 1);
      }

    // the inline read models equal a fold from the log afterwards
    const rebuilt = fresh();
    await runProjection(store, all(rebuilt), rebuilt);
    expect(dumpAll(rebuilt)).toEqual(dumpAll(models));
    rebuilt.close();
    await store.close();
  });
});
