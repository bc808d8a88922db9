/**
 * Phone input: any common form normalised to E.164 with libphonenumber-js. Numbers are checked
 * for a possible length in their country, not against operator ranges (the simulation draws
 * numbers across the whole French mobile plan).
 * @module
 */
import { parsePhoneNumberFromString, type CountryCode, getCountries } from 'libphonenumber-js';
import { isPlaceholderPhone } from '../core/index.js';
import { InputError } from './base.js';

/** True when `region` is an ISO 3166-1 alpha-2 code libphonenumber knows (e.g. `FR`). */
export function isRegion(region: string): region is CountryCode {
  return (getCountries() as string[]).includes(region);
}

/**
 * Normalise `input` (`+33612345678`, `0612345678`, `+33 6 12 34 56 78`, `33612345678`,
 * `0033612345678`) to E.164, reading national forms in `region`.
 * @throws InputError for a malformed or impossible number.
 */
export function toE164(input: string, region: string): string {
  const upper = region.toUpperCase();
  if (!isRegion(upper)) throw new InputError(`unknown region '${region}': use an ISO country code such as FR`);
  const trimmed = input.trim();
  const candidates = [trimmed];
  // digits that start with a country calling code but lack the '+'
  if (/^\d[\d\s.-]*$/.test(trimmed) && !trimmed.startsWith('0')) candidates.push(`+${trimmed}`);
  for (const candidate of candidates) {
    const phone = parsePhoneNumberFromString(candidate, upper);
    if (phone?.isPossible()) return phone.number;
  }
  throw new InputError(`'${input}' is not a valid phone number (region ${upper})`);
}

/**
 * Read a person as `trace` names them: a phone in any common form (national forms in `region`),
 * a `+999` placeholder of an ingested world as typed, or `id:<id in the input data>`.
 * @throws InputError for a malformed phone or an unknown region.
 */
export function personQuery(input: string, region: string): { phone: string } | { sourceId: string } {
  const sourceId = /^id:(.+)$/s.exec(input.trim())?.[1];
  if (sourceId !== undefined) return { sourceId };
  const compact = input.replace(/[\s.-]/g, '');
  return { phone: isPlaceholderPhone(compact) ? compact : toE164(input, region) };
}
