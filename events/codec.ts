/**
 * Encode and decode events: validation against the schema, upcasting of old versions.
 * @module
 */
import { schemas, CURRENT_SCHEMA_VERSION } from './schemas.js';
import { EventMetadata } from './metadata.js';
import { EventDecodeError } from './errors.js';
import type { DomainEvent, EventType, StoredEvent } from './types.js';

/** An event as a store holds it: type plus JSON-compatible data and metadata, not yet validated. */
export interface RawEvent {
  stream: string;
  revision: number;
  position: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** Turns the data of version `v` into the data of version `v + 1`. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters by type and by the version they read. Empty while every type is at version 1;
 * a v2 schema adds `{ PersonMoved: { 1: (v1) => v2 } }` here and the domain only sees v2.
 */
export const upcasters: Partial<Record<EventType, Record<number, Upcaster>>> = {};

/** True when `type` names a known event type. */
export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(schemas, type);
}

/**
 * Validate a raw stored event and return it as a typed {@link StoredEvent} at the current
 * schema version (older versions are upcast first).
 * @throws EventDecodeError for an unknown type or version, or data / metadata failing the schema.
 */
export function decode(raw: RawEvent): StoredEvent {
  const where = { stream: raw.stream, revision: raw.revision, type: raw.type };
  if (!isEventType(raw.type)) throw new EventDecodeError(where, 'unknown event type');
  const metadata = decodeMetadata(raw.metadata, where);
  let data = raw.data;
  let version = metadata.schemaVersion;
  if (version > CURRENT_SCHEMA_VERSION) throw new EventDecodeError(where, `schema version ${version} is newer than this program knows`);
  while (version < CURRENT_SCHEMA_VERSION) {
    const up = upcasters[raw.type]?.[version];
    if (!up) throw new EventDecodeError(where, `no upcaster from schema version ${version}`);
    data = up(data);
    version += 1;
  }
  const parsed = schemas[raw.type].safeParse(data);
  if (!parsed.success) throw new EventDecodeError(where, `data ${firstIssue(parsed.error.issues)}`);
  return {
    type: raw.type,
    data: parsed.data,
    metadata: metadata.schemaVersion === CURRENT_SCHEMA_VERSION ? metadata : { ...metadata, schemaVersion: CURRENT_SCHEMA_VERSION },
    stream: raw.stream,
    revision: raw.revision,
    position: raw.position,
  } as StoredEvent;
}

// Stores hand the events of one tick the same metadata object; validate it once.
let lastMetadataIn: unknown;
let lastMetadataOut: EventMetadata | undefined;

function decodeMetadata(input: unknown, where: { stream: string; revision: number; type: string }): EventMetadata {
  if (input === lastMetadataIn && lastMetadataOut && typeof input === 'object') return lastMetadataOut;
  const meta = EventMetadata.safeParse(input);
  if (!meta.success) throw new EventDecodeError(where, `metadata ${firstIssue(meta.error.issues)}`);
  lastMetadataIn = input;
  lastMetadataOut = meta.data;
  return meta.data;
}

/**
 * Validate a domain event before it is written (used at boundaries that accept events from
 * outside; the simulation's own events are typed and skip it).
 * @throws EventDecodeError naming `stream` and `revision` when the event fails its schema.
 */
export function validate(event: DomainEvent, stream = '(new)', revision = -1): DomainEvent {
  return decode({ ...event, stream, revision, position: 0 });
}

function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'is invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
