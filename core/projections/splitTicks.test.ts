/**
 * A tick may come to a projection in several `evolve` calls (a run of thousands of events is
 * handed over 4,096 events at a time, projection.ts): the read models must not depend on where
 * the calls are cut. Each projection without `evolveRun` is folded here into in-memory writers,
 * once a whole batch a call and once cut every few events (inside ticks, between a status change
 * and its alert, between contacts and the exposures they cause); the rows must be the same.
 */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../events/index.js';
import { DEFAULT_PARAMS } from '../params.js';
import { genesis, stepTick } from '../simulation.js';
import { TOUSANTICOVID_POLICY } from '../policy/presets.js';
import { epidemicProjection, type EpidemicPerson, type EpidemicRow, type EpidemicTx } from './epidemic.js';
import { historyProjection, type HistoryTx } from './history.js';
import { exposuresProjection, metricsProjection, type CaseState, type ExposuresTx, type MetricsTx } from './readModels.js';
import type { Projection } from './projection.js';

type Tx = ExposuresTx & MetricsTx & HistoryTx & EpidemicTx;

/** In-memory writers of the four read models; `rows` is everything written, by table. */
function memoryTx(): { tx: Tx; rows: Record<string, unknown[]> } {
  const rows: Record<string, unknown[]> = { exposures: [], metrics: [], status: [], tests: [], policies: [], epidemic: [] };
  const cases = new Map<number, CaseState>();
  const people = new Map<number, EpidemicPerson>();
  let chains = new Map<number, number>();
  const tx: Tx = {
    caseOf: (id) => cases.get(id),
    setCase: (id, c) => void (c ? cases.set(id, c) : cases.delete(id)),
    addExposures: (r) => void rows.exposures!.push(...r),
    putMetrics: (r) => void rows.metrics!.push(...r),
    addStatusHistory: (r) => void rows.status!.push(...r.map((x) => ({ ...x }))),
    addTestHistory: (r) => void rows.tests!.push(...r),
    addPolicyHistory: (r) => void rows.policies!.push(...r),
    epidemicPerson: (id) => people.get(id),
    setEpidemicPerson: (id, p) => void people.set(id, p),
    activeChains: () => new Map(chains),
    saveActiveChains: (c) => void (chains = new Map(c)),
    lastEpidemic: () => rows.epidemic!.at(-1) as EpidemicRow | undefined,
    putEpidemic: (r) => void rows.epidemic!.push(...r),
  };
  return { tx, rows };
}

/** The rows of `projection` folded over `batches` (each a batch with its own tx), each batch cut into calls of `cut` events. */
function fold(projection: Projection<Tx>, batches: readonly StoredEvent[][], cut: number): Record<string, unknown[]> {
  const all: Record<string, unknown[]> = {};
  const shared = memoryTx();
  for (const batch of batches) {
    // a fresh tx object per batch over the same rows, as a read-model store does
    const tx = { ...shared.tx };
    const types = projection.types === 'all' ? undefined : new Set<string>([...projection.types, 'TickCompleted']);
    const mine = batch.filter((e) => !types || types.has(e.type));
    for (let k = 0; k < mine.length; k += cut) projection.evolve(tx, mine.slice(k, k + cut));
  }
  for (const [table, rows] of Object.entries(shared.rows)) all[table] = rows.map((r) => ({ ...(r as object) })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return all;
}

describe('a tick handed over in several calls: the same rows as in one', () => {
  // tests, positives, releases and retroactive alerts within a few ticks of 2 hours (tousanticovid's durations in minutes)
  const world = genesis({ ...DEFAULT_PARAMS, people: 300, width: 18, height: 18, radius: 1, seed: 4, tickMs: 2 * 3_600_000 }, { policy: TOUSANTICOVID_POLICY, source: 'preset:tousanticovid' });
  const ticks: StoredEvent[][] = [];
  let position = 0;
  const stored = (events: readonly { type: string; data: unknown; metadata: unknown }[]) => events.map((e) => ({ ...e, stream: 'stopcovid.test', revision: position, position: ++position }) as StoredEvent);
  ticks.push(stored(world.events));
  for (let t = 0; t < 40; t++) ticks.push(stored(stepTick(world.state).events));
  // batches of three ticks, as a runner would commit them
  const batches: StoredEvent[][] = [];
  for (let t = 0; t < ticks.length; t += 3) batches.push(ticks.slice(t, t + 3).flat());

  it('the world has what the cuts must not break: exposures, alerts, tests and releases', () => {
    const types = new Set(ticks.flat().map((e) => e.type));
    for (const t of ['ContactDetected', 'NotificationIssued', 'TestResultRecorded']) expect(types.has(t as StoredEvent['type']), t).toBe(true);
    expect(ticks.flat().some((e) => e.type === 'HealthStatusChanged' && (e.data as { reason: string }).reason === 'test-negative')).toBe(true);
  });

  for (const projection of [exposuresProjection, metricsProjection, historyProjection, epidemicProjection] as Projection<Tx>[])
    it(projection.name, () => {
      const whole = fold(projection, batches, Number.MAX_SAFE_INTEGER);
      expect(Object.values(whole).some((rows) => rows.length > 0)).toBe(true);
      for (const cut of [1, 3, 7, 50]) expect(fold(projection, batches, cut), `calls of ${cut} events`).toEqual(whole);
    });
});
