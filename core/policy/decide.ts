/**
 * The tracing half of a tick's decision: from the state at the START of the tick, the tick's
 * contacts and the inbox commands that arrived since the last tick, the status changes, alerts,
 * test results and (apart) ground-truth infections of the tick, under the world's policy
 * (DESIGN.md, "Policy"). The seed policy decides exactly the seed's exposures, in the same order.
 * @module
 */
import type { DomainEvent, EventMetadata, RawEvent } from '../../events/index.js';
import { EventData, decode } from '../../events/index.js';
import { policyRandom, uniformUnit, type RandomGenerator } from '../random.js';
import type { WorldState } from '../world.js';
import { exposureRules } from './rules.js';
import type { Retraction } from './retraction.js';

/** One contact of a tick, as the decision reads it. */
export interface TickContact {
  contactId: string;
  a: number;
  b: number;
  /** Distance in the world's units (cells; metres for GPS worlds); 0 when not known. */
  distance?: number;
}

/** An inbox entry: a command event and its revision in the inbox stream. */
export interface InboxCommand {
  revision: number;
  type: 'TestResultReported' | 'PolicyChangeRequested';
  data: EventData<'TestResultReported'> | EventData<'PolicyChangeRequested'>;
  /**
   * For a revoked result: what the revocation undoes, worked out by the tick's writer from the log
   * before the tick (see policy/retraction.ts); without it a revocation is refused.
   */
  retraction?: Retraction;
}

/** What a tick's tracing decision needs beyond the state. */
export interface TracingInput {
  tick: number;
  /** Metadata of the tick's events. */
  metadata: EventMetadata;
  contacts: readonly TickContact[];
  /** Inbox entries to apply, in revision order (from `state.tracing.inboxNext` on). */
  commands?: readonly InboxCommand[];
  /** Every person's cell after the tick's moves. */
  x(personId: number): number;
  y(personId: number): number;
  /** Scratch of at least `people` bytes (cleared here). */
  changed: Uint8Array;
  /** Seed of the policy's draws (the world's seed; 0 for ingested worlds). */
  seed: number;
  /** Simulated time of tick 0 and the tick length, to place a test's `sampledAt` (ISO-8601) in a tick. */
  start: string;
  tickMs: number;
}

/** A tick's tracing decision: its events in order, and counts. */
export interface TracingDecision {
  events: DomainEvent[];
  /** 0 -> 1 exposures (live and retroactive). */
  exposures: number;
  tests: number;
  positives: number;
  /** Released alerts (negative tests and expiries). */
  releases: number;
}

/** The inbox entries of `raw` (events read from the inbox stream), decoded. @throws EventDecodeError */
export function inboxCommands(raw: readonly RawEvent[]): InboxCommand[] {
  return raw.map((r) => {
    const e = decode(r);
    if (e.type !== 'TestResultReported' && e.type !== 'PolicyChangeRequested') throw new Error(`inbox entry ${r.revision} is a ${e.type}, not a command`);
    return { revision: r.revision, type: e.type, data: e.data } as InboxCommand;
  });
}

/**
 * Decide the tracing events of `input.tick` on `state` as it was at the start of the tick (it is
 * not changed). Order: `CommandsApplied` and the reported results, simulated test results,
 * expiries, ground truth, live exposures (the seed's rule, filtered by the policy), retroactive
 * exposures of the tick's new cases. A person changes status at most once a tick; two sources
 * in one tick expose once. A `PolicyAdopted` written here governs from the next tick.
 */
export function decideTracing(state: WorldState, input: TracingInput): TracingDecision {
  const t = state.tracing;
  const { policy, ticks } = t;
  const { tick, metadata, contacts, changed } = input;
  const status = state.status;
  const n = status.length;
  const events: DomainEvent[] = [];
  const out: TracingDecision = { events, exposures: 0, tests: 0, positives: 0, releases: 0 };
  changed.fill(0, 0, n);
  const newCases: { person: number; sampledTick: number }[] = [];
  let testRng: RandomGenerator | undefined;
  let truthRng: RandomGenerator | undefined;
  const draw = () => uniformUnit((testRng ??= policyRandom(input.seed, tick, 'testing')));
  const drawTruth = () => uniformUnit((truthRng ??= policyRandom(input.seed, tick, 'truth')));

  const release = (p: number, reason: 'test-negative' | 'expired') => {
    changed[p] = 1;
    out.releases++;
    events.push(
      { type: 'HealthStatusChanged', data: { personId: p, from: 1, to: 0, reason }, metadata },
      { type: 'NotificationIssued', data: { notificationId: `r-${tick}-${p}`, personId: p, phone: state.phones[p]!, kind: 'released' }, metadata },
    );
  };
  // people a revocation of this tick changed, and the hops they expose at from now on (-1: they do not expose): the
  // statuses at the start of the tick would let the withdrawn case, and those exposed only through it, expose again
  const revoked = new Map<number, number>();
  // a revoked positive: compensating events, never an edit of the log
  const revoke = (p: number, r: Retraction) => {
    if (changed[p] || status[p] !== 2) return;
    changed[p] = 1;
    revoked.set(p, r.revokedTo === 1 ? Math.max(0, r.hops ?? 0) : -1);
    // hops 0 (suspicious from the start) is the revoked positive's own: the event carries none, `evolve` keeps it
    const hops = r.revokedTo === 1 && r.hops !== undefined && r.hops > 0 ? { hops: r.hops } : {};
    events.push({ type: 'HealthStatusChanged', data: { personId: p, from: 2, to: r.revokedTo, reason: 'test-revoked', ...hops }, metadata });
    if (r.revokedTo === 0) {
      out.releases++;
      events.push({ type: 'NotificationIssued', data: { notificationId: `r-${tick}-${p}`, personId: p, phone: state.phones[p]!, kind: 'released' }, metadata });
    }
    for (const q of r.released) {
      if (changed[q] || status[q] !== 1) continue;
      changed[q] = 1;
      revoked.set(q, -1);
      out.releases++;
      events.push(
        { type: 'HealthStatusChanged', data: { personId: q, from: 1, to: 0, reason: 'retracted' }, metadata: { ...metadata, causationId: `revoked-${p}` } },
        { type: 'NotificationIssued', data: { notificationId: `r-${tick}-${q}`, personId: q, phone: state.phones[q]!, kind: 'released' }, metadata: { ...metadata, causationId: `revoked-${p}` } },
      );
    }
  };
  const result = (p: number, positive: boolean, sampledTick: number) => {
    out.tests++;
    if (positive) out.positives++;
    if (changed[p]) return;
    const s = status[p]!;
    if (positive && s !== 2) {
      changed[p] = 1;
      events.push({ type: 'HealthStatusChanged', data: { personId: p, from: s as 0 | 1, to: 2, reason: 'test-positive' }, metadata });
      newCases.push({ person: p, sampledTick });
    } else if (!positive && s === 1) release(p, 'test-negative');
  };

  // 1. commands from the inbox
  const commands = input.commands ?? [];
  if (commands.length > 0) {
    const rejected: { revision: number; reason: string }[] = [];
    const applied: (() => void)[] = [];
    // positive results of a person infected at the tick's start, and revocations, seen so far in this tick; people whose case a revocation undid
    const tickPositives = new Map<number, number>();
    const tickRevocations = new Map<number, number>();
    const undone = new Set<number>();
    for (const c of commands) {
      if (c.type === 'PolicyChangeRequested') {
        const d = c.data as EventData<'PolicyChangeRequested'>;
        applied.push(() => events.push({ type: 'PolicyAdopted', data: { policy: d.policy, source: `inbox:${c.revision}` }, metadata }));
        continue;
      }
      const d = c.data as EventData<'TestResultReported'>;
      const p = personByPhone(state, d.phone);
      if (p === undefined) rejected.push({ revision: c.revision, reason: `no person has phone ${d.phone}` });
      else if (policy.testing.requireAlert && !t.alerted[p]) rejected.push({ revision: c.revision, reason: `${d.phone} was never alerted and the policy requires an alert before a test` });
      else if (d.result === 'revoked') {
        const r = c.retraction;
        // a revocation withdraws one positive result (policy/retraction.ts, standingPositives): the case is undone with the last
        const left = r ? r.standing + (tickPositives.get(p) ?? 0) - (tickRevocations.get(p) ?? 0) : 0;
        if (!r) rejected.push({ revision: c.revision, reason: `${d.phone} has no positive result to revoke` });
        else if (undone.has(p) || left <= 0) rejected.push({ revision: c.revision, reason: `${d.phone} has no positive result left to revoke in this tick` });
        else {
          tickRevocations.set(p, (tickRevocations.get(p) ?? 0) + 1);
          if (left === 1) undone.add(p);
          applied.push(() => {
            events.push({ type: 'TestResultRecorded', data: { personId: p, result: 'revoked', sampledTick: tick, source: 'reported', inboxRevision: c.revision }, metadata });
            // another positive result stands: the person stays infected, nothing else changes
            if (left === 1) revoke(p, r);
          });
        }
      } else {
        if (d.result === 'positive' && status[p] === 2 && !undone.has(p)) tickPositives.set(p, (tickPositives.get(p) ?? 0) + 1);
        // tick t is the time (start + (t-1) * tickMs, start + t * tickMs]: a sample inside it is in t, not t - 1
        const sampledTick = d.sampledAt === undefined ? tick : Math.min(tick, Math.max(0, Math.ceil((Date.parse(d.sampledAt) - Date.parse(input.start)) / input.tickMs)));
        applied.push(() => {
          events.push({ type: 'TestResultRecorded', data: { personId: p, result: d.result, sampledTick, source: 'reported', inboxRevision: c.revision }, metadata });
          result(p, d.result === 'positive', sampledTick);
        });
      }
    }
    events.push({ type: 'CommandsApplied', data: { from: commands[0]!.revision, to: commands[commands.length - 1]!.revision, rejected }, metadata });
    for (const apply of applied) apply();
  }

  // 2. simulated tests of alerted people, `testDelayTicks` after their alert
  const testing = policy.testing;
  if (testing.share > 0)
    for (let p = 0; p < n; p++) {
      if (status[p] !== 1 || !t.alerted[p] || changed[p] || t.since[p]! + ticks.testDelayTicks !== tick) continue;
      if (draw() >= testing.share) continue;
      const positive = t.truth[p] ? draw() < testing.sensitivity : draw() >= testing.specificity;
      events.push({ type: 'TestResultRecorded', data: { personId: p, result: positive ? 'positive' : 'negative', sampledTick: tick, source: 'simulated' }, metadata });
      result(p, positive, tick);
    }

  // 3. "suspicious" ends without a positive result
  if (ticks.suspicionTicks !== null) {
    const limit = ticks.suspicionTicks;
    for (let p = 0; p < n; p++) if (status[p] === 1 && !changed[p] && tick - t.since[p]! >= limit) release(p, 'expired');
  }

  // 4. the ground truth: transmission to really uninfected contacts (never read by tracing)
  const probability = policy.transmission.probability;
  if (probability > 0) {
    const infectedNow = new Set<number>();
    for (const { contactId, a, b } of contacts) {
      const ta = t.truth[a]!;
      const tb = t.truth[b]!;
      if (ta === tb) continue;
      const [target, source] = ta ? [b, a] : [a, b];
      if (infectedNow.has(target)) continue;
      if (drawTruth() < probability) {
        infectedNow.add(target);
        events.push({ type: 'InfectionTransmitted', data: { personId: target, sourcePersonId: source, contactId }, metadata: { ...metadata, causationId: contactId } });
      }
    }
  }

  // 5. live exposures: the seed's rule (statuses at the start of the tick), filtered by the policy
  const rules = exposureRules(state, tick);
  const { risky } = rules;
  // a case a revocation of this tick undid exposes as what it is after it (back at 1, as a 1 at its restored hops would),
  // and those it released not at all: as the routes of a later revocation count them (policy/retraction.ts, exposesAt1)
  const canExpose = (s: number): boolean => {
    const hops = revoked.get(s);
    if (hops === undefined) return rules.canExpose(s);
    return hops >= 0 && policy.exposingStatuses.includes(1) && (policy.maxHops === null || hops + 1 <= policy.maxHops);
  };
  const ledger = t.ledger;
  const expose = (personId: number, sourcePersonId: number, contactId: string, contactTick?: number) => {
    changed[personId] = 1;
    out.exposures++;
    const cause = { ...metadata, causationId: contactId };
    // a retroactive alert says so even for a contact of this very tick: read models tell it from a live exposure by `contactTick`
    const when = contactTick !== undefined ? { contactTick } : {};
    events.push(
      { type: 'HealthStatusChanged', data: { personId, from: 0, to: 1, reason: 'contact', sourcePersonId, contactId, x: input.x(personId), y: input.y(personId), ...when }, metadata: cause },
      { type: 'NotificationIssued', data: { notificationId: `n-${tick}-${personId}`, personId, phone: state.phones[personId]!, ...when }, metadata: cause },
    );
  };
  // a contact list's bucket may hold several records of a pair: each adds its contact time (in grid and GPS worlds a pair meets once a tick)
  const earlier = ticks.minContacts > 1 && state.ingest?.source === 'contacts' ? earlierOfPair(contacts, status.length) : undefined;
  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i]!;
    const { contactId, a, b } = c;
    const sa = status[a]!;
    const sb = status[b]!;
    if (sb === 0 && !changed[b] && sa >= 1 && canExpose(a) && risky(c, earlier?.[i])) expose(b, a, contactId);
    else if (sa === 0 && !changed[a] && sb >= 1 && canExpose(b) && risky(c, earlier?.[i])) expose(a, b, contactId);
  }

  // 6. retroactive alerts: the risky contacts of each new case within the window before its sample
  if (ticks.retroactiveTicks > 0 && policy.exposingStatuses.includes(2) && newCases.length > 0) {
    for (const { person, sampledTick } of newCases) {
      const from = sampledTick - ticks.retroactiveTicks;
      const now = contacts.filter((c, i) => (c.a === person || c.b === person) && risky(c, earlier?.[i])).map((c) => ({ ...c, tick }));
      for (const c of [...now.reverse(), ...(ledger?.contactsOf(person, from) ?? [])]) {
        const other = c.a === person ? c.b : c.a;
        if (status[other] === 0 && !changed[other]) expose(other, person, c.contactId, c.tick);
      }
    }
  }
  return out;
}

/** For each contact of a tick, how many contacts of the same pair come before it in the tick. */
function earlierOfPair(contacts: readonly TickContact[], people: number): Int32Array {
  const out = new Int32Array(contacts.length);
  const seen = new Map<number, number>();
  contacts.forEach((c, i) => {
    const key = c.a * people + c.b;
    const n = seen.get(key) ?? 0;
    out[i] = n;
    seen.set(key, n + 1);
  });
  return out;
}

/** The person with `phone` in `state`, through an index built on first use, or `undefined`. */
export function personByPhone(state: WorldState, phone: string): number | undefined {
  const index = (state.phoneIndex ??= new Map(state.phones.map((p, i) => [p, i])));
  return index.get(phone);
}
