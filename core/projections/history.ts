/**
 * The `history` read model: every status change of every person with its valid tick (when it
 * happened: the contact's tick for a retroactive exposure) and its recorded tick (when the
 * system decided it), every test result and every policy adoption, each with the global
 * position of the event that proves it. `people` keeps only each person's last change; time
 * travel (`--at-tick`, `--as-known-at-tick`) and `explain` read this one.
 * @module
 */
import type { EventData, StoredEvent } from '../../events/index.js';
import { TickState, type Projection } from './projection.js';

/** One status change, as the `history` read model keeps it. */
export interface StatusHistoryRow {
  personId: number;
  /** Recorded tick: the tick whose decision wrote the change. */
  tick: number;
  /** Valid tick: when it took effect; the contact's tick for a retroactive exposure, else {@link tick}. */
  validTick: number;
  /** Simulated time of the recorded tick, ISO-8601. */
  at: string;
  from: number;
  to: number;
  reason: string;
  /** For `contact`: the source person and the contact. */
  sourcePersonId?: number;
  contactId?: string;
  /** Global position of the `HealthStatusChanged` event. */
  position: number;
  /** The alert this change sent (`n-...` exposure, `r-...` release) and the position of its `NotificationIssued`, if any. */
  notificationId?: string;
  notificationPosition?: number;
}

/** One test result, as the `history` read model keeps it. */
export interface TestHistoryRow {
  personId: number;
  /** Recorded tick, and the tick the sample was taken. */
  tick: number;
  sampledTick: number;
  result: 'positive' | 'negative' | 'revoked';
  source: 'simulated' | 'reported';
  /** Global position of the `TestResultRecorded` event. */
  position: number;
}

/** One policy adoption: it governs the ticks after `tick`. */
export interface PolicyHistoryRow {
  tick: number;
  name: string;
  /** `preset:<name>`, `file:<name>` or `inbox:<revision>`. */
  source: string;
  /** The policy's contact rule: minimum cumulative minutes within a window of minutes, largest distance (`null`: any detected contact). */
  minMinutes: number;
  windowMinutes: number;
  radius: number | null;
  /** Global position of the `PolicyAdopted` event. */
  position: number;
}

/** The tick in progress: its changes that may still get their alert, by person. */
const historyTicks = new TickState(() => ({ held: [] as StatusHistoryRow[], pending: new Map<number, StatusHistoryRow>() }));

/** What the `history` projection writes through. */
export interface HistoryTx {
  addStatusHistory(rows: readonly StatusHistoryRow[]): void;
  addTestHistory(rows: readonly TestHistoryRow[]): void;
  addPolicyHistory(rows: readonly PolicyHistoryRow[]): void;
}

/**
 * `history`: every status change (valid and recorded tick, reason, source, alert), test result and
 * policy adoption with its event's global position. Append-only: rows never change once written.
 */
export const historyProjection: Projection<HistoryTx> = {
  name: 'history',
  version: 1,
  types: ['HealthStatusChanged', 'NotificationIssued', 'TestResultRecorded', 'PolicyAdopted', 'TickCompleted'],
  evolve(tx, events) {
    const changes: StatusHistoryRow[] = [];
    const tests: TestHistoryRow[] = [];
    const policies: PolicyHistoryRow[] = [];
    // the tick's changes that may still get their alert (it follows them in the same tick, which
    // may come in several calls): written at the tick's end; an initial status sends none
    const tick = historyTicks.of(tx);
    for (const e of events) {
      if (e.type === 'HealthStatusChanged') {
        const d = (e as StoredEvent<'HealthStatusChanged'>).data;
        const row: StatusHistoryRow = {
          personId: d.personId,
          tick: e.metadata.tick,
          validTick: d.contactTick ?? e.metadata.tick,
          at: e.metadata.at,
          from: d.from,
          to: d.to,
          reason: d.reason,
          ...(d.sourcePersonId !== undefined ? { sourcePersonId: d.sourcePersonId } : {}),
          ...(d.contactId !== undefined ? { contactId: d.contactId } : {}),
          position: e.position,
        };
        if (d.reason === 'initial') changes.push(row);
        else {
          tick.held.push(row);
          tick.pending.set(d.personId, row);
        }
      } else if (e.type === 'NotificationIssued') {
        const d = e.data as EventData<'NotificationIssued'>;
        const row = tick.pending.get(d.personId);
        if (row && row.notificationId === undefined) Object.assign(row, { notificationId: d.notificationId, notificationPosition: e.position });
      } else if (e.type === 'TestResultRecorded') {
        const d = e.data as EventData<'TestResultRecorded'>;
        tests.push({ personId: d.personId, tick: e.metadata.tick, sampledTick: d.sampledTick, result: d.result, source: d.source, position: e.position });
      } else if (e.type === 'PolicyAdopted') {
        const { policy, source } = e.data as EventData<'PolicyAdopted'>;
        policies.push({ tick: e.metadata.tick, name: policy.name ?? source, source, minMinutes: policy.contact.minMinutes, windowMinutes: policy.contact.windowMinutes, radius: policy.contact.radius, position: e.position });
      } else if (e.type === 'TickCompleted') {
        for (const row of tick.held) changes.push(row);
        tick.held = [];
        tick.pending = new Map();
      }
    }
    if (changes.length > 0) tx.addStatusHistory(changes);
    if (tests.length > 0) tx.addTestHistory(tests);
    if (policies.length > 0) tx.addPolicyHistory(policies);
  },
};
