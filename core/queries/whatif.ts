/**
 * What-if on recorded history: the world's recorded moves (or contacts, for contact-list worlds)
 * and reported test results are decided again, tick by tick, under another policy, beside the
 * recorded decisions, without writing anything. The ground truth is the recorded one (it never
 * depends on tracing); simulated tests are drawn again under the other policy from the same seeded
 * streams, so the world's own policy gives back exactly the recorded history.
 * @module
 */
import type { DomainEvent, EventData, Policy, StoredEvent } from '../../events/index.js';
import { evolve, evolveRun } from '../evolve.js';
import { tickTime } from '../params.js';
import { decideTracing, personByPhone, type InboxCommand, type TickContact } from '../policy/decide.js';
import { adoptPolicy } from '../policy/tracing.js';
import { storedEvents, type Projection } from '../projections/projection.js';
import { initialState, type WorldState } from '../world.js';

/** One tick of the epidemic curve on both sides: people per status, and exposure alerts sent in the tick. */
export interface WhatIfTick {
  tick: number;
  recorded: { healthy: number; suspicious: number; infected: number; alerts: number };
  whatif: { healthy: number; suspicious: number; infected: number; alerts: number };
}

/** A person alerted on one side and not on the other, with the tick of their first alert there. */
export interface AlertChange {
  personId: number;
  phone: string;
  tick: number;
}

/** Precision and recall of one side's alerts against the ground truth. */
export interface TruthScore {
  /** Share of alerted people who were really infected by the end, 0..1. */
  precision: number;
  /**
   * Share of the people who could be alerted and were really infected by the end
   * ({@link TruthCounts.alertable}) who were alerted, 0..1.
   */
  recall: number;
}

/**
 * Who the ground truth counts. An exposure alert is a 0 -> 1 change, so recall counts only the
 * people who started the run healthy (status 0 at tick 0) and were really infected during it: the
 * same people under every policy (the initial statuses are recorded, never decided again).
 * The world's initial cases are left out: those infected from the start (index cases, never
 * alerted under any policy) and those suspicious from the start who were infected later (already
 * asked to test; a policy may release and alert them, which precision counts, but recall does not).
 */
export interface TruthCounts {
  /** Really infected by the end, everyone. */
  reallyInfected: number;
  /** Of them, infected from the start (initial status 2). */
  infectedAtStart: number;
  /** Of them, suspicious from the start (initial status 1) and infected during the run. */
  suspiciousAtStart: number;
  /** Of them, healthy at the start and infected during the run: the recall's denominator. */
  alertable: number;
}

/** The answer of a what-if run. */
export interface WhatIfResult {
  /** Names of the recorded policy (`a -> b (tick t)` when the world changed it) and of the other one. */
  policies: { recorded: string; whatif: string };
  /** The last tick decided again. */
  lastTick: number;
  /** Exposure alerts sent, released alerts sent, and people alerted at least once, on each side. */
  alerts: { recorded: number; whatif: number };
  releases: { recorded: number; whatif: number };
  alerted: { recorded: number; whatif: number };
  /** People alerted only under the other policy, and only in the recorded history, by tick then person. */
  gained: AlertChange[];
  lost: AlertChange[];
  curve: WhatIfTick[];
  /**
   * Reported test results the recorded world took and the other policy refuses (a person never
   * alerted, under a policy that requires an alert before a test), by tick: they change nothing
   * on its side; with the person (`personId`, `phone`) each was reported for.
   */
  refused: Refusal[];
  /**
   * Revocations of a positive result reported in the recorded world, by tick: a what-if run does
   * not decide them again, so the positive result they withdrew stands on its side.
   */
  revocationsKept: ReportedResult[];
  /** Against the recorded ground truth, when the world has one (an `InfectionTransmitted` event). */
  truth?: TruthCounts & { recorded: TruthScore; whatif: TruthScore };
}

/** The state of a what-if run, folded by {@link whatIfProjection}. */
export interface WhatIfState {
  /** The world as the other policy decides it. */
  shadow: WorldState;
  policy: Policy;
  recordedPolicy: string;
  /** The tick being read: its contacts and reported results wait for its `TickCompleted`. */
  contacts: TickContact[];
  commands: InboxCommand[];
  /** The tick's recorded contacts and ground-truth infections, applied once the tick is decided again. */
  contactEvents: StoredEvent[];
  infections: StoredEvent[];
  changed: Uint8Array;
  recordedFirst: Map<number, number>;
  whatifFirst: Map<number, number>;
  counts: { recordedAlerts: number; whatifAlerts: number; recordedReleases: number; whatifReleases: number; tickRecordedAlerts: number };
  truthSeen: boolean;
  /** Each person's initial status (their `initial` status change; 0 without one), sized at the first. */
  initialStatus: Uint8Array;
  curve: WhatIfTick[];
  refused: Refusal[];
  revocationsKept: ReportedResult[];
}

/** A reported test result: the tick it was recorded at and the person it was reported for. */
export interface ReportedResult {
  tick: number;
  personId: number;
  phone: string;
}

/** A reported test result the other policy refuses, and why. */
export interface Refusal extends ReportedResult {
  reason: string;
}

/** A fresh what-if state for `policy`. */
export function whatIfState(policy: Policy): WhatIfState {
  return {
    shadow: initialState(),
    policy: { ...policy, transmission: { probability: 0 } },
    recordedPolicy: 'seed',
    contacts: [],
    commands: [],
    contactEvents: [],
    infections: [],
    changed: new Uint8Array(0),
    recordedFirst: new Map(),
    whatifFirst: new Map(),
    counts: { recordedAlerts: 0, whatifAlerts: 0, recordedReleases: 0, whatifReleases: 0, tickRecordedAlerts: 0 },
    truthSeen: false,
    initialStatus: new Uint8Array(0),
    curve: [],
    refused: [],
    revocationsKept: [],
  };
}


/**
 * The what-if run as a projection (run it through the projection runner, in memory): the
 * recorded world's own decisions are tallied, and its inputs (moves, contacts, reported test
 * results, the ground truth) are decided again on a shadow world under the other policy.
 */
export const whatIfProjection: Projection<WhatIfState> = {
  name: 'whatif',
  version: 1,
  types: 'all', // nearly every type: one ordered scan of the log beats a type-filtered read
  evolve(s, events) {
    for (const e of events) apply(s, e);
  },
  evolveRun(s, run) {
    // moves and registrations only change the shadow world's cells, phones and counts
    if (run.type === 'PersonMoved' || run.type === 'PersonRegistered') evolveRun(s.shadow, run);
    else for (const e of storedEvents(run)) apply(s, e);
  },
};

function apply(s: WhatIfState, e: StoredEvent): void {
  const shadow = s.shadow;
  switch (e.type) {
    case 'SimulationStarted':
    case 'WorldIngested':
    case 'PersonRegistered':
    case 'PersonMoved':
      evolve(shadow, e);
      return;
    case 'HealthStatusChanged':
      if (e.data.reason === 'initial') {
        evolve(shadow, e); // the rest is decided again
        if (s.initialStatus.length !== shadow.status.length) s.initialStatus = new Uint8Array(shadow.status.length);
        s.initialStatus[e.data.personId] = e.data.to;
      }
      return;
    case 'PolicyAdopted':
      // a world that changed its policy is named by each, with the tick it took over
      s.recordedPolicy = e.metadata.tick === 0 ? e.data.policy.name : `${s.recordedPolicy} -> ${e.data.policy.name} (tick ${e.metadata.tick + 1})`;
      return;
    case 'ContactDetected':
      s.contacts.push({ contactId: e.data.contactId, a: e.data.a, b: e.data.b, distance: e.data.distance });
      s.contactEvents.push(e);
      return;
    case 'TestResultRecorded':
      // a revocation is not decided again (the shadow keeps the positive result): said apart, never as refused by the policy
      if (e.data.source === 'reported' && e.data.result === 'revoked') s.revocationsKept.push({ tick: e.metadata.tick, personId: e.data.personId, phone: shadow.phones[e.data.personId]! });
      else if (e.data.source === 'reported') {
        const params = (shadow.params ?? shadow.ingest)!;
        s.commands.push({ revision: e.data.inboxRevision ?? 0, type: 'TestResultReported', data: { phone: shadow.phones[e.data.personId]!, result: e.data.result, sampledAt: tickTime(params, e.data.sampledTick) } });
      }
      return;
    case 'InfectionTransmitted':
      // the ground truth is a fact of the world, the same under every policy; the tick's own decisions read it as it was at the tick's start
      s.truthSeen = true;
      s.infections.push(e);
      return;
    case 'NotificationIssued': {
      const d = e.data as EventData<'NotificationIssued'>;
      if (d.kind === 'released') s.counts.recordedReleases++;
      else {
        s.counts.recordedAlerts++;
        s.counts.tickRecordedAlerts++;
        if (!s.recordedFirst.has(d.personId)) s.recordedFirst.set(d.personId, e.metadata.tick);
      }
      return;
    }
    case 'TickCompleted':
      settle(s, e as StoredEvent<'TickCompleted'>);
      return;
  }
}

/** The end of a recorded tick: decide it again under the other policy, then tally both sides. */
function settle(s: WhatIfState, done: StoredEvent<'TickCompleted'>): void {
  const shadow = s.shadow;
  const tick = done.data.tick;
  let whatifAlerts = 0;
  if (tick === 0) {
    adoptPolicy(shadow.tracing, s.policy, (shadow.params ?? shadow.ingest)!.tickMs);
    s.changed = new Uint8Array(shadow.xs.length);
  } else {
    const params = (shadow.params ?? shadow.ingest)!;
    const metadata = { tick, at: done.metadata.at, schemaVersion: done.metadata.schemaVersion, correlationId: `tick-${tick}` };
    const decision = decideTracing(shadow, {
      tick,
      metadata,
      contacts: s.contacts,
      commands: s.commands,
      x: (p) => shadow.xs[p]!,
      y: (p) => shadow.ys[p]!,
      changed: s.changed,
      seed: shadow.params?.seed ?? 0,
      start: params.start,
      tickMs: params.tickMs,
    });
    for (const e of s.contactEvents) evolve(shadow, e);
    for (const d of decision.events) {
      if (d.type === 'CommandsApplied') {
        // the shadow has no inbox of its own; what it refuses is said, not dropped silently
        for (const r of refusals(shadow, s.commands, (d.data as EventData<'CommandsApplied'>).rejected)) s.refused.push({ tick, ...r });
        continue;
      }
      evolve(shadow, d as DomainEvent);
      if (d.type === 'NotificationIssued') {
        if (d.data.kind === 'released') s.counts.whatifReleases++;
        else {
          whatifAlerts++;
          if (!s.whatifFirst.has(d.data.personId)) s.whatifFirst.set(d.data.personId, tick);
        }
      }
    }
  }
  for (const e of s.infections) evolve(shadow, e);
  evolve(shadow, done);
  s.counts.whatifAlerts += whatifAlerts;
  const [h, su, i] = shadow.counts;
  s.curve.push({
    tick,
    recorded: { healthy: done.data.healthy, suspicious: done.data.suspicious, infected: done.data.infected, alerts: s.counts.tickRecordedAlerts },
    whatif: { healthy: h, suspicious: su, infected: i, alerts: whatifAlerts },
  });
  s.contacts = [];
  s.commands = [];
  s.contactEvents = [];
  s.infections = [];
  s.counts.tickRecordedAlerts = 0;
}

/**
 * The person and reason of each rejected command of a tick. `rejected` follows the order of
 * `commands`, so each is matched to the next command with its revision (an old log's reported
 * results without an inbox revision all share revision 0).
 */
function refusals(shadow: WorldState, commands: InboxCommand[], rejected: { revision: number; reason: string }[]): Omit<Refusal, 'tick'>[] {
  let i = 0;
  return rejected.map(({ revision, reason }) => {
    while (i < commands.length && commands[i]!.revision !== revision) i++;
    // the shadow's commands are built from its own people's phones: the person is always found
    const phone = (commands[i++]!.data as EventData<'TestResultReported'>).phone;
    return { personId: personByPhone(shadow, phone)!, phone, reason };
  });
}

/** The answer of a finished what-if run. */
export function whatIfResult(s: WhatIfState): WhatIfResult {
  const phone = (p: number) => s.shadow.phones[p] ?? '?';
  const only = (a: Map<number, number>, b: Map<number, number>): AlertChange[] =>
    [...a]
      .filter(([p]) => !b.has(p))
      .map(([personId, tick]) => ({ personId, phone: phone(personId), tick }))
      .sort((x, y) => x.tick - y.tick || x.personId - y.personId);
  const result: WhatIfResult = {
    policies: { recorded: s.recordedPolicy, whatif: s.policy.name },
    lastTick: s.shadow.tick,
    alerts: { recorded: s.counts.recordedAlerts, whatif: s.counts.whatifAlerts },
    releases: { recorded: s.counts.recordedReleases, whatif: s.counts.whatifReleases },
    alerted: { recorded: s.recordedFirst.size, whatif: s.whatifFirst.size },
    gained: only(s.whatifFirst, s.recordedFirst),
    lost: only(s.recordedFirst, s.whatifFirst),
    curve: s.curve,
    refused: s.refused,
    revocationsKept: s.revocationsKept,
  };
  if (s.truthSeen) {
    const truth = s.shadow.tracing.truth;
    const initial = (p: number) => s.initialStatus[p] ?? 0;
    const counts: TruthCounts = { reallyInfected: 0, infectedAtStart: 0, suspiciousAtStart: 0, alertable: 0 };
    for (let p = 0; p < truth.length; p++) {
      if (!truth[p]) continue;
      counts.reallyInfected++;
      if (initial(p) === 2) counts.infectedAtStart++;
      else if (initial(p) === 1) counts.suspiciousAtStart++;
      else counts.alertable++;
    }
    const score = (alerted: Map<number, number>): TruthScore => {
      let hit = 0;
      let caught = 0;
      for (const p of alerted.keys()) {
        hit += truth[p]!;
        if (truth[p] && initial(p) === 0) caught++;
      }
      return { precision: alerted.size ? hit / alerted.size : 0, recall: counts.alertable ? caught / counts.alertable : 0 };
    };
    result.truth = { ...counts, recorded: score(s.recordedFirst), whatif: score(s.whatifFirst) };
  }
  return result;
}
