/**
 * A policy's durations in ticks of one world.
 * @module
 */
import type { Policy } from '../../events/index.js';

/** A policy's durations in ticks (`null`: forever / none). */
export interface PolicyTicks {
  /**
   * Contacts a pair needs within `windowTicks` (1: any contact), each standing for the world's
   * contact time: a tick in a grid or GPS world, a record in a contact list (`WorldIngested.contactMs`).
   */
  minContacts: number;
  windowTicks: number;
  /** How far back a new 2's contacts are alerted (0: none). */
  retroactiveTicks: number;
  suspicionTicks: number | null;
  infectiousTicks: number | null;
  /** Ticks from an alert to its simulated test result (at least 1). */
  testDelayTicks: number;
}

/** Minutes to ticks of `tickMs` milliseconds, rounded up. */
function ticks(minutes: number, tickMs: number): number {
  return Math.ceil((minutes * 60_000) / tickMs - 1e-9);
}

/**
 * `policy`'s durations in ticks of `tickMs` milliseconds: minutes rounded up to whole ticks; its
 * minimum contact time in contacts of `contactMs` milliseconds (a tick, unless a contact list's
 * records are shorter), rounded up.
 */
export function policyTicks(policy: Policy, tickMs: number, contactMs = tickMs): PolicyTicks {
  return {
    minContacts: Math.max(1, ticks(policy.contact.minMinutes, contactMs)),
    windowTicks: Math.max(1, ticks(policy.contact.windowMinutes, tickMs)),
    retroactiveTicks: ticks(policy.retroactiveMinutes, tickMs),
    suspicionTicks: policy.suspicionMinutes === null ? null : ticks(policy.suspicionMinutes, tickMs),
    infectiousTicks: policy.infectiousMinutes === null ? null : ticks(policy.infectiousMinutes, tickMs),
    testDelayTicks: Math.max(1, ticks(policy.testing.delayMinutes, tickMs)),
  };
}

/**
 * Why `policy` cannot govern a world whose contacts are detected within `worldRadius` (cells, or
 * metres for GPS worlds; `undefined` for contact lists, which carry no distance), or `undefined`
 * when it can: a policy radius larger than the world's would count contacts never detected.
 */
export function policyMismatch(policy: Policy, worldRadius: number | undefined): string | undefined {
  const r = policy.contact.radius;
  if (r === null || worldRadius === undefined || r <= worldRadius) return undefined;
  return `the policy's contact radius ${r} is larger than the world's ${worldRadius}: contacts farther than ${worldRadius} are never detected`;
}
