/**
 * A policy's durations in ticks of one world.
 * @module
 */
import type { Policy } from '../../events/index.js';

/** A policy's durations in ticks (`null`: forever / none). */
export interface PolicyTicks {
  /** Ticks of contact a pair needs within `windowTicks` (1: any contact). */
  minContactTicks: number;
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

/** `policy`'s durations in ticks of `tickMs` milliseconds: minutes rounded up to whole ticks. */
export function policyTicks(policy: Policy, tickMs: number): PolicyTicks {
  return {
    minContactTicks: Math.max(1, ticks(policy.contact.minMinutes, tickMs)),
    windowTicks: Math.max(1, ticks(policy.contact.windowMinutes, tickMs)),
    retroactiveTicks: ticks(policy.retroactiveMinutes, tickMs),
    suspicionTicks: policy.suspicionMinutes === null ? null : ticks(policy.suspicionMinutes, tickMs),
    infectiousTicks: policy.infectiousMinutes === null ? null : ticks(policy.infectiousMinutes, tickMs),
    testDelayTicks: Math.max(1, ticks(policy.testing.delayMinutes, tickMs)),
  };
}
