/**
 * Grouping the log into committed ticks: `TickCompleted` is the commit marker.
 * @module
 */
import { decode, type RawEvent, type StoredEvent } from '../../events/index.js';
import { INBOX_STREAM } from '../streams.js';
import { isEventRun, joinRuns, type StoredRun } from '../eventRun.js';
import { eventsOf, type StoredItem } from './projection.js';
import { validateRun } from './validateRun.js';

/** What the grouping reads: events and runs of them, one at a time or in pages. */
type Source = AsyncIterable<RawEvent | StoredRun | readonly (RawEvent | StoredRun)[]>;

/**
 * Group events read in global order (from `readAll`, `readAllPages` or `subscribeAll`, which
 * must include `TickCompleted`; an item that is an array is a page of events) into committed
 * ticks: the events of tick t are yielded together once `TickCompleted(t)` is read; a tick that lacks it is left out and counted by `onIgnored`
 * (DESIGN.md: `TickCompleted` is the commit marker). An inbox command (one append of its own,
 * committed by itself) is yielded alone, or with the tick it fell inside (a tick written in
 * several appends), without disturbing it. Runs among the events (from `readAllRuns`) are
 * expanded: see {@link committedItems} to keep them.
 * @throws EventDecodeError on a stored event that fails its schema.
 */
export async function* committedTicks(events: Source, onIgnored?: (n: number) => void): AsyncGenerator<StoredEvent[]> {
  for await (const tick of committedItems(events, onIgnored)) yield eventsOf(tick) as StoredEvent[];
}

/**
 * {@link committedTicks}, keeping runs of events (`readAllRuns`) as runs: each is validated
 * column by column where its type allows (validateRun.ts), else decoded event by event; the
 * pieces of one run read in several pages are joined again in their tick.
 * `onIgnored` counts events, a run as its events.
 * @throws EventDecodeError on a stored event that fails its schema.
 */
export async function* committedItems(events: Source, onIgnored?: (n: number) => void): AsyncGenerator<StoredItem[]> {
  let pending: StoredItem[] = [];
  let pendingEvents = 0;
  let pendingTick = -1;
  const done: StoredItem[][] = [];
  const add = (item: StoredItem, count: number, tick: number, stream: string, marker: boolean) => {
    if (stream === INBOX_STREAM) {
      // inside a tick written in several appends, it rides with the tick (positions stay in order)
      if (pending.length > 0) (pending.push(item), (pendingEvents += count));
      else done.push([item]);
      return;
    }
    if (tick !== pendingTick) {
      if (pending.length > 0) onIgnored?.(pendingEvents);
      pending = [];
      pendingEvents = 0;
      pendingTick = tick;
    }
    pending.push(item);
    pendingEvents += count;
    if (marker) {
      done.push(joinRuns(pending));
      pending = [];
      pendingEvents = 0;
      pendingTick = -1;
    }
  };
  const addRaw = (raw: RawEvent | StoredRun) => {
    if (isEventRun(raw)) {
      for (const item of validateRun(raw as StoredRun)) {
        if (isEventRun(item)) add(item, item.count, (item.metadata as { tick: number }).tick, item.stream, false);
        else add(item, 1, item.metadata.tick, item.stream, item.type === 'TickCompleted');
      }
      return;
    }
    const event = decode(raw as RawEvent);
    add(event, 1, event.metadata.tick, event.stream, event.type === 'TickCompleted');
  };
  for await (const item of events) {
    if (Array.isArray(item)) for (const raw of item as readonly (RawEvent | StoredRun)[]) addRaw(raw);
    else addRaw(item as RawEvent | StoredRun);
    while (done.length > 0) yield done.shift()!;
  }
  if (pending.length > 0) onIgnored?.(pendingEvents);
}
