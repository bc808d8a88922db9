/**
 * Ports: the small interfaces that adapters implement. Semantics follow EventStoreDB's
 * (streams, revisions from 0, `$all` positions, optimistic concurrency).
 * @module
 */
import type { RawEvent } from '../events/index.js';
import type { AppendItem, StoredRun } from './eventRun.js';

/** An event to append: type plus JSON-compatible data and metadata. */
export interface NewEvent {
  type: string;
  data: unknown;
  metadata: unknown;
}

/**
 * Expected revision of a stream before an append: `'no_stream'` (the stream must not exist),
 * `'any'` (no check), `'stream_exists'`, or the exact revision of the stream's last event.
 */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

/** Options of {@link EventStore.append}. */
export interface AppendOptions {
  /**
   * A store that writes a large append in several steps, yielding between them, gives it up when
   * this aborts before its last step: nothing of it is written, and the append rejects with
   * {@link AppendAbortedError}. Stores that write in one step ignore it.
   */
  signal?: AbortSignal;
}

/** Error code of {@link AppendAbortedError}. */
export const APPEND_ABORTED = 'APPEND_ABORTED';

/** An append given up on its signal: none of its events were written. */
export class AppendAbortedError extends Error {
  readonly code = APPEND_ABORTED;
  constructor(readonly stream: string) {
    super(`the append to ${stream} was given up: nothing of it was written`);
    this.name = 'AppendAbortedError';
  }
}

/** Type guard for {@link AppendAbortedError}, by code. */
export function isAppendAbortedError(error: unknown): error is AppendAbortedError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === APPEND_ABORTED;
}

/** Result of an append: the stream's new last revision and the global position of its last event. */
export interface AppendResult {
  nextExpectedRevision: number;
  position: number;
}

/** Options of a read of `$all`. Positions are exclusive: `after: 0` reads from the first event. */
export interface ReadAllOptions {
  /** Read events whose global position is greater than this one (default 0: from the start). */
  after?: number;
  /** Only these event types (a server-side filter where the store has one). */
  types?: readonly string[];
  /** Stop after this many events. */
  limit?: number;
}

/** Options of a catch-up subscription to `$all`. */
export interface SubscribeOptions extends Omit<ReadAllOptions, 'limit'> {
  /** Ends the subscription; the iterator then returns. */
  signal?: AbortSignal;
}

/**
 * The event store port. Streams hold events at revisions 0, 1, 2, ...; every event also has a
 * global position in `$all` (1, 2, 3, ... in commit order). One `append` is atomic.
 */
export interface EventStore {
  /**
   * Append `events` to `stream` atomically if the stream is at `expected`. Runs among them
   * (eventRun.ts) are their events, in order: a store keeps them as columns or expands them.
   * @throws ConcurrencyError (code `WRONG_EXPECTED_VERSION`) when it is not.
   */
  append(stream: string, events: readonly AppendItem[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /** Read one stream forwards from `fromRevision` (default 0); an absent stream yields nothing. */
  readStream(stream: string, fromRevision?: number): AsyncIterable<RawEvent>;
  /** Read `$all` forwards in global order. */
  readAll(options?: ReadAllOptions): AsyncIterable<RawEvent>;
  /**
   * The same events as {@link readAll}, in pages (non-empty arrays in global order), for readers
   * that handle many events at a time: a store that reads in pages anyway (SQLite) offers it and
   * saves a promise per event. Optional; {@link readPages} falls back on `readAll`.
   */
  readAllPages?(options?: ReadAllOptions): AsyncIterable<readonly RawEvent[]>;
  /**
   * The same events as {@link readAllPages}, where a store keeps a run of events of one type as
   * columns (record batches) handing it as a {@link StoredRun} instead of one object per event,
   * not validated. Optional; {@link readItems} falls back on `readAllPages`.
   */
  readAllRuns?(options?: ReadAllOptions): AsyncIterable<readonly RawItem[]>;
  /** Catch-up subscription: every event after `after`, then live ones, until `signal` aborts or the store closes. */
  subscribeAll(options?: SubscribeOptions): AsyncIterable<RawEvent>;
  /** The global position of the last event, 0 for an empty store. */
  lastPosition(): Promise<number>;
  /** Saved positions of named readers (consumer groups, the bridge). */
  readonly checkpoints: CheckpointStore;
  /** Release the store; open iterators end. */
  close(): Promise<void>;
}

/** `store.readAllPages(options)` where the store has it, else `readAll` one event a page. */
export async function* readPages(store: EventStore, options?: ReadAllOptions): AsyncGenerator<readonly RawEvent[]> {
  if (store.readAllPages) {
    yield* store.readAllPages(options);
    return;
  }
  for await (const event of store.readAll(options)) yield [event];
}

/** What {@link EventStore.readAllRuns} hands: stored events, and runs of them as columns. */
export type RawItem = RawEvent | StoredRun;

/** `store.readAllRuns(options)` where the store has it, else {@link readPages}. */
export async function* readItems(store: EventStore, options?: ReadAllOptions): AsyncGenerator<readonly RawItem[]> {
  if (store.readAllRuns) yield* store.readAllRuns(options);
  else yield* readPages(store, options);
}

/** Named checkpoints: the global position up to which a reader has handled events. */
export interface CheckpointStore {
  /** The saved position of `name`, or `undefined` when it has none. */
  load(name: string): Promise<number | undefined>;
  /** Save `position` for `name`. */
  save(name: string, position: number): Promise<void>;
}

/** Error code of {@link ConcurrencyError}. */
export const WRONG_EXPECTED_VERSION = 'WRONG_EXPECTED_VERSION';

/** An append found its stream at another revision than expected (a second writer, usually). */
export class ConcurrencyError extends Error {
  readonly code = WRONG_EXPECTED_VERSION;
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${stream} is at revision ${actual}, expected ${expected}`);
    this.name = 'ConcurrencyError';
  }
}

/** Type guard for {@link ConcurrencyError}, by code. */
export function isConcurrencyError(error: unknown): error is ConcurrencyError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === WRONG_EXPECTED_VERSION;
}

/**
 * Check `expected` against a stream's current last revision (`-1` when absent), the same way for
 * every adapter.
 * @throws ConcurrencyError when they disagree.
 */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision, current: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new ConcurrencyError(stream, expected, current === -1 ? 'no_stream' : current);
}

/** Error code of {@link StoreError}. */
export const STORE_ERROR = 'STORE_ERROR';

/**
 * A store could not be opened or used: unknown URL scheme, missing or unreadable file, a file
 * that is not a store, a server that does not answer. The message is one line for the user.
 * `unavailable` is true for outages (a server that cannot be reached or does not answer in time,
 * a subscription lost), which a retry may mend, as {@link BusError}'s `retriable`; false for
 * what the input must change (a URL, a file, credentials).
 */
export class StoreError extends Error {
  readonly code = STORE_ERROR;
  readonly unavailable: boolean;
  constructor(message: string, options?: { cause?: unknown; unavailable?: boolean }) {
    super(message, options);
    this.name = 'StoreError';
    this.unavailable = options?.unavailable === true;
  }
}

/** Type guard for {@link StoreError}, by code. */
export function isStoreError(error: unknown): error is StoreError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === STORE_ERROR;
}

/** The two kinds of alert: "you were exposed, get tested" and "you are released" (a negative test, or the end of the suspicion period). */
export type AlertKind = 'exposure' | 'released';

/**
 * One alert as the tracer knows it, read from a `NotificationIssued` event: the alerted person
 * and their phone, never the source. Tracer-side readers (the dashboard, the ledger, the bridge
 * before it publishes) use it; what leaves the tracer is a {@link PersonAlert}.
 */
export interface Notification {
  /** Internal and deterministic (from the event that caused it): `n-<tick>-<personId>`, `r-<tick>-<personId>` for a release. */
  notificationId: string;
  kind: AlertKind;
  personId: number;
  phone: string;
  tick: number;
  /** Simulated time of `tick`, ISO-8601. */
  at: string;
  /** A retroactive exposure: the tick of the contact, before `tick`. */
  contactTick?: number;
}

/**
 * An alert as the alerted person gets it (the bus's payload, `consume`'s output): no person id,
 * no tick, no minute, no source. `notificationId` is opaque but deterministic
 * (`<worldId>:<32 hex digits>`, see core/alertId.ts), so consumers drop duplicates of an
 * at-least-once delivery; `day` is the day of the contact (`YYYY-MM-DD`; for a release, the day
 * it was issued), in the world's time zone (UTC for simulations).
 */
export interface PersonAlert {
  notificationId: string;
  worldId: string;
  kind: AlertKind;
  phone: string;
  day: string;
  /** The text sent to the phone. */
  message: string;
}

/** A {@link PersonAlert} with its bus key: opaque, the same for all of one person's alerts (per-person order). */
export interface OutgoingAlert {
  key: string;
  alert: PersonAlert;
}

/** Options of {@link NotificationBus.consume}. */
export interface ConsumeOptions {
  /** Consumer group: members of one group share the partitions; each group sees every alert. */
  group: string;
  /** Reset the group's position to the first alert before reading. */
  fromBeginning?: boolean;
  /** Keep reading until `signal` aborts; otherwise stop once caught up with what existed at the start. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Called when this member joined the group, with the partitions it was given. */
  onAssigned?(partitions: number[]): void;
  /** With `follow`: told, once per outage, when the bus has not answered for a while (the read goes on). */
  onStall?(line: string): void;
  /**
   * Called once per alert, in order per person; the position is committed only after it returns.
   * If it throws, the alert is not committed (the group gets it again) and `consume` rejects with
   * that error.
   */
  onNotification(alert: PersonAlert): void | Promise<void>;
}

/**
 * Publishing with the publisher's checkpoint in the same bus transaction: a batch of alerts and
 * the position it brings the publisher to are committed together or not at all, and a second
 * publisher of the same name fences the first (Kafka transactions; exactly once for consumers
 * that read committed messages only).
 */
export interface TransactionalPublisher {
  /**
   * The position saved by the last committed transaction, or `undefined` when none was.
   * @throws BusError (retriable) at once when `signal` aborts before the bus answered.
   */
  checkpoint(signal?: AbortSignal): Promise<number | undefined>;
  /**
   * Publish `alerts` and save `position`, atomically. When `signal` aborts before the commit is
   * known, it rejects at once with a retriable BusError and the outcome is left to the bus: the
   * transaction commits whole or not at all, and {@link checkpoint} tells which.
   * @throws BusError; `retriable` false when another publisher of the same name took over (fenced).
   */
  publishAt(alerts: readonly OutgoingAlert[], position: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** The notification bus port: publish alerts, consume them as a consumer group. */
export interface NotificationBus {
  /** A transactional publisher named `name` (one per world and topic), where the bus has transactions. */
  transactional?(name: string): Promise<TransactionalPublisher>;
  /**
   * Publish `alerts` in order; resolves once the bus acknowledged all of them.
   * @throws BusError; a retriable one at once when `signal` aborts first (some alerts may be published).
   */
  publish(alerts: readonly OutgoingAlert[], signal?: AbortSignal): Promise<void>;
  /** Read alerts as a member of `options.group`. @throws BusError, or the error `onNotification` threw */
  consume(options: ConsumeOptions): Promise<void>;
  close(): Promise<void>;
}

/** Error code of {@link BusError}. */
export const BUS_ERROR = 'BUS_ERROR';

/**
 * The bus could not be reached or refused a request. `retriable` is true for outages (a broker
 * down, a timeout), false for errors that a retry cannot mend (a bad topic name, bad credentials).
 */
export class BusError extends Error {
  readonly code = BUS_ERROR;
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BusError';
  }
}

/** Type guard for {@link BusError}, by code. */
export function isBusError(error: unknown): error is BusError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === BUS_ERROR;
}
