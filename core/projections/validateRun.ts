/**
 * Validating a run of stored events (eventRun.ts) column by column instead of event by event: the
 * checks of the event's schema, made once per column for the types that come in long runs.
 * @module
 */
import { decode, EventDecodeError, CURRENT_SCHEMA_VERSION, E164_PATTERN, StatusReason, type StoredEvent } from '../../events/index.js';
import { runColumn, sliceRun, type StoredRun } from '../eventRun.js';
import { storedEvents } from './projection.js';

/** A column check: the index of the first value the schema refuses, or -1. */
type Check = (run: StoredRun) => { key: string; at: number; message: string } | undefined;

const nonNegative = (run: StoredRun, key: string) => {
  const col = runColumn(run, key);
  if (!(col instanceof Int32Array)) return { key, at: 0, message: 'expected an integer column' };
  for (let i = 0; i < col.length; i++) if (col[i]! < 0) return { key, at: i, message: 'Too small: expected number to be >=0' };
  return undefined;
};

const statuses = (run: StoredRun, key: string) => {
  const col = runColumn(run, key);
  if (!(col instanceof Int32Array)) return { key, at: 0, message: 'expected an integer column' };
  for (let i = 0; i < col.length; i++) if (col[i]! < 0 || col[i]! > 2) return { key, at: i, message: 'Invalid input: expected 0, 1 or 2' };
  return undefined;
};

const nonEmpty = (run: StoredRun, key: string) => {
  const col = runColumn(run, key);
  if (!Array.isArray(col)) return { key, at: 0, message: 'expected a string column' };
  for (let i = 0; i < col.length; i++) if (typeof col[i] !== 'string' || col[i]!.length === 0) return { key, at: i, message: 'Too small: expected string to have >=1 characters' };
  return undefined;
};

/** `a < b` event by event (a contact names its two people in order). */
const ordered = (run: StoredRun) => {
  const a = runColumn(run, 'a') as Int32Array;
  const b = runColumn(run, 'b') as Int32Array;
  for (let i = 0; i < a.length; i++) if (!(a[i]! < b[i]!)) return { key: 'a', at: i, message: 'a must be less than b' };
  return undefined;
};

const REASONS: ReadonlySet<string> = new Set(StatusReason.options);

/** Reasons of status changes without a source, contact or cell: any of the schema's but `contact`, which needs them. */
const reasons = (run: StoredRun) => {
  const col = runColumn(run, 'reason');
  if (!Array.isArray(col)) return { key: 'reason', at: 0, message: 'expected a string column' };
  for (let i = 0; i < col.length; i++) {
    const r = col[i];
    if (typeof r !== 'string' || !REASONS.has(r)) return { key: 'reason', at: i, message: `Invalid option: expected one of ${StatusReason.options.map((o) => `"${o}"`).join('|')}` };
    if (r === 'contact') return { key: 'reason', at: i, message: "reason 'contact' needs sourcePersonId, contactId, x and y" };
  }
  return undefined;
};

const phones = (run: StoredRun) => {
  const col = runColumn(run, 'phone');
  if (!Array.isArray(col)) return { key: 'phone', at: 0, message: 'expected a string column' };
  for (let i = 0; i < col.length; i++) if (typeof col[i] !== 'string' || !E164_PATTERN.test(col[i]!)) return { key: 'phone', at: i, message: 'not an E.164 phone number' };
  return undefined;
};

/**
 * Per-type column checks, equal to the type's schema (events/schemas.ts) for a run with exactly
 * these keys: `PersonMoved` (PersonId, Coord, Coord: non-negative integers), a simulated
 * world's `PersonRegistered` (the same, and an E.164 phone) and `HealthStatusChanged` without
 * source, contact or cell (a world's initial statuses: statuses 0 to 2, a reason other than
 * `contact`), and `ContactDetected` on a grid (a non-empty id, people `a < b`, a cell, and a
 * whole distance: radius 0 or a batch whose distances all happen to be whole; fractional
 * distances make a float column, never a run).
 */
const checks: Record<string, { keys: readonly string[]; check: Check }> = {
  PersonMoved: { keys: ['personId', 'x', 'y'], check: (run) => nonNegative(run, 'personId') ?? nonNegative(run, 'x') ?? nonNegative(run, 'y') },
  PersonRegistered: { keys: ['personId', 'phone', 'x', 'y'], check: (run) => nonNegative(run, 'personId') ?? nonNegative(run, 'x') ?? nonNegative(run, 'y') ?? phones(run) },
  HealthStatusChanged: { keys: ['personId', 'from', 'to', 'reason'], check: (run) => nonNegative(run, 'personId') ?? statuses(run, 'from') ?? statuses(run, 'to') ?? reasons(run) },
  ContactDetected: {
    keys: ['contactId', 'a', 'b', 'x', 'y', 'distance'],
    check: (run) => nonEmpty(run, 'contactId') ?? nonNegative(run, 'a') ?? nonNegative(run, 'b') ?? ordered(run) ?? nonNegative(run, 'x') ?? nonNegative(run, 'y') ?? nonNegative(run, 'distance'),
  },
};

/**
 * Validate `run` against its type's schema: when the type has column checks and the run exactly
 * its keys, its first event is decoded in full (type, metadata, schema version) and the other
 * values checked column by column, and the run is returned as one item with the validated
 * metadata; otherwise (another type, other keys, an older schema version) its events are
 * decoded one by one and returned as events.
 * @throws EventDecodeError naming the first event that fails, as `decode` would.
 */
export function validateRun(run: StoredRun): (StoredRun | StoredEvent)[] {
  const first = decode(storedEvents(sliceRun(run, 0, 1))[0]!);
  const spec = checks[run.type];
  const fits = spec && first.metadata.schemaVersion === CURRENT_SCHEMA_VERSION && (run.metadata as { schemaVersion?: unknown }).schemaVersion === CURRENT_SCHEMA_VERSION && spec.keys.length === run.keys.length && spec.keys.every((k) => run.keys.includes(k));
  if (fits) {
    const bad = spec.check(run);
    if (!bad) return [{ ...run, metadata: first.metadata }];
    throw new EventDecodeError({ stream: run.stream, revision: run.revision + bad.at, type: run.type }, `data ${bad.key}: ${bad.message}`);
  }
  return [first, ...storedEvents(sliceRun(run, 1, run.count)).map((e) => decode(e))];
}
