/**
 * The person-facing alert: what the bridge publishes and what a consumer (an SMS gateway,
 * `stopcovid consume`) reads. It carries the phone, the kind, the day and a message, never the
 * source person, the alerted person's id, the tick or the minute (see core/alertId.ts and
 * core/alertDay.ts for why).
 * @module
 */
import { alertId, alertPartitionKey, type AlertKey } from './alertId.js';
import { alertDay, type WorldClock } from './alertDay.js';
import type { AlertKind, Notification, OutgoingAlert, PersonAlert } from './ports.js';

/** The text of each kind of alert, for the day it names (`YYYY-MM-DD`). Neither names the source person. */
export const ALERT_MESSAGES: Record<AlertKind, (day: string) => string> = {
  exposure: (day) => `On ${day} you were in contact with a person at risk of COVID-19. Please get tested and stay home until you have the result.`,
  released: (day) => `Your COVID-19 contact alert is lifted as of ${day}: you no longer need to stay home or get tested.`,
};

/** The alert `n` as its person gets it, with its bus key, under the world's `key` and `clock`. */
export function personAlert(n: Notification, key: AlertKey, clock: WorldClock): OutgoingAlert {
  const day = alertDay(clock, n);
  return {
    key: alertPartitionKey(key, n.personId),
    alert: { notificationId: alertId(key, n.notificationId), worldId: key.worldId, kind: n.kind, phone: n.phone, day, message: ALERT_MESSAGES[n.kind](day) },
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Read a bus payload (parsed JSON) as a {@link PersonAlert}; `undefined` when it is not one.
 * Payloads of releases before alert kinds (`{notificationId, worldId, personId, phone, tick, at}`)
 * are read as exposure alerts on the UTC day of `at`; their ids stay as they were published.
 */
export function parsePersonAlert(value: unknown): PersonAlert | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.notificationId !== 'string' || typeof v.phone !== 'string') return undefined;
  const worldId = typeof v.worldId === 'string' ? v.worldId : v.notificationId.includes(':') ? v.notificationId.slice(0, v.notificationId.indexOf(':')) : '';
  if ((v.kind === 'exposure' || v.kind === 'released') && typeof v.day === 'string' && DAY.test(v.day) && typeof v.message === 'string')
    return { notificationId: v.notificationId, worldId, kind: v.kind, phone: v.phone, day: v.day, message: v.message };
  if (v.kind === undefined && typeof v.at === 'string' && DAY.test(v.at.slice(0, 10))) {
    const day = v.at.slice(0, 10);
    return { notificationId: v.notificationId, worldId, kind: 'exposure', phone: v.phone, day, message: ALERT_MESSAGES.exposure(day) };
  }
  return undefined;
}
