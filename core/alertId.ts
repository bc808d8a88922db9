/**
 * Opaque alert ids and message keys. Inside the tracer an alert's id is readable
 * (`n-<tick>-<personId>`, `r-<tick>-<personId>`: the log is the tracer's own truth); what leaves
 * it names neither the person nor the tick. Deployed apps hid both because an alerted person who
 * can read who and when from an alert can work out who exposed them (Google/Apple Exposure
 * Notification sends rolling random identifiers and day-coarsened times; ROBERT/TousAntiCovid
 * kept pseudonyms on the server and told the user only "at risk"). So an outward id is an
 * HMAC-SHA256 (RFC 2104) of the internal id under a per-world secret: deterministic (the same
 * alert always gets the same id, so consumers drop duplicates), unlinkable to person and tick,
 * and not computable by someone who knows the world id but not the secret.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * What an outward id is keyed by: the world's identity (`w` and 10 base-36 digits; kept as a
 * readable prefix so that worlds sharing a Kafka topic never collide) and the world's secret
 * (random bytes kept beside the identity, outside the event log).
 */
export interface AlertKey {
  worldId: string;
  secret: Uint8Array;
}

/** Hex digits of an opaque id: the first 128 bits of the HMAC. */
const OPAQUE_HEX = 32;

/** HMAC states keyed by each secret, its pads already hashed: a clone per id saves half the work. */
const keyed = new WeakMap<Uint8Array, ReturnType<typeof hmac.create>>();

/** The first 128 bits of HMAC-SHA256(`secret`, `<purpose>\0<worldId>\0<value>`), in hex. */
function mac(key: AlertKey, purpose: string, value: string): string {
  let base = keyed.get(key.secret);
  if (!base) keyed.set(key.secret, (base = hmac.create(sha256, key.secret)));
  return bytesToHex(base.clone().update(utf8ToBytes(`${purpose}\0${key.worldId}\0${value}`)).digest()).slice(0, OPAQUE_HEX);
}

/**
 * The outward id of the alert whose internal id is `notificationId`:
 * `<worldId>:<32 hex digits>`, e.g. `w00abc12345:9f3c...`. Same key and alert, same id.
 */
export function alertId(key: AlertKey, notificationId: string): string {
  return `${key.worldId}:${mac(key, 'alert', notificationId)}`;
}

/**
 * The bus key of a person's alerts (the Kafka message key): `<worldId>:<32 hex digits>`, the same
 * for every alert of that person, so they land on one partition and stay in order, without the
 * person id on the wire.
 */
export function alertPartitionKey(key: AlertKey, personId: number): string {
  return `${key.worldId}:${mac(key, 'person', String(personId))}`;
}

/** An outward alert id: a world id (`w` and 10 base-36 digits), a colon, 32 hex digits. */
export const OUTWARD_ALERT_ID = /^(w[0-9a-z]{10}):[0-9a-f]{32}$/;

/**
 * The internal id among `notificationIds` whose outward id ({@link alertId}) under `key` is
 * `outward`, or `undefined`. The HMAC is one-way by design, so this tries each alert of the world
 * (one HMAC each, a few microseconds): only the tracer, who holds the secret, can do it.
 */
export function internalAlertId(key: AlertKey, outward: string, notificationIds: Iterable<string>): string | undefined {
  for (const id of notificationIds) if (alertId(key, id) === outward) return id;
  return undefined;
}
