/**
 * The world's read models, as projections: `people` (current state and each person's last
 * status change), `exposures` (the contact graph with hop counts and provenance), `metrics`
 * (the epidemic curve, one row per tick) and `notifications` (the alert ledger). Each writes
 * through a small port that an adapter implements (SQLite: adapters/readmodels/sqlite.ts).
 * @module
 */
import type { DomainEvent, EventData, StoredEvent } from '../../events/index.js';
import { evolve, evolveRun } from '../evolve.js';
import { runColumn, sliceRun } from '../eventRun.js';

/** Rows (or events) handed over at a time from a run. */
const ROWS = 4096;
import type { WorldState } from '../world.js';
import { storedEvents, TickState, type Projection } from './projection.js';
import { toNotification } from '../bridge.js';
import { epidemicProjection, type EpidemicTx } from './epidemic.js';
import { historyProjection, type HistoryTx } from './history.js';
import { isIndexChange } from '../policy/tracing.js';

/** A person as the `people` read model keeps them. */
export interface PersonRow {
  personId: number;
  /** E.164 (a `+999` placeholder for ingested people without one). */
  phone: string;
  /** Id in the input data (ingested worlds only). */
  sourceId?: string;
}

/** A status change as the `people` read model keeps the last one of each person. */
export interface StatusChangeRow {
  personId: number;
  tick: number;
  /** Simulated time, ISO-8601. */
  at: string;
  from: number;
  to: number;
  reason: string;
  /** Global position of the `HealthStatusChanged` event. */
  position: number;
  /** Hops from the index case after the change (0: an index case; -1: status 0). */
  hops: number;
}

/** A test result as the `people` read model counts it. */
export interface TestRow {
  personId: number;
  result: 'positive' | 'negative' | 'revoked';
  /** The tick the result was recorded. */
  tick: number;
}

/** What the `people` projection writes through. */
export interface PeopleTx {
  /** The current state (cells, statuses, counts, last tick and recorded hash), updated in place. */
  state(): WorldState;
  addPeople(rows: readonly PersonRow[]): void;
  /** Add people `ids[i]` with phone `phones[i]` (no input ids): a world's creation, millions at once. */
  addPeopleColumns(ids: Int32Array, phones: readonly string[]): void;
  /** Record each person's latest status change (the status itself is in {@link state}); count releases (`test-negative`) and expiries (`expired`). */
  setLastChange(changes: readonly StatusChangeRow[]): void;
  /** Count each person's tests, positives and negatives, and keep the last result. */
  recordTests(tests: readonly TestRow[]): void;
  /** Mark people sent an exposure alert (the tracing state a resumed world needs). */
  markAlerted(people: readonly number[]): void;
  /** Mark people really infected: the ground truth of a simulation, kept apart from every tracing column. */
  markInfected(people: readonly number[]): void;
}

/**
 * `people`: the world's current state, folded by the simulation's own `evolve` (so it is a
 * snapshot from which a world can resume), plus phones, input ids and last status changes.
 */
export const peopleProjection: Projection<PeopleTx> = {
  name: 'people',
  version: 4,
  types: [
    'SimulationStarted',
    'WorldIngested',
    'PersonRegistered',
    'PersonMoved',
    'HealthStatusChanged',
    'NotificationIssued',
    'PolicyAdopted',
    'TestResultRecorded',
    'InfectionTransmitted',
    'CommandsApplied',
    'TickCompleted',
  ],
  evolve(tx, events) {
    const state = tx.state();
    const rows: PersonRow[] = [];
    const changes: StatusChangeRow[] = [];
    const tests: TestRow[] = [];
    const alerted: number[] = [];
    const infected: number[] = [];
    for (const e of events) {
      evolve(state, e as DomainEvent);
      if (e.type === 'NotificationIssued' && e.data.kind !== 'released') alerted.push(e.data.personId);
      else if (e.type === 'InfectionTransmitted' || (e.type === 'HealthStatusChanged' && e.data.reason === 'initial' && e.data.to === 2)) infected.push(e.data.personId);
      if (e.type === 'PersonRegistered') rows.push(e.data.sourceId === undefined ? { personId: e.data.personId, phone: e.data.phone } : { personId: e.data.personId, phone: e.data.phone, sourceId: e.data.sourceId });
      else if (e.type === 'HealthStatusChanged') {
        const d = e.data;
        changes.push({ personId: d.personId, tick: e.metadata.tick, at: e.metadata.at, from: d.from, to: d.to, reason: d.reason, position: e.position, hops: state.tracing.hops[d.personId]! });
      } else if (e.type === 'TestResultRecorded') tests.push({ personId: e.data.personId, result: e.data.result, tick: e.metadata.tick });
    }
    if (rows.length > 0) tx.addPeople(rows);
    if (changes.length > 0) tx.setLastChange(changes);
    if (tests.length > 0) tx.recordTests(tests);
    if (alerted.length > 0) tx.markAlerted(alerted);
    if (infected.length > 0) tx.markInfected(infected);
  },
  evolveRun(tx, run) {
    const ids = runColumn(run, 'personId');
    const phones = runColumn(run, 'phone');
    // moves change the cells and nothing else this read model keeps
    if (run.type === 'PersonMoved') evolveRun(tx.state(), run);
    else if (run.type === 'PersonRegistered' && run.keys.length === 4 && ids instanceof Int32Array && Array.isArray(phones)) {
      evolveRun(tx.state(), run);
      tx.addPeopleColumns(ids, phones as readonly string[]);
    } else for (let k = 0; k < run.count; k += ROWS) this.evolve(tx, storedEvents(sliceRun(run, k, Math.min(k + ROWS, run.count))));
  },
};

/** One exposure with its provenance, as the `exposures` read model keeps it. */
export interface ExposureRow {
  /** The person who went 0 -> 1, and the person of status >= 1 who exposed them. */
  exposed: number;
  source: number;
  tick: number;
  /** Simulated time, ISO-8601. */
  at: string;
  /** The exposed person's cell (metres for GPS worlds). */
  x: number;
  y: number;
  contactId: string;
  /** A retroactive exposure: the tick of the contact (earlier than `tick`, when it was decided). */
  contactTick?: number;
  /** Links from the index case: 1 when the source is an index case. */
  hops: number;
  /** The source's status at the start of the tick (1 or 2). */
  sourceStatus: number;
  /** Global positions of the `ContactDetected` and `HealthStatusChanged` events (0 when the contact is not in the log). */
  contactPosition: number;
  statusPosition: number;
}

/** A person who is a case (status >= 1) as the `exposures` projection tracks them. */
export interface CaseState {
  status: number;
  /** Hops from the index case: 0 for an index case. */
  hops: number;
}

/** What the `exposures` projection writes through. */
export interface ExposuresTx {
  /** The case state of `personId` (after the batch's earlier ticks), `undefined` for status 0. */
  caseOf(personId: number): CaseState | undefined;
  /** Set (or, with `undefined`, clear) the case state of `personId`. */
  setCase(personId: number, state: CaseState | undefined): void;
  addExposures(rows: readonly ExposureRow[]): void;
}

/**
 * `exposures`: every 0 -> 1 exposure as an edge source -> exposed, with the source's status at
 * the start of the tick and the hop count from the index case (DESIGN.md: exposure is decided
 * on the statuses at the start of the tick, so this projection reads them before applying the
 * tick's changes).
 */
export const exposuresProjection: Projection<ExposuresTx> = {
  name: 'exposures',
  version: 3,
  types: ['ContactDetected', 'HealthStatusChanged', 'TickCompleted'],
  evolve(tx, events) {
    // the tick's contacts and changes, settled at its end (a tick may come in several calls)
    const tick = exposureTicks.of(tx);
    for (const e of events) {
      if (e.type === 'ContactDetected') tick.contacts.set(e.data.contactId, e.position);
      else if (e.type === 'HealthStatusChanged') {
        // an exposure waits for the tick's end; any other change is kept as the case state it leaves (a world's creation: millions)
        const change = e as StoredEvent<'HealthStatusChanged'>;
        if (change.data.reason === 'contact') tick.changes.push(change);
        else {
          const after = caseAfter(tx, change.data);
          tick.changes.push(after);
          // a case revoked in this tick exposes in it as what the revocation leaves (policy/decide.ts)
          if (change.data.reason === 'test-revoked') tick.revoked.set(after[0], after[1]);
        }
      }
      else if (e.type === 'TickCompleted') {
        settle(tx, tick.changes, tick.contacts, tick.revoked);
        tick.contacts = new Map();
        tick.changes = [];
        tick.revoked = new Map();
      }
    }
  },
};

const exposureTicks = new TickState(() => ({ contacts: new Map<string, number>(), changes: [] as TickChange[], revoked: new Map<number, CaseState | undefined>() }));

/** A change of the tick in progress: an exposure (settled at the tick's end, when its contact is known), or the case state another change leaves. */
type TickChange = StoredEvent<'HealthStatusChanged'> | readonly [number, CaseState | undefined];

/**
 * The case state a change other than an exposure leaves: an index case (initial, a positive
 * test) starts a chain; a revoked positive back to 1 takes the hops of its standing route (the
 * event's; 0 in logs written before the event carried them, as `evolve` counts them there); a
 * status kept by another reason keeps its hops. Read when the change is read: the case states
 * change only at the tick's end, so this is the tick's start.
 */
function caseAfter(tx: ExposuresTx, d: EventData<'HealthStatusChanged'>): readonly [number, CaseState | undefined] {
  if (d.to === 0) return [d.personId, undefined];
  const hops = isIndexChange(d) ? 0 : d.reason === 'test-revoked' ? (d.hops ?? 0) : (tx.caseOf(d.personId)?.hops ?? 0);
  return [d.personId, { status: d.to, hops }];
}

/**
 * One tick's status changes: exposures read the case states as they were at the tick's start,
 * but a source whose positive was revoked in the tick (`revoked`) as the revocation left it.
 */
function settle(tx: ExposuresTx, changes: readonly TickChange[], contacts: Map<string, number>, revoked: ReadonlyMap<number, CaseState | undefined>): void {
  if (changes.length === 0) return;
  const rows: ExposureRow[] = [];
  const next: (readonly [number, CaseState | undefined])[] = [];
  for (const e of changes) {
    if (Array.isArray(e)) {
      next.push(e as readonly [number, CaseState | undefined]);
      continue;
    }
    const change = e as StoredEvent<'HealthStatusChanged'>;
    const d = change.data;
    // a retroactive exposure comes from a case confirmed in this very tick: an index case
    const source = d.contactTick !== undefined ? { status: 2, hops: 0 } : revoked.has(d.sourcePersonId!) ? revoked.get(d.sourcePersonId!) : tx.caseOf(d.sourcePersonId!);
    const hops = (source?.hops ?? 0) + 1;
    rows.push({
      exposed: d.personId,
      source: d.sourcePersonId!,
      tick: change.metadata.tick,
      at: change.metadata.at,
      x: d.x!,
      y: d.y!,
      contactId: d.contactId!,
      ...(d.contactTick !== undefined ? { contactTick: d.contactTick } : {}),
      hops,
      sourceStatus: source?.status ?? 0,
      contactPosition: contacts.get(d.contactId!) ?? 0,
      statusPosition: change.position,
    });
    next.push([d.personId, d.to >= 1 ? { status: d.to, hops } : undefined]);
  }
  if (rows.length > 0) tx.addExposures(rows);
  for (const [person, state] of next) tx.setCase(person, state);
}

/** One tick of the epidemic curve, as the `metrics` read model keeps it. */
export interface MetricsRow {
  tick: number;
  /** Simulated time, ISO-8601. */
  at: string;
  healthy: number;
  suspicious: number;
  infected: number;
  contacts: number;
  exposures: number;
  notifications: number;
  /** Test results recorded in the tick, positives and negatives among them. */
  tests: number;
  positives: number;
  negatives: number;
  /** Released alerts (negative tests and expiries), and expiries alone. */
  releases: number;
  expiries: number;
  /** Global position of the tick's `TickCompleted`. */
  position: number;
}

/** What the `metrics` projection writes through. */
export interface MetricsTx {
  putMetrics(rows: readonly MetricsRow[]): void;
}

/**
 * `metrics`: per tick, people per status, contacts, new exposures, alerts, tests and releases
 * (from each `TickCompleted` and the tick's alerts, test results and expiries).
 */
export const metricsProjection: Projection<MetricsTx> = {
  name: 'metrics',
  version: 2,
  types: ['NotificationIssued', 'TestResultRecorded', 'HealthStatusChanged', 'TickCompleted'],
  evolve(tx, events) {
    const rows: MetricsRow[] = [];
    // the tick's counts (a tick may come in several calls)
    const c = metricTicks.of(tx);
    for (const e of events) {
      if (e.type === 'NotificationIssued') {
        c.notifications++;
        if (e.data.kind === 'released') c.releases++;
      } else if (e.type === 'TestResultRecorded') {
        c.tests++;
        if (e.data.result === 'positive') c.positives++;
        else if (e.data.result === 'negative') c.negatives++;
      } else if (e.type === 'HealthStatusChanged') {
        if (e.data.reason === 'expired') c.expiries++;
      } else if (e.type === 'TickCompleted') {
        const d = e.data as EventData<'TickCompleted'>;
        rows.push({ tick: d.tick, at: e.metadata.at, healthy: d.healthy, suspicious: d.suspicious, infected: d.infected, contacts: d.contacts, exposures: d.exposures, ...c, position: e.position });
        Object.assign(c, ZERO_COUNTS);
      }
    }
    tx.putMetrics(rows);
  },
};

const ZERO_COUNTS = { notifications: 0, tests: 0, positives: 0, negatives: 0, releases: 0, expiries: 0 };
const metricTicks = new TickState(() => ({ ...ZERO_COUNTS }));

/** One alert in the ledger (the tracer's view: internal id, person, tick). */
export interface NotificationRow {
  /** Internal id, `n-<tick>-<personId>` or `r-<tick>-<personId>` (the bus carries an opaque one, core/alertId.ts). */
  notificationId: string;
  /** `exposure` (get tested) or `released` (the `AlertKind` of core/ports.ts). */
  kind: NonNullable<EventData<'NotificationIssued'>['kind']>;
  personId: number;
  phone: string;
  tick: number;
  /** Simulated time, ISO-8601. */
  at: string;
  /** A retroactive exposure: the tick of the contact. */
  contactTick?: number;
  /** Global position of the `NotificationIssued` event. */
  position: number;
}

/** What the `notifications` projection writes through. */
export interface NotificationsTx {
  addNotifications(rows: readonly NotificationRow[]): void;
}

/**
 * `notifications`: the ledger of every alert issued, with its kind; the bridge marks when each
 * was published. Version 2 added the kind and the contact tick (stores of version 1 rebuild).
 */
export const notificationsProjection: Projection<NotificationsTx> = {
  name: 'notifications',
  version: 2,
  types: ['NotificationIssued', 'TickCompleted'],
  evolve(tx, events) {
    const rows: NotificationRow[] = [];
    for (const e of events) {
      if (e.type !== 'NotificationIssued') continue;
      rows.push({ ...toNotification(e), position: e.position });
    }
    if (rows.length > 0) tx.addNotifications(rows);
  },
};

/** Everything the world's read models write through: one transaction of a read-model store. */
export type WorldReadModelTx = PeopleTx & ExposuresTx & MetricsTx & NotificationsTx & HistoryTx & EpidemicTx;

/** The world's read models, in the order they are applied. */
export const worldReadModels: readonly Projection<WorldReadModelTx>[] = [
  peopleProjection,
  exposuresProjection,
  metricsProjection,
  notificationsProjection,
  historyProjection as Projection<WorldReadModelTx>,
  epidemicProjection as Projection<WorldReadModelTx>,
];
