/**
 * Named policies. `seed` is the default and reproduces the original project exactly; the others
 * are modelled on deployed apps, each parameter with its source.
 * @module
 */
import { Policy } from '../../events/index.js';

/** The seed's rules: every contact counts, 1 and 2 expose, no cap, no retroactive alerts, statuses last forever, nobody tests. */
export const SEED_POLICY: Policy = Policy.parse({ name: 'seed' });

/**
 * Modelled on TousAntiCovid (France, ROBERT protocol, 2020-2023). Sources:
 * - contact rule "within about a metre for at least 15 minutes" (Santé publique France's
 *   definition of a contact à risque, used by the app's risk scoring); a cell stands for the
 *   metre, so radius 0 (same cell); the minutes add up over a day per pair (as Corona-Warn-App's
 *   daily exposure windows did);
 * - only users who declared a positive test expose others, and only their own contacts are
 *   alerted (no alert from an alerted contact): exposing status 2, hop cap 1;
 * - contacts of the 14 days before the declaration are alerted (the app kept 14 days of
 *   contacts): retroactive window 14 days;
 * - "at risk" ends 7 days after the contact (the reading of the app's rule);
 * - a declared case isolates: exposes others for 7 days (French isolation rule for a positive test, 2021);
 * - testing: modelling assumptions, not the app's: 70% of alerted people test, results after one
 *   day, RT-PCR sensitivity 0.87 and specificity 0.99 (orders of magnitude reported by France's
 *   Haute Autorité de santé for RT-PCR); transmission 0.05 per tick of contact with a really infected person.
 */
export const TOUSANTICOVID_POLICY: Policy = Policy.parse({
  name: 'tousanticovid',
  contact: { radius: null, minMinutes: 15, windowMinutes: 1440 },
  exposingStatuses: [2],
  maxHops: 1,
  retroactiveMinutes: 14 * 1440,
  suspicionMinutes: 7 * 1440,
  infectiousMinutes: 7 * 1440,
  testing: { share: 0.7, delayMinutes: 1440, sensitivity: 0.87, specificity: 0.99, requireAlert: false },
  transmission: { probability: 0.05 },
});

/** Every preset by name (`--policy <name>`). */
export const POLICY_PRESETS: Readonly<Record<string, Policy>> = { seed: SEED_POLICY, tousanticovid: TOUSANTICOVID_POLICY };

/** True when `policy` decides exactly as the seed does (its name aside). */
export function isSeedPolicy(policy: Policy): boolean {
  return JSON.stringify({ ...policy, name: 'seed' }) === JSON.stringify(SEED_POLICY);
}
