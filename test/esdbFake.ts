/**
 * An in-memory stand-in for the KurrentDB client, for testing the EventStoreDB adapter's own
 * logic (namespaces, position and revision mapping, chunked appends, resubscription) without a
 * server. It follows the server's documented behaviour and source where the adapter relies on
 * it: `$all` positions are log byte offsets with commit = prepare per appended event; a read of
 * `$all` from a position includes the event there; an append over MaxAppendSize (data +
 * metadata + 2 x type length) is refused; reading an absent stream throws StreamNotFoundError.
 * Subscriptions also include the event at their start position: the worst case for duplicates.
 * It raises the client's own error classes. It proves nothing about a real server: the live
 * tests (test/store.esdb.test.ts) do that.
 */
import { AccessDeniedError, MaxAppendSizeExceededError, StreamNotFoundError, UnavailableError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import type { AllStreamResolvedEvent, AppendResult, AppendToStreamOptions, EventData, Filter, ReadAllOptions, ReadStreamOptions, ResolvedEvent, StreamMetadata, SubscribeToAllOptions } from '@kurrent/kurrentdb-client';
import type { EsdbClient, EsdbSubscription } from '../adapters/store/esdb.js';

interface Record {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: string | Uint8Array;
  metadata: string | undefined;
  position: { commit: bigint; prepare: bigint };
}

interface Live {
  drop(error: Error): void;
  end(): void;
}

const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text));
const compare = (a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }) =>
  a.commit === b.commit ? (a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1) : a.commit < b.commit ? -1 : 1;

export class FakeEsdb implements EsdbClient {
  readonly log: Record[] = [];
  readonly streams = new Map<string, Record[]>();
  readonly metadata = new Map<string, StreamMetadata>();
  /** Every append call: stream, number of events, bytes counted, expected state. */
  readonly appends: { stream: string; types: string[]; bytes: number; streamState: unknown }[] = [];
  maxAppendSize = 1_048_576;
  /** Return an error to make the n-th append call (1-based) fail before writing. */
  failAppend?: (call: number, stream: string) => Error | undefined;
  /** Return an error to make a new subscription fail at once. */
  failSubscribe?: () => Error | undefined;
  /** Make `unsubscribe()` leave a pending wait for the next event hanging (the worst a stream may do after a cancel). */
  stuckAfterUnsubscribe = false;
  /** Subscriptions the server confirmed. */
  confirmations = 0;
  private offset = 1000n;
  private readonly live = new Set<Live>();
  private waiters: (() => void)[] = [];

  constructor() {
    // what a real server holds besides our streams: system streams and another application's
    this.write('$stats-127.0.0.1:2113', '$statsCollected', { cpu: 1 });
    this.write('orders-17', 'OrderPlaced', { total: 3 });
  }

  /** Append a record as the server would (or with `position` forced, e.g. a legacy transaction). */
  write(streamId: string, type: string, data: unknown, metadata?: unknown, options: { binary?: boolean; position?: { commit: bigint; prepare: bigint } } = {}): Record {
    const records = this.streams.get(streamId) ?? [];
    const json = JSON.stringify(data);
    const meta = metadata === undefined ? undefined : JSON.stringify(metadata);
    const record: Record = {
      streamId,
      id: `${this.log.length}`,
      revision: BigInt(records.length),
      type,
      isJson: !options.binary,
      data: options.binary ? Buffer.from(json) : json,
      metadata: meta,
      position: options.position ?? { commit: this.offset, prepare: this.offset },
    };
    this.offset += 80n + BigInt(bytes(json) + bytes(meta) + type.length * 2);
    records.push(record);
    this.streams.set(streamId, records);
    this.log.push(record);
    this.log.sort((a, b) => compare(a.position, b.position));
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    return record;
  }

  /** End every live subscription with `error`, as a dropped connection does. */
  dropSubscriptions(error: Error = new UnavailableError()): void {
    for (const l of [...this.live]) l.drop(error);
  }

  get liveSubscriptions(): number {
    return this.live.size;
  }

  async appendToStream(stream: string, events: EventData[], options: AppendToStreamOptions): Promise<AppendResult> {
    const state = options.streamState ?? 'any';
    const size = events.reduce((sum, e) => sum + bytes(JSON.stringify(e.data)) + (e.metadata ? bytes(JSON.stringify(e.metadata)) : 0) + e.type.length * 2, 0);
    this.appends.push({ stream, types: events.map((e) => e.type), bytes: size, streamState: state });
    const injected = this.failAppend?.(this.appends.length, stream);
    if (injected) throw injected;
    const current = BigInt((this.streams.get(stream)?.length ?? 0) - 1);
    const ok = state === 'any' || (state === 'no_stream' && current === -1n) || (state === 'stream_exists' && current >= 0n) || (typeof state === 'bigint' && state === current);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName: stream, expected: state, current: current === -1n ? 'no_stream' : current });
    if (size > this.maxAppendSize) throw MaxAppendSizeExceededError.fromMaxAppendSize(this.maxAppendSize);
    let last: Record | undefined;
    for (const e of events) last = this.write(stream, e.type, e.data, e.metadata);
    return { success: true, nextExpectedRevision: current + BigInt(events.length), position: last && { commit: last.position.commit, prepare: last.position.commit } };
  }

  readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<ResolvedEvent> {
    const self = this;
    return (async function* () {
      const all = self.streams.get(stream);
      if (!all) throw new StreamNotFoundError(undefined, stream);
      const keep = self.metadata.get(stream)?.maxCount;
      let records = keep === undefined ? [...all] : all.slice(-keep);
      const from = options.fromRevision ?? 'start';
      if (options.direction === 'backwards') {
        records = records.reverse().filter((r) => from === 'end' || from === 'start' || r.revision <= from);
      } else {
        records = records.filter((r) => from === 'start' || (from !== 'end' && r.revision >= from));
      }
      for (const r of records.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event: toRecorded(r) } as ResolvedEvent;
    })();
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<AllStreamResolvedEvent> {
    const self = this;
    return (async function* () {
      const from = options.fromPosition ?? 'start';
      let records: Record[];
      if (options.direction === 'backwards') records = [...self.log].reverse().filter((r) => from === 'end' || from === 'start' || compare(r.position, from) < 0);
      else records = self.log.filter((r) => from === 'start' || (from !== 'end' && compare(r.position, from) >= 0));
      let left = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      for (const r of records) {
        if (left <= 0) return;
        if (!matches(r, options.filter)) continue;
        left--;
        yield { event: toRecorded(r) } as AllStreamResolvedEvent;
      }
    })();
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): EsdbSubscription {
    const self = this;
    const state = { ended: false, failure: self.failSubscribe?.() as Error | undefined, wake: () => {} };
    const handle: Live = {
      drop: (error) => ((state.failure = error), state.wake()),
      end: () => ((state.ended = true), state.wake()),
    };
    this.live.add(handle);
    const from = options.fromPosition ?? 'start';
    const run = async function* () {
      try {
        let i = from === 'start' ? 0 : from === 'end' ? self.log.length : self.log.findIndex((r) => compare(r.position, from) >= 0);
        if (i === -1) i = self.log.length;
        for (;;) {
          if (state.failure) throw state.failure;
          if (state.ended) return;
          if (i < self.log.length) {
            const r = self.log[i++]!;
            if (matches(r, options.filter)) yield { event: toRecorded(r) } as AllStreamResolvedEvent;
            continue;
          }
          await new Promise<void>((resolve) => {
            state.wake = resolve;
            self.waiters.push(resolve);
          });
        }
      } finally {
        self.live.delete(handle);
      }
    };
    const iterator = run();
    const confirmed = state.failure === undefined;
    return Object.assign(iterator, {
      unsubscribe: async () => (self.stuckAfterUnsubscribe ? undefined : handle.end()),
      once: (event: 'confirmation', listener: () => void) => {
        if (event === 'confirmation' && confirmed) setImmediate(() => (self.confirmations++, listener()));
        return iterator;
      },
    });
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<unknown> {
    this.metadata.set(stream, metadata);
    this.write(`$$${stream}`, '$metadata', { $maxCount: metadata.maxCount });
    return { success: true };
  }

  async dispose(): Promise<void> {
    for (const l of [...this.live]) l.end();
  }
}

/** Errors a caller may want to inject. */
export const errors = { unavailable: () => new UnavailableError(), denied: () => new AccessDeniedError() };

function matches(r: Record, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? r.streamId : r.type;
  if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
  return new RegExp(filter.regex).test(subject);
}

function toRecorded(r: Record) {
  return {
    streamId: r.streamId,
    id: r.id,
    revision: r.revision,
    type: r.type,
    isJson: r.isJson,
    data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data,
    metadata: r.metadata === undefined ? undefined : JSON.parse(r.metadata),
    created: new Date(0),
    position: { ...r.position },
  };
}
