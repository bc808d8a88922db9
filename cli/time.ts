/**
 * Time zones for input and output, with the runtime's Intl (its IANA time zone data; no
 * dependency): the `--tz` flag, local midnight, and ISO-8601 times shown with a zone's offset.
 * @module
 */
import { Flags } from '@oclif/core';
import { InputError } from './base.js';

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(zone, f);
  }
  return f;
}

/**
 * The canonical name of the IANA time zone `name` (`europe/paris` -> `Europe/Paris`, `utc` -> `UTC`).
 * @throws InputError for a name the runtime's time zone data does not know.
 */
export function timeZone(name: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    throw new InputError(`unknown time zone '${name}': use an IANA name such as Europe/Paris, or UTC`);
  }
}

/** The UTC offset of `zone` at the instant `ms` (ms since 1970), in milliseconds (+3,600,000 for Paris in winter). */
export function offsetMs(zone: string, ms: number): number {
  const at = Math.floor(ms / 1000) * 1000;
  const p = Object.fromEntries(format(zone).formatToParts(at).map((x) => [x.type, x.value]));
  const year = Number(p.year) * (p.era === 'BC' ? -1 : 1);
  return Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
}

/** The instant (ms since 1970) of the local midnight in `zone` that begins the day of `ms`. */
export function midnightBefore(zone: string, ms: number): number {
  const local = ms + offsetMs(zone, ms);
  const day = Math.floor(local / DAY_MS) * DAY_MS;
  // the offset at midnight may differ from the one at `ms` (a summer-time change that day)
  let guess = day - offsetMs(zone, ms);
  guess = day - offsetMs(zone, guess);
  return guess <= ms ? guess : guess - DAY_MS;
}

/**
 * `iso` (an ISO-8601 UTC time as events carry it) shown in `zone`: local date and time with the
 * offset, `2010-12-06T13:00:00.000+01:00`; in UTC unchanged (`...Z`).
 */
export function inZone(iso: string, zone: string): string {
  if (zone === 'UTC') return iso;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const offset = offsetMs(zone, ms);
  const local = new Date(ms + offset).toISOString().slice(0, -1);
  const minutes = Math.abs(offset) / 60_000;
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** `--tz NAME`: an IANA time zone, checked when parsed (or `STOPCOVID_TZ`); each command gives its own default. */
export const tz = Flags.custom<string>({
  helpValue: 'ZONE',
  env: 'STOPCOVID_TZ',
  async parse(input) {
    return timeZone(input);
  },
});
