/**
 * Phone input: any common form normalised to E.164 with libphonenumber-js. Numbers are checked
 * for a possible length in their country, not against operator ranges (the simulation draws
 * numbers across the whole French mobile plan).
 * @module
 */
import { getCountries, getCountryCallingCode, Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { isPlaceholderPhone } from '../core/index.js';
import { InputError } from './base.js';

/** True when `region` is an ISO 3166-1 alpha-2 code libphonenumber knows (e.g. `FR`). */
export function isRegion(region: string): region is CountryCode {
  return (getCountries() as string[]).includes(region);
}

/**
 * Normalise `input` (`+33612345678`, `0612345678`, `+33 6 12 34 56 78`, `33612345678`,
 * `0033612345678`) to E.164, reading national forms in `region`.
 *
 * A number written without `+` is read in `region`; if that reading lands in another country it
 * is refused, since an alert would go abroad on a guess: `004-92-58-76-11` in FR starts with 00,
 * France's international call prefix (ITU-T E.164 / libphonenumber's metadata), and would become
 * the German +492587611, while the writer may have meant the French 04 92 58 76 11. Written with
 * `+` (`+49 2587611`), a number of any country is accepted.
 * @throws InputError for an unknown region, a malformed or impossible number, or a number that
 *   changes country while being read (the message says which country and why).
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
    if (!phone?.isPossible()) continue;
    if (!trimmed.startsWith('+') && phone.countryCallingCode !== getCountryCallingCode(upper)) throw new InputError(changesCountry(input, upper, phone.number, phone.country));
    return phone.number;
  }
  throw new InputError(`'${input}' is not a valid phone number (region ${upper})`);
}

/** Why `input`, read in `region` as `e164` (in `country`, when known), is refused. */
function changesCountry(input: string, region: CountryCode, e164: string, country: string | undefined): string {
  const digits = input.replace(/\D/g, '');
  const plan = new Metadata();
  plan.selectNumberingPlan(region);
  const idd = new RegExp(`^(?:${plan.numberingPlan!.IDDPrefix()})`).exec(digits)?.[0];
  const where = `${e164}${country ? ` (${country})` : ''}, not a number of ${region}`;
  const how = idd ? `its leading ${idd} is the international call prefix of ${region}, which makes it ${where}` : `it has no '+' and reads as ${where}`;
  return `'${input}' changes country while being read: ${how}; write it with '+' and a country code (${e164} for ${country ?? 'that country'}, +${getCountryCallingCode(region)} and the national number for ${region})`;
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
