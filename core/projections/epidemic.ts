/**
 * The `epidemic` read model: live epidemic measures, one row per tick, kept by a projection and
 * never recomputed by a query: incidence (new confirmed cases), exposure alerts, the share of
 * alerted people who later tested positive (the NHS COVID-19 app's headline measure: about 6% of
 * notified contacts became cases, Wymant et al., Nature 594, 408-412, 2021), and the longest
 * active chain (the most hops from an index case among people of status >= 1).
 * @module
 */
import { StartHops } from '../policy/startHops.js';
import type { EventData, StoredEvent } from '../../events/index.js';
import { TickState, type Projection } from './projection.js';

/** One tick of the epidemic measures. */
export interface EpidemicRow {
  tick: number;
  /** Simulated time, ISO-8601. */
  at: string;
  /** Incidence: people who became confirmed cases (status 2) in the tick (tick 0: the initial cases). */
  newCases: number;
  /** Exposure alerts issued in the tick (released alerts not counted). */
  alerts: number;
  /** People ever sent an exposure alert, up to this tick. */
  alertedTotal: number;
  /** Of those, people with a positive result recorded in a tick after their first alert and not revoked since. */
  alertedPositive: number;
  /** People of status >= 1 after the tick, and the most hops from an index case among them (-1: none; 0: index cases only). */
  activeCases: number;
  longestChain: number;
  /** Global position of the tick's `TickCompleted`. */
  position: number;
}

/** What the `epidemic` projection remembers of one person. */
export interface EpidemicPerson {
  status: number;
  /** Hops from the index case (0: an index case; -1: status 0), as `evolve` counts them. */
  hops: number;
  /** The tick of the first exposure alert, -1 for none. */
  alertedTick: number;
  /** A positive result came after the first alert. */
  positiveAfterAlert: boolean;
}

/** What the `epidemic` projection writes through. */
export interface EpidemicTx {
  /** The person as remembered (after the batch's earlier events), `undefined` when never seen. */
  epidemicPerson(personId: number): EpidemicPerson | undefined;
  setEpidemicPerson(personId: number, person: EpidemicPerson): void;
  /** Active cases by hop count (hops -> people), as the last batch left it; the projection saves it back. */
  activeChains(): Map<number, number>;
  saveActiveChains(chains: ReadonlyMap<number, number>): void;
  /** The last row written, for the running totals. */
  lastEpidemic(): EpidemicRow | undefined;
  putEpidemic(rows: readonly EpidemicRow[]): void;
}

/** The tick in progress: its counts so far, and the running totals, from the last row written when a batch starts. */
const epidemicTicks = new TickState((tx: EpidemicTx) => {
  const last = tx.lastEpidemic();
  return { newCases: 0, alerts: 0, alertedTotal: last?.alertedTotal ?? 0, alertedPositive: last?.alertedPositive ?? 0, startHops: new StartHops() };
});

const NOBODY: EpidemicPerson = { status: 0, hops: -1, alertedTick: -1, positiveAfterAlert: false };

/**
 * `epidemic`: per tick, incidence, exposure alerts, alerted people and those of them who later
 * tested positive (running totals), and the longest active chain. Hops follow `evolve`'s rule: a
 * live contact makes the exposed one hop further than the source was at the start of the tick (a
 * case revoked in the tick: as the revocation left it; a retroactive alert: than the source now), an initial status
 * or a positive test makes an index case (0), a revoked positive back to 1 takes the hops its
 * event carries (logs before them: the revoked positive's 0), a return to 0 ends the person's chain. A revoked
 * positive result is taken back out of the alerted positives at the tick of the revocation that
 * undid the case (`test-revoked`; one that leaves another positive result standing changes
 * nothing). Version 2: read models of version 1 may lack part of tick 0's new cases (a world's
 * initial statuses were handed over in several calls, and a call counted only its own); version
 * 3: read models of version 2 kept counting revoked positives; version 4: read models of version 3
 * took a positive out at any revocation, even one that left the person infected; version 5: read
 * models of version 4 counted a live exposure from a source's positive test or revocation earlier in
 * the same tick. All are rebuilt.
 */
export const epidemicProjection: Projection<EpidemicTx> = {
  name: 'epidemic',
  version: 5,
  types: ['HealthStatusChanged', 'NotificationIssued', 'TestResultRecorded', 'TickCompleted'],
  evolve(tx, events) {
    const chains = tx.activeChains();
    // the tick's counts and the running totals (a tick may come in several calls)
    const t = epidemicTicks.of(tx);
    const rows: EpidemicRow[] = [];
    const person = (id: number) => tx.epidemicPerson(id) ?? NOBODY;
    const count = (hops: number, delta: number) => {
      const n = (chains.get(hops) ?? 0) + delta;
      if (n === 0) chains.delete(hops);
      else chains.set(hops, n);
    };
    for (const e of events) {
      if (e.type === 'HealthStatusChanged') {
        const d = (e as StoredEvent<'HealthStatusChanged'>).data;
        const before = person(d.personId);
        t.startHops.keep(d, before.hops);
        const hops = d.to === 0 ? -1 : d.reason === 'contact' ? Math.max(0, t.startHops.sourceOf(d, person(d.sourcePersonId!).hops)) + 1 : d.reason === 'initial' || d.reason === 'test-positive' ? 0 : d.reason === 'test-revoked' ? (d.hops ?? before.hops) : before.hops;
        t.startHops.applied(d, hops);
        if (before.status >= 1) count(before.hops, -1);
        if (d.to >= 1) count(hops, 1);
        if (d.to === 2 && d.from !== 2) t.newCases++;
        // a revocation that undid the case: its positive results no longer count from this tick on
        const revoked = d.reason === 'test-revoked' && before.positiveAfterAlert;
        if (revoked) t.alertedPositive--;
        tx.setEpidemicPerson(d.personId, { ...before, status: d.to, hops, ...(revoked ? { positiveAfterAlert: false } : {}) });
      } else if (e.type === 'NotificationIssued') {
        const d = e.data as EventData<'NotificationIssued'>;
        if (d.kind === 'released') continue;
        t.alerts++;
        const p = person(d.personId);
        if (p.alertedTick < 0) {
          t.alertedTotal++;
          tx.setEpidemicPerson(d.personId, { ...p, alertedTick: e.metadata.tick });
        }
      } else if (e.type === 'TestResultRecorded') {
        const d = e.data as EventData<'TestResultRecorded'>;
        const p = person(d.personId);
        if (d.result !== 'positive' || p.alertedTick < 0 || p.positiveAfterAlert || e.metadata.tick <= p.alertedTick) continue;
        t.alertedPositive++;
        tx.setEpidemicPerson(d.personId, { ...p, positiveAfterAlert: true });
      } else if (e.type === 'TickCompleted') {
        let active = 0;
        let longest = -1;
        for (const [hops, n] of chains) {
          active += n;
          if (hops > longest) longest = hops;
        }
        rows.push({ tick: e.metadata.tick, at: e.metadata.at, newCases: t.newCases, alerts: t.alerts, alertedTotal: t.alertedTotal, alertedPositive: t.alertedPositive, activeCases: active, longestChain: longest, position: e.position });
        t.newCases = 0;
        t.alerts = 0;
        t.startHops.clear();
      }
    }
    if (rows.length > 0) tx.putEpidemic(rows);
    tx.saveActiveChains(chains);
  },
};
