/**
 * Grouping the log into committed ticks: `TickCompleted` is the commit marker.
 * @module
 */
import { decode, type RawEvent, type StoredEvent } from '../../events/index.js';
import { INBOX_STREAM } from '../streams.js';

/**
 * Group events read in global order (from `readAll`, `readAllPages` or `subscribeAll`, which
 * must include `TickCompleted`; an item that is an array is a page of events) into committed
 * ticks: the events of tick t are yielded together once `TickCompleted(t)` is read; a tick that lacks it is left out and counted by `onIgnored`
 * (DESIGN.md: `TickCompleted` is the commit marker). An inbox command (one append of its own,
 * committed by itself) is yielded alone, or with the tick it fell inside (a tick written in
 * several appends), without disturbing it.
 * @throws EventDecodeError on a stored event that fails its schema.
 */
export async function* committedTicks(events: AsyncIterable<RawEvent | readonly RawEvent[]>, onIgnored?: (n: number) => void): AsyncGenerator<StoredEvent[]> {
  let pending: StoredEvent[] = [];
  let pendingTick = -1;
  const done: StoredEvent[][] = [];
  const add = (raw: RawEvent) => {
    const event = decode(raw);
    if (raw.stream === INBOX_STREAM) {
      // inside a tick written in several appends, it rides with the tick (positions stay in order)
      if (pending.length > 0) pending.push(event);
      else done.push([event]);
      return;
    }
    const tick = event.metadata.tick;
    if (tick !== pendingTick) {
      if (pending.length > 0) onIgnored?.(pending.length);
      pending = [];
      pendingTick = tick;
    }
    pending.push(event);
    if (event.type === 'TickCompleted') {
      done.push(pending);
      pending = [];
      pendingTick = -1;
    }
  };
  for await (const item of events) {
    if (Array.isArray(item)) for (const raw of item as readonly RawEvent[]) add(raw);
    else add(item as RawEvent);
    while (done.length > 0) yield done.shift()!;
  }
  if (pending.length > 0) onIgnored?.(pending.length);
}
