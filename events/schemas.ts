/**
 * One zod schema per event type and version: the single source of truth for event shapes.
 * TypeScript types are inferred from these schemas, never written by hand.
 * @module
 */
import { z } from 'zod';
import { Policy } from './policy.js';

/** A person's index in the world, `0 <= personId < people`. */
export const PersonId = z.number().int().nonnegative();
/** A grid cell coordinate (cells). */
const Coord = z.number().int().nonnegative();
/** Health status: 0 healthy, 1 suspicious (exposed, asked to test), 2 infected (confirmed). */
export const HealthStatus = z.union([z.literal(0), z.literal(1), z.literal(2)]);
/** The pattern of an E.164 phone number: `+`, then 7 to 15 digits, the first not 0 (ITU-T E.164). */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** An E.164 phone number, e.g. `+33612345678` ({@link E164_PATTERN}). */
export const E164 = z.string().regex(E164_PATTERN, 'not an E.164 phone number');

/**
 * `SimulationStarted` v1: the world's parameters, written once as the first event of tick 0.
 * Defaults that reproduce the seed: 100 people, 101 x 101 cells, step 5, radius 0,
 * initial status weights 15:5:1 (healthy:suspicious:infected).
 */
export const SimulationStarted = z.object({
  people: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  step: z.number().int().nonnegative(),
  radius: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative(),
  /** Simulated time of tick 0, ISO-8601. */
  start: z.iso.datetime(),
  /** Simulated duration of one tick, milliseconds. */
  tickMs: z.number().int().positive(),
  /** Relative weights of the initial statuses 0, 1, 2. */
  initialStatusWeights: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

/**
 * `PersonRegistered` v1: a subscriber joins the world at a position with a unique phone.
 * Ingested worlds also carry `sourceId`, the person's id in the input data (e.g. a SocioPatterns
 * id or a cab name); simulated worlds never write it.
 */
export const PersonRegistered = z.object({
  personId: PersonId,
  phone: E164,
  x: Coord,
  y: Coord,
  sourceId: z.string().min(1).optional(),
});

/**
 * `PersonMoved` v1: a person's new cell after a tick's move. The simulation writes it only when
 * the cell changed; an ingested GPS world writes it for every bucket in which the person was seen
 * (a bucket without it is a gap in the trace), with `x`,`y` in metres on the world's projection.
 */
export const PersonMoved = z.object({
  personId: PersonId,
  x: Coord,
  y: Coord,
});

/**
 * `ContactDetected` v1: two people within `radius` cells after the moves of a tick
 * (`a < b`; `distance` is the Euclidean distance in cells, `x`,`y` the cell of `a`).
 */
export const ContactDetected = z
  .object({
    contactId: z.string().min(1),
    a: PersonId,
    b: PersonId,
    x: Coord,
    y: Coord,
    distance: z.number().nonnegative(),
  })
  .refine((c) => c.a < c.b, { message: 'a must be less than b' });

/**
 * Why a status changed. `contact` requires the source person and the contact; `test-positive` /
 * `test-negative` follow a `TestResultRecorded`; `expired`: a 1 returned to 0 after the policy's
 * `suspicionMinutes` without a positive result; `test-revoked`: a positive result was revoked
 * (the person returns to the status they had before it); `retracted`: a compensation, the person's
 * every route to exposure ran through a revoked case.
 */
export const StatusReason = z.enum(['initial', 'contact', 'test-positive', 'test-negative', 'expired', 'test-revoked', 'retracted']);

/**
 * `HealthStatusChanged` v1. For `reason: 'contact'` the source person, the contact id and the
 * exposed person's cell are required. A person whose status >= 1 came from `initial` or
 * `test-positive` is an index case; `contact` and `test-revoked` (back to 1: an earlier route to
 * exposure stands) are not.
 */
export const HealthStatusChanged = z
  .object({
    personId: PersonId,
    from: HealthStatus,
    to: HealthStatus,
    reason: StatusReason,
    sourcePersonId: PersonId.optional(),
    contactId: z.string().min(1).optional(),
    x: Coord.optional(),
    y: Coord.optional(),
    /** A retroactive exposure (policy `retroactiveMinutes`): the tick of the contact, earlier than the event's own tick. */
    contactTick: z.number().int().nonnegative().optional(),
    /**
     * A `test-revoked` back to 1: the person's hops from the index case through the route to
     * exposure that stands (not an index case). Absent for a person suspicious from the start
     * (`initial`), who keeps the hops of the revoked positive (0, as the initial status gave), and
     * in logs written before it was recorded: such a person kept those hops too, as those logs decided.
     */
    hops: z.number().int().positive().optional(),
  })
  .refine((e) => e.reason !== 'contact' || (e.sourcePersonId !== undefined && e.contactId !== undefined && e.x !== undefined && e.y !== undefined), {
    message: "reason 'contact' needs sourcePersonId, contactId, x and y",
  });

/**
 * `NotificationIssued` v1: the alert for one 0 -> 1 exposure. It names the exposed person and
 * their phone, never the source. `notificationId` is deterministic (`n-<tick>-<personId>`), so
 * consumers can drop duplicates.
 */
export const NotificationIssued = z.object({
  notificationId: z.string().min(1),
  personId: PersonId,
  phone: E164,
  /** `exposure` (absent in logs before policies): "you were exposed, get tested"; `released`: "you are released" (negative test or expiry). */
  kind: z.enum(['exposure', 'released']).optional(),
  /** A retroactive exposure: the tick of the contact (the alert says its day). */
  contactTick: z.number().int().nonnegative().optional(),
});

/** `PolicyAdopted` v1: the world's tracing policy from this tick on (absent from a log: the seed policy). */
export const PolicyAdopted = z.object({
  policy: Policy,
  /** Where it came from: `preset:<name>`, `file:<name>`, or `inbox:<revision>` for `stopcovid policy set`. */
  source: z.string().min(1),
});

/**
 * `TestResultRecorded` v1: a test result the tracing system learnt. `sampledTick`: the tick the
 * sample was taken (the retroactive window counts back from it). `source`: `simulated` (the
 * policy's testing) or `reported` (a `stopcovid test` command, inbox entry `inboxRevision`).
 */
export const TestResultRecorded = z.object({
  personId: PersonId,
  result: z.enum(['positive', 'negative', 'revoked']),
  sampledTick: z.number().int().nonnegative(),
  source: z.enum(['simulated', 'reported']),
  inboxRevision: z.number().int().nonnegative().optional(),
});

/**
 * `InfectionTransmitted` v1: the hidden ground truth of a simulation: `personId` was really
 * infected through contact `contactId` with `sourcePersonId`. The tracing system never reads it.
 */
export const InfectionTransmitted = z.object({
  personId: PersonId,
  sourcePersonId: PersonId,
  contactId: z.string().min(1),
});

/**
 * `CommandsApplied` v1: the tick consumed inbox entries `from..to` (revisions of the inbox stream,
 * inclusive); `rejected` lists those it could not apply and why. Replay and resume read it, so no
 * command is applied twice or lost.
 */
export const CommandsApplied = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  rejected: z.array(z.object({ revision: z.number().int().nonnegative(), reason: z.string().min(1) })),
});

/**
 * `TestResultReported` v1 (inbox): a person's test result sent by `stopcovid test`; `sampledAt`:
 * when the sample was taken, ISO-8601 (absent: when the tick that applies it starts).
 */
export const TestResultReported = z.object({
  phone: E164,
  result: z.enum(['positive', 'negative', 'revoked']),
  sampledAt: z.iso.datetime().optional(),
});

/** `PolicyChangeRequested` v1 (inbox): `stopcovid policy set`; the next tick adopts `policy`. */
export const PolicyChangeRequested = z.object({
  policy: Policy,
  source: z.string().min(1),
});

/** A WGS84 latitude, decimal degrees. */
const Latitude = z.number().min(-90).max(90);
/** A WGS84 longitude, decimal degrees. */
const Longitude = z.number().min(-180).max(180);

/**
 * `WorldIngested` v1: the first event of tick 0 of a world built from real input instead of a
 * simulation (`stopcovid ingest`); a store holds either this or `SimulationStarted`, never both.
 * Tick `t >= 1` is the time bucket `(at - tickMs, at]` with `at = start + t * tickMs`; every
 * bucket from 1 to `lastTick` is written, empty ones as a lone `TickCompleted`.
 * - `source: 'contacts'`: contact lists (SocioPatterns `t i j`); people have no position (all at 0,0),
 *   contacts carry distance 0.
 * - `source: 'positions'`: GPS fixes; `x`,`y` of people and contacts are metres east and north of
 *   `projection.originLat/originLon` on an equirectangular projection scaled at `projection.scaleLat`
 *   (rounded to whole metres); contacts are people within `radiusM` metres (great-circle distance).
 */
export const WorldIngested = z
  .object({
    source: z.enum(['contacts', 'positions']),
    people: z.number().int().positive(),
    /** Time of tick 0, ISO-8601: the start of the first bucket. */
    start: z.iso.datetime(),
    /** Length of one bucket (= one tick), milliseconds. */
    tickMs: z.number().int().positive(),
    /** The last tick of the world; a store whose last completed tick is lower holds a partial ingestion. */
    lastTick: z.number().int().nonnegative(),
    /** The moment that relative times in the input count from (1970-01-01T00:00:00Z for UNIX times). */
    epoch: z.iso.datetime(),
    /**
     * The time zone (IANA name, e.g. `Europe/Paris`) whose local midnight the buckets align on
     * (`ingest --tz`); absent in worlds ingested before it existed, whose buckets align on `epoch`.
     */
    timeZone: z.string().min(1).optional(),
    /** Contact distance, metres (positions only). */
    radiusM: z.number().positive().optional(),
    /**
     * Contact time one record of a contact list stands for, milliseconds (contacts only; `ingest
     * contacts --record`, default 20,000: SocioPatterns' resolution); a policy's minimum contact
     * time counts records of this length. Absent in position worlds, where a tick of contact is
     * one bucket, and in contact lists ingested before it existed, where a record counted a bucket.
     */
    contactMs: z.number().int().positive().optional(),
    /** The local projection of positions (positions only), degrees. */
    projection: z.object({ originLat: Latitude, originLon: Longitude, scaleLat: Latitude }).optional(),
    /** The input files (base names), their format, and the rows read and skipped in each. */
    inputs: z
      .array(
        z.object({
          file: z.string().min(1),
          format: z.enum(['sociopatterns', 'csv', 'cabspotting']),
          rows: z.number().int().nonnegative(),
          skipped: z.number().int().nonnegative(),
        }),
      )
      .min(1),
  })
  .refine((w) => (w.source === 'positions') === (w.radiusM !== undefined && w.projection !== undefined), {
    message: "radiusM and projection are required for source 'positions' and absent otherwise",
  });

/** `TickCompleted` v1: the commit marker of a tick, with counts and the hash of the resulting state. */
export const TickCompleted = z.object({
  tick: z.number().int().nonnegative(),
  healthy: z.number().int().nonnegative(),
  suspicious: z.number().int().nonnegative(),
  infected: z.number().int().nonnegative(),
  moves: z.number().int().nonnegative(),
  contacts: z.number().int().nonnegative(),
  exposures: z.number().int().nonnegative(),
  /** Events in this tick, this one included. */
  events: z.number().int().positive(),
  /** Hex SHA-256 of the state after the tick (see core/hash). */
  stateHash: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Every event type's current schema, by type name. */
export const schemas = {
  SimulationStarted,
  PersonRegistered,
  PersonMoved,
  ContactDetected,
  HealthStatusChanged,
  NotificationIssued,
  TickCompleted,
  WorldIngested,
  PolicyAdopted,
  TestResultRecorded,
  InfectionTransmitted,
  CommandsApplied,
  TestResultReported,
  PolicyChangeRequested,
} as const;

/** Current schema version of every event type. */
export const CURRENT_SCHEMA_VERSION = 1;
