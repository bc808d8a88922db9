/**
 * Why an alert was sent: the tracer's view of one notification. From the alert back to the
 * index case, each link gives the contact (when it happened and was decided, where, how near,
 * under which contact rule), the source's status at that moment and the change that gave it to
 * them, each with the global position of the event that proves it. The person-facing alert never
 * names the source; this does.
 * @module
 */
import type { ExposureEdge } from './projections/contactGraph.js';
import type { PolicyHistoryRow, StatusHistoryRow, TestHistoryRow } from './projections/history.js';
import type { StatusChangeRow } from './projections/readModels.js';

/** A `ContactDetected` event as explain shows it. */
export interface ContactFact {
  /** Global position of the event. */
  position: number;
  /** Distance between the two people, in cells (metres in GPS worlds). */
  distance: number;
  /** The cell of the contact (of the person with the lower id; metres in GPS worlds). */
  x: number;
  y: number;
}

/** What explain reads: the `history` and `exposures` read models, and (for distances) one contact event of the log. */
export interface ExplainSource {
  phoneOf(personId: number): string | undefined;
  /** The person's id in the input data (ingested worlds only; a source without it shows none). */
  sourceIdOf?(personId: number): string | undefined;
  /** The status change that sent the alert `notificationId`, or `undefined`. */
  changeByNotification(notificationId: string): StatusHistoryRow | undefined;
  /** The person's latest status change that sent an alert (exposure or release), or `undefined`. */
  lastAlert(personId: number): StatusHistoryRow | undefined;
  /** The exposure edge written by the status change at global position `statusPosition`, and its contact's position (0: not in that tick). */
  exposureAt(statusPosition: number): { edge: ExposureEdge; contactPosition: number } | undefined;
  /** The person's last status change before global position `position`, and, with `beforeTick`, recorded before that tick. */
  changeBefore(personId: number, position: number, beforeTick?: number): StatusHistoryRow | undefined;
  /** The person's last test result before global position `position`. */
  testBefore(personId: number, position: number): TestHistoryRow | undefined;
  /** The policy in force during `tick` (the last adopted before it, or at tick 0), `undefined` for the seed's (never adopted). */
  policyDuring(tick: number): PolicyHistoryRow | undefined;
  /** The contact `contactId` of tick `tick` in the log (at global position `position` when known, > 0), when the source can read it. */
  contact?(contactId: string, tick: number, position?: number): Promise<ContactFact | undefined>;
}

/** A status change as explain shows it: tick, simulated time, from, to, reason and the global position of its `HealthStatusChanged`. */
export type ExplainedChange = Omit<StatusChangeRow, 'personId' | 'hops'>;

/** A person as explain names them: id, phone, and the id in the input data (ingested worlds only), as `trace` does. */
export interface ExplainedPerson {
  personId: number;
  phone: string;
  sourceId?: string;
}

/** One link of the chain: `source` exposed `exposed`. */
export interface ExplainLink {
  exposed: ExplainedPerson;
  source: ExplainedPerson;
  /** Tick and simulated time the exposure was decided (the alert's tick). */
  tick: number;
  at: string;
  /** Tick of the contact: `tick` for a live exposure, earlier for a retroactive one. */
  contactTick: number;
  retroactive: boolean;
  contactId: string;
  /** Where: the contact's cell when its event was read, else the exposed person's cell at the decision (metres in GPS worlds). */
  cell: { x: number; y: number };
  /** Distance between the two at the contact (cells; metres in GPS worlds), when the contact event was read. */
  distance?: number;
  /** Hops from the index case to the exposed person (1: exposed by the index case). */
  hops?: number;
  /** Global positions: the `ContactDetected` (0 when not found), the exposed person's `HealthStatusChanged`, its `NotificationIssued`. */
  contactPosition: number;
  statusPosition: number;
  notificationId?: string;
  notificationPosition?: number;
  /** The contact rule in force (absent: the seed's, any contact), and the position of its `PolicyAdopted`. */
  rule?: { policy: string; minMinutes: number; windowMinutes: number; radius: number | null; position: number };
  /** The source's status at that moment (the start of the tick; for a retroactive exposure, the case confirmed in that tick) and the change that gave it. */
  sourceStatus: number;
  sourceChange?: ExplainedChange;
}

/** The index case at the end of a chain, and the test result that made them one, if any. */
export interface ExplainIndexCase extends ExplainedPerson {
  change: ExplainedChange;
  test?: { tick: number; sampledTick: number; result: string; source: string; position: number };
}

/** The answer of {@link explain}. */
export interface Explanation extends ExplainedPerson {
  notificationId: string;
  kind: 'exposure' | 'released';
  /** Global position of the alert's `NotificationIssued`. */
  notificationPosition?: number;
  /** For a released alert: the change that released the person (negative test or expiry), and the test. */
  release?: { change: ExplainedChange; test?: ExplainIndexCase['test'] };
  /** The exposures from the alert's back to the index case, nearest first. */
  chain: ExplainLink[];
  /** Where the chain ends; absent when it could not be followed (see `note`). */
  indexCase?: ExplainIndexCase;
  /** Why the chain stops early, if it does. */
  note?: string;
}

/** An error code of {@link explain}: the alert named is not in the read models. */
export const UNKNOWN_ALERT = 'UNKNOWN_ALERT';

/** Thrown by {@link explain} for an alert it cannot find. */
export class UnknownAlertError extends Error {
  readonly code = UNKNOWN_ALERT;
  constructor(message: string) {
    super(message);
    this.name = 'UnknownAlertError';
  }
}

/**
 * Explain an alert: by its notification id (`n-<tick>-<personId>`, `r-<tick>-<personId>`) or, with
 * a person id, that person's latest alert. Follows at most `depth` links.
 * @throws UnknownAlertError when there is no such alert, or the person was never alerted.
 */
export async function explain(source: ExplainSource, alert: { notificationId: string } | { personId: number }, depth = 1000): Promise<Explanation> {
  const change = 'notificationId' in alert ? source.changeByNotification(alert.notificationId) : source.lastAlert(alert.personId);
  if (!change || change.notificationId === undefined) {
    throw new UnknownAlertError('notificationId' in alert ? `no alert ${alert.notificationId} in this world` : `${source.phoneOf(alert.personId) ?? `person ${alert.personId}`} was never sent an alert`);
  }
  const released = change.to === 0;
  const out: Explanation = {
    notificationId: change.notificationId,
    ...person(source, change.personId),
    kind: released ? 'released' : 'exposure',
    ...(change.notificationPosition !== undefined ? { notificationPosition: change.notificationPosition } : {}),
    chain: [],
  };
  let current: StatusHistoryRow | undefined = change;
  if (released) {
    const test = change.reason === 'test-negative' ? source.testBefore(change.personId, change.position) : undefined;
    out.release = { change: shown(change), ...(test ? { test: testShown(test) } : {}) };
    // the exposure (or index status) that the release ended
    current = source.changeBefore(change.personId, change.position);
  }
  const visited = new Set<number>();
  while (current) {
    // a revoked positive back to 1 stands on the exposure before it, or on the initial status it started from: follow that one
    if (current.reason === 'test-revoked' && current.to >= 1) {
      const revoked: StatusHistoryRow = current;
      current = exposureBefore(source, revoked);
      if (!current) {
        out.note = `no exposure of person ${revoked.personId} before the positive result revoked at tick ${revoked.tick}`;
        break;
      }
    }
    if (current.reason !== 'contact') {
      out.indexCase = indexCase(source, current);
      break;
    }
    if (out.chain.length >= depth || visited.has(current.position)) {
      out.note = out.chain.length >= depth ? `stopped after ${depth} links` : 'the chain loops';
      break;
    }
    visited.add(current.position);
    const found = source.exposureAt(current.position);
    if (!found) {
      out.note = `no exposure recorded at position ${current.position}`;
      break;
    }
    const { edge, contactPosition } = found;
    const retroactive = edge.contactTick !== undefined;
    const contactTick = edge.contactTick ?? edge.tick;
    // a live exposure reads the source's status at the start of the tick; a retroactive one comes from the case confirmed in that very tick
    const before = source.changeBefore(edge.source, current.position, retroactive ? undefined : current.tick);
    const policy = source.policyDuring(contactTick);
    const contact = await source.contact?.(edge.contactId, contactTick, contactPosition > 0 ? contactPosition : undefined);
    out.chain.push({
      exposed: person(source, edge.exposed),
      source: person(source, edge.source),
      tick: edge.tick,
      at: edge.at,
      contactTick,
      retroactive,
      contactId: edge.contactId,
      cell: contact ? { x: contact.x, y: contact.y } : { x: edge.x, y: edge.y },
      ...(contact ? { distance: contact.distance } : {}),
      ...(edge.hops !== undefined ? { hops: edge.hops } : {}),
      contactPosition: contact?.position ?? contactPosition,
      statusPosition: current.position,
      ...(current.notificationId !== undefined ? { notificationId: current.notificationId, notificationPosition: current.notificationPosition! } : {}),
      ...(policy ? { rule: { policy: policy.name, minMinutes: policy.minMinutes, windowMinutes: policy.windowMinutes, radius: policy.radius, position: policy.position } } : {}),
      sourceStatus: before?.to ?? edge.sourceStatus,
      ...(before ? { sourceChange: shown(before) } : {}),
    });
    if (!before) {
      out.note = `no status change of person ${edge.source} before position ${current.position}`;
      break;
    }
    current = before;
  }
  return out;
}

/**
 * The latest exposure of `change`'s person before it, passing over the positive result and
 * revocations between, or the initial status of a person suspicious from the start (back at hop
 * 0: the index case again); `undefined` when a return to 0 or the start comes first.
 */
function exposureBefore(source: ExplainSource, change: StatusHistoryRow): StatusHistoryRow | undefined {
  let c = source.changeBefore(change.personId, change.position);
  while (c && c.reason !== 'contact' && c.to >= 1 && c.from >= 1) c = source.changeBefore(c.personId, c.position);
  return c?.reason === 'contact' || (c?.reason === 'initial' && c.to >= 1) ? c : undefined;
}

function indexCase(source: ExplainSource, change: StatusHistoryRow): ExplainIndexCase {
  const test = change.reason === 'test-positive' ? source.testBefore(change.personId, change.position) : undefined;
  return { ...person(source, change.personId), change: shown(change), ...(test ? { test: testShown(test) } : {}) };
}

function person(source: ExplainSource, personId: number): ExplainedPerson {
  const sourceId = source.sourceIdOf?.(personId);
  return { personId, phone: source.phoneOf(personId) ?? '?', ...(sourceId !== undefined ? { sourceId } : {}) };
}

function shown(c: StatusHistoryRow): ExplainedChange {
  return { tick: c.tick, at: c.at, from: c.from, to: c.to, reason: c.reason, position: c.position };
}

function testShown(t: TestHistoryRow): NonNullable<ExplainIndexCase['test']> {
  return { tick: t.tick, sampledTick: t.sampledTick, result: t.result, source: t.source, position: t.position };
}
