/**
 * The policy's two tests of a live exposure, shared by the tick's decision and by the exposure
 * routes that a retraction reads: whether a person may expose others, and whether a contact counts.
 * @module
 */
import type { WorldState } from '../world.js';
import type { TickContact } from './decide.js';

/** The exposure tests of `tick` on `state` as it is at the start of the tick. */
export interface ExposureRules {
  /** True when `person` may expose others now: an exposing status, within the infectious period and the hop cap. */
  canExpose(person: number): boolean;
  /**
   * True when the contact counts: within the policy's radius, with the pair's contact time (this
   * contact included) at the minimum; `earlier`: the pair's contacts of this tick before this one
   * that the ledger has not recorded yet.
   */
  risky(contact: TickContact, earlier?: number): boolean;
}

/** The {@link ExposureRules} of `tick` under the policy of `state` (read at the start of the tick). */
export function exposureRules(state: WorldState, tick: number): ExposureRules {
  const t = state.tracing;
  const { policy, ticks } = t;
  const status = state.status;
  const exposing = new Uint8Array(3);
  for (const s of policy.exposingStatuses) exposing[s] = 1;
  const maxHops = policy.maxHops;
  const infectious = ticks.infectiousTicks;
  const ledger = t.ledger;
  const needsLedger = ticks.minContacts > 1 || policy.contact.radius !== null;
  return {
    canExpose(s) {
      const st = status[s]!;
      if (!exposing[st]) return false;
      if (st === 2 && infectious !== null && tick - t.since[s]! >= infectious) return false;
      return maxHops === null || Math.max(0, t.hops[s]!) + 1 <= maxHops;
    },
    risky(c, earlier = 0) {
      if (!needsLedger) return true;
      if (ledger) return ledger.risky(tick, c.a, c.b, c.distance ?? 0, earlier);
      return ticks.minContacts <= 1 && (c.distance ?? 0) <= (policy.contact.radius ?? Infinity);
    },
  };
}
