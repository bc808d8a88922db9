/**
 * The EventStoreDB / KurrentDB event store (`esdb://`, `esdb+discover://`, `kurrentdb://`,
 * `kurrentdb+discover://`) on the official Node client, `@kurrent/kurrentdb-client`.
 *
 * - Streams: the port's stream `s` is the server's stream `namespace + s`. The store is the set
 *   of server streams that start with `namespace + prefix` (prefix `stopcovid.` by default, which
 *   every stream of ours carries); `$all` is read through a server-side filter on that prefix, so
 *   system events (`$`-streams) and other applications' streams are left out.
 * - Revisions are the server's (first event 0); positions map one-to-one to `$all` positions
 *   (see `esdbPosition.ts`); checkpoints are streams `stopcovid-checkpoint.<namespace><name>`
 *   with `$maxCount` 1, outside the filter.
 * - An append larger than the server's MaxAppendSize is split (see `esdbChunks.ts`); below it,
 *   an append is atomic.
 * - `subscribeAll` is the server's catch-up subscription to `$all`; when the connection drops it
 *   resubscribes from the last event it delivered and skips anything at or before it, so no
 *   event is lost or repeated.
 * The gRPC client stays inside this module; nothing else imports the SDK.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  eventTypeFilter,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendResult as ClientAppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SetStreamMetadataOptions,
  type StreamMetadata,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import { EventDecodeError, type RawEvent } from '../../events/index.js';
import { STREAM_PREFIX, StoreError, checkExpectedRevision, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type AppendItem, expandEvents, type ReadAllOptions, type SubscribeOptions } from '../../core/index.js';
import { chunkBySize, eventSizes } from './esdbChunks.js';
import { isRetriableEsdbError, isStreamNotFound, translateEsdbError, type ErrorContext } from './esdbErrors.js';
import { toLogPosition, toRevision, toStorePosition, toStreamState } from './esdbPosition.js';
import { DEFAULT_MAX_APPEND_BYTES, parseEsdbUrl, redact } from './esdbUrl.js';

/** The part of the KurrentDB client the adapter uses; `KurrentDBClient` has it (tests may pass a fake). */
export interface EsdbClient {
  appendToStream(stream: string, events: EventData[], options: AppendToStreamOptions): Promise<ClientAppendResult>;
  readStream(stream: string, options: ReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options: ClientReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options: SubscribeToAllOptions): EsdbSubscription;
  setStreamMetadata(stream: string, metadata: StreamMetadata, options?: SetStreamMetadataOptions): Promise<unknown>;
  dispose(): Promise<void>;
}

/** A catch-up subscription of the client: its events, a way to end it, and the server's confirmation. */
export interface EsdbSubscription extends AsyncIterable<AllStreamResolvedEvent> {
  unsubscribe(): Promise<void>;
  /** `'confirmation'`: the server accepted the subscription (the connection is up again). */
  once?(event: 'confirmation', listener: () => void): unknown;
}

/** Options of {@link esdbStore}. Durations are milliseconds, sizes bytes. */
export interface EsdbStoreOptions {
  /** Prepended to every stream name on the server (default ''): isolates worlds or test runs on one server. */
  namespace?: string;
  /** Port stream names must start with it (default `stopcovid.`); `''` only together with a namespace. */
  prefix?: string;
  /** The server's MaxAppendSize (default 1 MiB): larger appends are written in several. */
  maxAppendBytes?: number;
  /** Bound on each append and metadata write (default 10000); a call without answer fails with "outcome unknown". */
  deadlineMs?: number;
  /** How long a dropped subscription keeps trying to resubscribe before it fails (default 60000). */
  reconnectTimeoutMs?: number;
  /** The server as shown in messages (default `EventStoreDB`). */
  server?: string;
  /** The user of the credentials, for messages. */
  user?: string;
  /** Called last by `close()`; `usedGrpc` tells whether any gRPC call (append, subscription) was made. */
  onClose?(usedGrpc: boolean): Promise<void>;
}

/** An EventStoreDB store, plus the connectivity check that {@link openEsdbStore} runs. */
export interface EsdbStore extends EventStore {
  /** Read the last event of `$all` (any stream): proves the server answers and lets us read `$all`. @throws StoreError */
  ping(): Promise<void>;
}

/** First part of the checkpoint streams' names (outside every store's stream prefix). */
export const CHECKPOINT_CATEGORY = 'stopcovid-checkpoint.';
/** Event type of a saved checkpoint; data `{ position }`. */
export const CHECKPOINT_EVENT = 'StopcovidCheckpoint';

/**
 * Open the store at an `esdb://` / `kurrentdb://` URL (see `esdbUrl.ts` for its options) and
 * check, within the URL's `connectTimeout` (default 5 s), that the server answers and accepts
 * the credentials. `options.prefix` overrides the stream prefix (tests).
 * @throws StoreError for a malformed URL, a server that cannot be reached in time, or refused credentials.
 */
export async function openEsdbStore(url: string, options: { prefix?: string } = {}): Promise<EsdbStore> {
  const parsed = parseEsdbUrl(url);
  let client: KurrentDBClient;
  try {
    client = KurrentDBClient.connectionString(parsed.connectionString);
  } catch (error) {
    throw new StoreError(`cannot use store URL '${redact(url)}': ${String((error as Error).message ?? error).replace(/\s+/g, ' ')}`, { cause: error });
  }
  const store = esdbStore(client, {
    namespace: parsed.namespace,
    prefix: options.prefix,
    maxAppendBytes: parsed.maxAppendBytes,
    deadlineMs: parsed.deadlineMs,
    server: parsed.display,
    user: parsed.username,
    onClose: (usedGrpc) => (usedGrpc ? closeChannel(client) : Promise.resolve()),
  });
  try {
    await withDeadline(store.ping(), parsed.connectTimeoutMs, () => new StoreError(`cannot reach EventStoreDB at ${parsed.display} within ${parsed.connectTimeoutMs} ms; is the server running, and does the URL's tls= setting match it (a local insecure server needs ?tls=false)?`, { unavailable: true }));
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/**
 * The store over `client` (not checked: see {@link openEsdbStore}).
 * @throws StoreError when namespace and prefix are both empty (the store would take in every
 *   stream of the server), or would take in the checkpoint streams.
 */
export function esdbStore(client: EsdbClient, options: EsdbStoreOptions = {}): EsdbStore {
  const namespace = options.namespace ?? '';
  const prefix = options.prefix ?? STREAM_PREFIX;
  const scope = namespace + prefix;
  if (!scope) throw new StoreError('an EventStoreDB store needs a namespace or a stream prefix; without both it would take in every stream of the server');
  if (scope.startsWith('$')) throw new StoreError(`streams of '${scope}' would be system streams`);
  if (CHECKPOINT_CATEGORY.startsWith(scope) || scope.startsWith(CHECKPOINT_CATEGORY)) throw new StoreError(`namespace and prefix '${scope}' would take in the checkpoint streams (${CHECKPOINT_CATEGORY}...)`);
  const maxAppendBytes = options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES;
  const deadlineMs = options.deadlineMs ?? 10_000;
  const reconnectTimeoutMs = options.reconnectTimeoutMs ?? 60_000;
  const server = options.server ?? 'EventStoreDB';
  const closing = new AbortController();
  const subscriptions = new Set<EsdbSubscription>();
  let usedGrpc = false;

  const context = (op: string, extra: Partial<ErrorContext> = {}): ErrorContext => ({ op, server, user: options.user, ...extra });
  const guard = () => {
    if (closing.signal.aborted) throw new StoreError('the store is closed');
  };
  const serverName = (stream: string) => namespace + stream;
  const ours = (serverStream: string) => serverStream.startsWith(scope);
  const checkpointStream = (name: string) => `${CHECKPOINT_CATEGORY}${namespace}${name}`;

  /** The port's event for a resolved event of the client, or undefined when it is not ours. */
  const toRaw = (resolved: ResolvedEvent | AllStreamResolvedEvent): RawEvent | undefined => {
    const e = resolved.event;
    if (!e || !ours(e.streamId)) return undefined;
    const where = { stream: e.streamId.slice(namespace.length), revision: toRevision(e.revision), type: e.type };
    if (!e.isJson) throw new EventDecodeError(where, 'not JSON (stored as binary data)');
    if (e.metadata instanceof Uint8Array) throw new EventDecodeError(where, 'metadata is not JSON');
    // servers before 22.6 send no position with events read from one stream: 0 then
    const position = e.position ? toStorePosition(e.position, `event ${where.type} at ${where.stream}@${where.revision}`) : 0;
    return { ...where, position, data: e.data, metadata: e.metadata };
  };

  /** Server-side filter of a read of `$all`: our prefix, or the event types (our prefix then checked here). */
  const filterFor = (types: readonly string[] | undefined): Filter | 'nothing' => {
    if (types === undefined) return streamNameFilter({ prefixes: [scope] });
    if (types.length === 0) return 'nothing';
    return eventTypeFilter({ regex: `^(?:${types.map(escapeRegex).join('|')})$` });
  };

  const append = async (stream: string, items: readonly AppendItem[], expected: ExpectedRevision): Promise<AppendResult> => {
    guard();
    const events = expandEvents(items); // the server keeps one record per event
    if (!ours(serverName(stream))) throw new StoreError(`stream '${stream}' is outside this store: its streams start with '${prefix}'`);
    let state = toStreamState(expected);
    const target = serverName(stream);
    if (events.length === 0) {
      const current = await lastRevision(target, stream);
      checkExpectedRevision(stream, expected, current);
      return { nextExpectedRevision: current, position: await lastPosition() };
    }
    const sizes = eventSizes(events);
    const runs = chunkBySize(sizes, maxAppendBytes);
    let result: ClientAppendResult | undefined;
    for (const [i, [start, end]] of runs.entries()) {
      const op = runs.length > 1 ? `append ${i + 1} of ${runs.length} to ${stream}` : `append to ${stream}`;
      const bytes = sizes.slice(start, end).reduce((a, b) => a + b, 0);
      const ctx = context(op, { stream, expected: i === 0 ? expected : toRevision(state as bigint), bytes });
      usedGrpc = true;
      try {
        const call = client.appendToStream(target, events.slice(start, end).map(toEventData), { streamState: state, deadline: deadlineMs });
        result = await withDeadline(call, deadlineMs + 1000, () => new StoreError(`no answer from EventStoreDB at ${server} within ${deadlineMs} ms to the ${op}; it may or may not have been written`, { unavailable: true }));
      } catch (error) {
        const translated = translateEsdbError(error, ctx);
        if (i > 0 && !(translated as { code?: string }).code?.startsWith('WRONG')) translated.message += `; the first ${start} of ${events.length} events were written, without the last one (a tick stays uncommitted)`;
        throw translated;
      }
      state = result.nextExpectedRevision;
    }
    return { nextExpectedRevision: toRevision(result!.nextExpectedRevision), position: result!.position ? toStorePosition({ commit: result!.position.commit, prepare: result!.position.commit }) : await lastPositionOf(target, stream) };
  };

  /** Last revision of a server stream, -1 when it does not exist. */
  const lastRevision = async (target: string, stream: string): Promise<number> => {
    for await (const resolved of guarded(client.readStream(target, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }), context(`read of ${stream}`)))
      if (resolved.event) return toRevision(resolved.event.revision);
    return -1;
  };

  /** Position of the last event of a server stream (fallback when an append reports none). */
  const lastPositionOf = async (target: string, stream: string): Promise<number> => {
    for await (const resolved of guarded(client.readStream(target, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }), context(`read of ${stream}`)))
      if (resolved.event?.position) return toStorePosition(resolved.event.position);
    return lastPosition();
  };

  const lastPosition = async (): Promise<number> => {
    guard();
    const read = client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, filter: streamNameFilter({ prefixes: [scope] }) });
    for await (const resolved of guarded(read, context('read of $all'))) if (resolved.event && ours(resolved.event.streamId)) return toStorePosition(resolved.event.position);
    return 0;
  };

  async function* readStream(stream: string, fromRevision = 0): AsyncGenerator<RawEvent> {
    guard();
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new StoreError(`${fromRevision} is not a stream revision`);
    if (!ours(serverName(stream))) return;
    for await (const resolved of guarded(client.readStream(serverName(stream), { fromRevision: BigInt(fromRevision), direction: FORWARDS }), context(`read of ${stream}`))) {
      const raw = toRaw(resolved);
      if (raw) yield raw;
    }
  }

  async function* readAll(options: ReadAllOptions = {}): AsyncGenerator<RawEvent> {
    guard();
    const after = options.after ?? 0;
    let left = options.limit ?? Infinity;
    const filter = filterFor(options.types);
    if (left <= 0 || filter === 'nothing') return;
    // a read from a position includes the event there: ask for one more, and skip it
    const exact = options.types === undefined && Number.isFinite(left);
    const read = client.readAll({ fromPosition: after > 0 ? toLogPosition(after) : START, direction: FORWARDS, filter, ...(exact ? { maxCount: left + 1 } : {}) });
    for await (const resolved of guarded(read, context('read of $all'))) {
      const raw = toRaw(resolved);
      if (!raw || raw.position <= after) continue;
      yield raw;
      if (--left <= 0 || closing.signal.aborted) return;
    }
  }

  async function* subscribeAll(options: SubscribeOptions = {}): AsyncGenerator<RawEvent> {
    guard();
    const filter = filterFor(options.types);
    const signal = options.signal;
    const stopped = () => signal?.aborted === true || closing.signal.aborted;
    let last = options.after ?? 0;
    if (last > 0) toLogPosition(last); // a bad position fails now, not on each resubscription
    if (filter === 'nothing') {
      await sleep(Infinity, signal, closing.signal);
      return;
    }
    let failingSince: number | undefined;
    let delay = 100;
    const healthy = () => {
      failingSince = undefined;
      delay = 100;
    };
    while (!stopped()) {
      usedGrpc = true;
      const subscription = client.subscribeToAll({ fromPosition: last > 0 ? toLogPosition(last) : START, filter });
      subscription.once?.('confirmation', healthy);
      subscriptions.add(subscription);
      const iterator = subscription[Symbol.asyncIterator]();
      // an abort or close ends a wait for the next event at once, whatever the stream does after its cancel
      let onStop = () => {};
      const stop = new Promise<'stop'>((resolve) => (onStop = () => resolve('stop')));
      signal?.addEventListener('abort', onStop, { once: true });
      closing.signal.addEventListener('abort', onStop, { once: true });
      if (stopped()) onStop();
      try {
        for (;;) {
          const pending = iterator.next();
          pending.catch(() => undefined);
          const step = await Promise.race([pending, stop]);
          if (step === 'stop') return;
          if (step.done) break; // the server ended the subscription: resubscribe below
          healthy();
          const raw = toRaw(step.value);
          if (!raw || raw.position <= last) continue; // resubscribed: already delivered
          last = raw.position;
          yield raw;
          if (stopped()) return;
        }
      } catch (error) {
        if (stopped()) return;
        if (!isRetriableEsdbError(error)) throw translateEsdbError(error, context('subscription to $all'));
        failingSince ??= performance.now();
        if (performance.now() - failingSince > reconnectTimeoutMs)
          throw new StoreError(`lost the subscription to $all on EventStoreDB at ${server} and could not resubscribe within ${reconnectTimeoutMs} ms: ${translateEsdbError(error, context('subscription to $all')).message}`, { cause: error, unavailable: true });
      } finally {
        signal?.removeEventListener('abort', onStop);
        closing.signal.removeEventListener('abort', onStop);
        subscriptions.delete(subscription);
        await subscription.unsubscribe().catch(() => undefined);
        void iterator.return?.()?.catch(() => undefined);
      }
      await sleep(delay * (0.5 + Math.random()), signal, closing.signal);
      delay = Math.min(delay * 2, 5000);
    }
  }

  return {
    append,
    readStream,
    readAll,
    subscribeAll,
    lastPosition,
    checkpoints: {
      async load(name) {
        guard();
        const stream = checkpointStream(name);
        for await (const resolved of guarded(client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }), context(`read of checkpoint ${name}`))) {
          const position = (resolved.event?.data as { position?: unknown } | undefined)?.position;
          if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) throw new StoreError(`checkpoint '${name}' in stream ${stream} is corrupt: no position in it`);
          return position;
        }
        return undefined;
      },
      async save(name, position) {
        guard();
        if (!name) throw new StoreError('a checkpoint needs a name');
        if (!Number.isSafeInteger(position) || position < 0) throw new StoreError(`checkpoint position ${position} is not a position`);
        const stream = checkpointStream(name);
        const event: EventData = { id: randomUUID(), contentType: 'application/json', type: CHECKPOINT_EVENT, data: { position }, metadata: undefined };
        usedGrpc = true;
        const op = `save of checkpoint ${name}`;
        try {
          const result = await withDeadline(client.appendToStream(stream, [event], { streamState: 'any', deadline: deadlineMs }), deadlineMs + 1000, () => new StoreError(`no answer from EventStoreDB at ${server} within ${deadlineMs} ms to the ${op}`, { unavailable: true }));
          // the first save keeps only the latest checkpoint from then on
          if (result.nextExpectedRevision === 0n) await withDeadline(client.setStreamMetadata(stream, { maxCount: 1 }, { deadline: deadlineMs }), deadlineMs + 1000, () => new StoreError(`no answer from EventStoreDB at ${server} within ${deadlineMs} ms to the ${op}`, { unavailable: true }));
        } catch (error) {
          throw translateEsdbError(error, context(op));
        }
      },
    },
    async ping() {
      guard();
      for await (const resolved of guarded(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }), context('read of $all'))) void resolved;
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      await Promise.allSettled([...subscriptions].map((s) => s.unsubscribe()));
      await client.dispose().catch(() => undefined);
      await options.onClose?.(usedGrpc).catch(() => undefined);
    },
  };
}

/** The client's event for a port event (a fresh UUID; undefined data is sent as null). */
function toEventData(event: NewEvent): EventData {
  return { id: randomUUID(), contentType: 'application/json', type: event.type, data: (event.data ?? null) as never, metadata: event.metadata as never };
}

/**
 * Iterate `iterable`, translating the client's errors: an absent stream reads as empty, other
 * errors become the port's (see {@link translateEsdbError}).
 */
async function* guarded<T>(iterable: AsyncIterable<T>, context: ErrorContext): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      let step: IteratorResult<T>;
      try {
        step = await iterator.next();
      } catch (error) {
        done = true;
        if (isStreamNotFound(error)) return;
        throw translateEsdbError(error, context);
      }
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) await iterator.return?.().catch(() => undefined);
  }
}

/** `promise`, or the error of `onTimeout` after `ms` milliseconds; a late rejection is ignored. */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Wait `ms` (Infinity: until a signal), or until one of `signals` aborts. */
function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const live = signals.filter((s): s is AbortSignal => s !== undefined);
    if (live.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    for (const s of live) s.addEventListener('abort', done, { once: true });
  });
}

/** `text` with the metacharacters of .NET regular expressions escaped. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}#\s-]/g, (c) => (/\s/.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `\\${c}`));
}

/**
 * Close the client's gRPC channel: `dispose()` ends the client's streams but neither a unary call
 * still waiting for a silent server nor the channel, and either keeps the process alive.
 */
async function closeChannel(client: KurrentDBClient): Promise<void> {
  const getChannel = (client as unknown as { getChannel?: () => Promise<{ close(): void }> }).getChannel;
  if (typeof getChannel !== 'function') return;
  const channel = await withDeadline(getChannel.call(client), 1000, () => new Error('no channel')).catch(() => undefined);
  channel?.close();
}
