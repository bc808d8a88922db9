/**
 * The in-memory event store (`memory:`): the reference implementation of the port, for tests and
 * embedding. Everything is lost when the process ends.
 * @module
 */
import type { RawEvent } from '../../events/index.js';
import { checkExpectedRevision, StoreError, type AppendResult, type CheckpointStore, type EventStore, type ExpectedRevision, type AppendItem, expandEvents, type ReadAllOptions, type SubscribeOptions } from '../../core/index.js';
import { AppendSignal, catchUp } from './catchUp.js';

/**
 * Create an empty in-memory store. Appended data is copied (`structuredClone`); events read back
 * are shared and must not be mutated.
 */
export function memoryStore(): EventStore {
  const log: RawEvent[] = [];
  const streams = new Map<string, RawEvent[]>();
  const checkpoints = new Map<string, number>();
  const appended = new AppendSignal();
  let closed = false;
  const open = () => {
    if (closed) throw new StoreError('the store is closed');
  };
  const select = (after: number, types: readonly string[] | undefined, limit: number): RawEvent[] => {
    const out: RawEvent[] = [];
    const wanted = types ? new Set(types) : undefined;
    for (let i = Math.max(0, after); i < log.length && out.length < limit; i++) {
      const e = log[i]!;
      if (!wanted || wanted.has(e.type)) out.push(e);
    }
    return out;
  };
  const store: EventStore = {
    async append(stream: string, items: readonly AppendItem[], expected: ExpectedRevision): Promise<AppendResult> {
      open();
      const events = expandEvents(items);
      const existing = streams.get(stream);
      const current = existing ? existing.length - 1 : -1;
      checkExpectedRevision(stream, expected, current);
      const target = existing ?? [];
      for (const e of events) {
        const raw: RawEvent = { stream, revision: target.length, position: log.length + 1, type: e.type, data: structuredClone(e.data), metadata: structuredClone(e.metadata) };
        target.push(raw);
        log.push(raw);
      }
      if (!existing && events.length > 0) streams.set(stream, target);
      appended.notify();
      return { nextExpectedRevision: target.length - 1, position: log.length };
    },
    async *readStream(stream: string, fromRevision = 0) {
      open();
      for (const e of (streams.get(stream) ?? []).slice(fromRevision)) yield e;
    },
    async *readAll(options: ReadAllOptions = {}) {
      open();
      let after = options.after ?? 0;
      let left = options.limit ?? Infinity;
      while (left > 0) {
        const page = select(after, options.types, Math.min(1000, left));
        for (const e of page) yield e;
        if (page.length === 0) return;
        after = page[page.length - 1]!.position;
        left -= page.length;
      }
    },
    subscribeAll(options: SubscribeOptions = {}) {
      open();
      return catchUp(
        { readPage: (after, limit) => select(after, options.types, limit), waitForAppend: (ms, signal) => appended.wait(ms, signal), closed: () => closed },
        options.after ?? 0,
        options.signal,
      );
    },
    async lastPosition() {
      return log.length;
    },
    checkpoints: {
      async load(name) {
        return checkpoints.get(name);
      },
      async save(name, position) {
        checkpoints.set(name, position);
      },
    } satisfies CheckpointStore,
    async close() {
      closed = true;
      appended.notify();
    },
  };
  return store;
}
