/**
 * A catch-up subscription built from paged reads: read pages after the last position until a
 * short page, then wait for an append (or a poll interval, for writers in other processes) and
 * read again, until aborted.
 * @module
 */
import type { RawEvent } from '../../events/index.js';

/** What a store supplies to {@link catchUp}. */
export interface CatchUpSource {
  /** Up to `limit` events with position > `after`, in order. */
  readPage(after: number, limit: number): RawEvent[] | Promise<RawEvent[]>;
  /** Resolves when new events may exist: after an append, or `pollMs` at the latest. */
  waitForAppend(pollMs: number, signal?: AbortSignal): Promise<void>;
  /** True once the store is closed. */
  closed(): boolean;
}

/** Page size of catch-up reads, in events. */
export const PAGE = 1000;

/**
 * Yield every event after `after`, then live ones, until `signal` aborts or the store closes.
 * `pollMs` (milliseconds) bounds the wait for events appended by another process.
 */
export async function* catchUp(source: CatchUpSource, after: number, signal?: AbortSignal, pollMs = 100): AsyncGenerator<RawEvent> {
  let position = after;
  while (!signal?.aborted && !source.closed()) {
    const page = await source.readPage(position, PAGE);
    for (const event of page) {
      yield event;
      position = event.position;
      if (signal?.aborted) return;
    }
    if (page.length < PAGE) await source.waitForAppend(pollMs, signal);
  }
}

/** A waiter list that `notify` releases, for in-process appends. */
export class AppendSignal {
  private waiters: (() => void)[] = [];

  /** Resolve on the next `notify`, after `ms`, or on abort, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  /** Release every waiter. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
