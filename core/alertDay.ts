/**
 * The day an alert names. A person is told the day of the contact, never its minute or tick:
 * deployed apps coarsened exposure times to the day (Exposure Notification reports days since
 * the exposure; TousAntiCovid shows a date) because an exact time lets a person recall whom they
 * were with. Times are simulated, from the world's clock: tick `t` is at `start + t * tickMs`.
 * @module
 */
import { decode, type DomainEvent } from '../events/index.js';
import type { EventStore } from './ports.js';

/**
 * How a world's ticks map to days. `tickMs`: simulated milliseconds per tick. `buckets`: an
 * ingested world, whose tick `t` is the bucket `(at - tickMs, at]` (dated by its middle, so that
 * a day bucket `(midnight, next midnight]` is its own day), not an instant. `timeZone`: the IANA
 * zone whose local day is told (an ingested world's `--tz`); absent: UTC.
 */
export interface WorldClock {
  tickMs: number;
  buckets: boolean;
  timeZone?: string;
}

/** The clock of a world from its first event (`SimulationStarted` or `WorldIngested`); `undefined` for other events. */
export function worldClock(first: DomainEvent): WorldClock | undefined {
  if (first.type === 'SimulationStarted') return { tickMs: first.data.tickMs, buckets: false };
  if (first.type === 'WorldIngested') return { tickMs: first.data.tickMs, buckets: true, ...(first.data.timeZone && first.data.timeZone !== 'UTC' ? { timeZone: first.data.timeZone } : {}) };
  return undefined;
}

/**
 * The clock of the world in `store`, from its `SimulationStarted` or `WorldIngested`; `undefined`
 * when the store holds no world yet.
 * @throws EventDecodeError when that event fails its schema.
 */
export async function readWorldClock(store: EventStore): Promise<WorldClock | undefined> {
  for await (const raw of store.readAll({ types: ['SimulationStarted', 'WorldIngested'], limit: 1 })) return worldClock(decode(raw));
  return undefined;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of the instant `ms` (ms since 1970) in `timeZone` (UTC when absent). @throws RangeError for a zone the runtime does not know. */
export function dayOf(ms: number, timeZone?: string): string {
  if (!timeZone) return new Date(ms).toISOString().slice(0, 10);
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year!.padStart(4, '0')}-${p.month}-${p.day}`;
}

/**
 * The day (`YYYY-MM-DD`) an alert names: that of its contact (`contactTick`, a retroactive
 * exposure) when it has one, else of its own tick; `at` is the simulated time of `tick`.
 */
export function alertDay(clock: WorldClock, alert: { tick: number; at: string; contactTick?: number }): string {
  const back = alert.contactTick === undefined ? 0 : alert.tick - alert.contactTick;
  const ms = Date.parse(alert.at) - back * clock.tickMs - (clock.buckets ? clock.tickMs / 2 : 0);
  return dayOf(ms, clock.timeZone);
}
