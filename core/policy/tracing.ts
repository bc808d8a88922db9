/**
 * What the tracing system knows beyond positions and statuses, per person and per world: the
 * policy in force, when each status began, hop counts from the index case, who was alerted,
 * how far the inbox was consumed, the contact ledger, and (apart) the ground truth of a
 * simulation. Folded by `evolve` like the rest of the world state.
 * @module
 */
import { StartHops } from './startHops.js';
import type { DomainEvent, Policy } from '../../events/index.js';
import { ContactLedger } from './contactLedger.js';
import { policyTicks, type PolicyTicks } from './durations.js';
import { SEED_POLICY } from './presets.js';

/** The tracing part of a world's state (see the module). */
export interface TracingState {
  /** The policy in force (the seed's until a `PolicyAdopted`). */
  policy: Policy;
  /** Its durations in ticks of this world. */
  ticks: PolicyTicks;
  /** Contact time one contact stands for, milliseconds: a tick, or a contact list's record (`WorldIngested.contactMs`). */
  contactMs: number;
  /** The tick of each person's last status change (0 for an initial status). */
  since: Int32Array;
  /** Hops from the index case: 0 for an index case, -1 for status 0. */
  hops: Int32Array;
  /** 1 for a person ever sent an exposure alert. */
  alerted: Uint8Array;
  /** Ground truth (simulations): 1 for a person really infected. Never read by a tracing decision. */
  truth: Uint8Array;
  /** The inbox revision of the next command to apply. */
  inboxNext: number;
  /** Recent contacts, when the policy needs them (see {@link ContactLedger.needed}). */
  ledger: ContactLedger | null;
  /** The start-of-tick hops of the people changed in tick `startHopsTick` (startHops.ts): its live exposures count from them. */
  startHops: StartHops;
  startHopsTick: number;
}

/**
 * True when a status change to `to` for `reason` makes the person an index case: a status >= 1
 * that did not come from a contact (`initial`, `test-positive`), or a `test-revoked` back to 1 at
 * hop 0. `hops` is the change's (the event's, or the person's hops after it where the source keeps
 * those): a `test-revoked` without it, or at 0, leaves the person at hop 0 (`evolve`): suspicious
 * from the start (policy/retraction.ts), or, in logs written before the event carried hops, a
 * revoked positive that the log kept at hop 0, as it decided. One with hops >= 1 is not: it
 * stands on an earlier route to exposure.
 */
export function isIndexChange(change: { to: number; reason: string; hops?: number | undefined }): boolean {
  if (change.to < 1) return false;
  if (change.reason === 'test-revoked') return (change.hops ?? 0) === 0;
  return change.reason === 'initial' || change.reason === 'test-positive';
}

/** The tracing state of a world of `people` under the seed policy, ticks of `tickMs`, a contact standing for `contactMs` (a tick by default). */
export function initialTracing(people: number, tickMs: number, contactMs = tickMs): TracingState {
  const since = new Int32Array(people);
  const hops = new Int32Array(people).fill(-1);
  return { policy: SEED_POLICY, ticks: policyTicks(SEED_POLICY, tickMs, contactMs), contactMs, since, hops, alerted: new Uint8Array(people), truth: new Uint8Array(people), inboxNext: 0, ledger: null, startHops: new StartHops(), startHopsTick: -1 };
}

/** Adopt `policy` from the next decision on; a ledger starts empty (contact time counts from here). */
export function adoptPolicy(t: TracingState, policy: Policy, tickMs: number): void {
  t.policy = policy;
  t.ticks = policyTicks(policy, tickMs, t.contactMs);
  t.ledger = ContactLedger.needed(t.ticks) ? new ContactLedger(t.since.length, t.ticks, policy.contact.radius) : null;
}

/** Apply `event`'s tracing facts to `t` (called by `evolve`; statuses and cells are evolve's own). */
export function evolveTracing(t: TracingState, event: DomainEvent, tickMs: number): void {
  switch (event.type) {
    case 'HealthStatusChanged': {
      const d = event.data;
      const tick = event.metadata.tick;
      if (t.startHopsTick !== tick) {
        t.startHops.clear();
        t.startHopsTick = tick;
      }
      t.startHops.keep(d, t.hops[d.personId]!);
      t.since[d.personId] = tick;
      if (d.to === 0) t.hops[d.personId] = -1;
      // a live exposure counts from its source's hops at the tick's start, as decided; a retroactive one (contactTick) from the new case
      else if (d.reason === 'contact') t.hops[d.personId] = Math.max(0, t.startHops.sourceOf(d, t.hops[d.sourcePersonId!]!)) + 1;
      else if (d.reason === 'initial' || d.reason === 'test-positive') t.hops[d.personId] = 0;
      // back to 1 through the route that stands; without the hops (suspicious from the start, or a log written before
      // they were recorded, as it decided) the revoked positive's are kept (0)
      else if (d.reason === 'test-revoked' && d.hops !== undefined) t.hops[d.personId] = d.hops;
      t.startHops.applied(d, t.hops[d.personId]!);
      if (d.reason === 'initial' && d.to === 2) t.truth[d.personId] = 1;
      return;
    }
    case 'NotificationIssued':
      if (event.data.kind !== 'released') t.alerted[event.data.personId] = 1;
      return;
    case 'InfectionTransmitted':
      t.truth[event.data.personId] = 1;
      return;
    case 'CommandsApplied':
      t.inboxNext = event.data.to + 1;
      return;
    case 'PolicyAdopted':
      adoptPolicy(t, event.data.policy, tickMs);
      return;
    case 'ContactDetected':
      t.ledger?.record(event.metadata.tick, event.data.a, event.data.b, event.data.contactId, event.data.distance);
      return;
    case 'TickCompleted':
      t.ledger?.prune(event.data.tick);
      return;
  }
}
