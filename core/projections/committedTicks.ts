/**
 * Grouping the log into committed ticks: `TickCompleted` is the commit marker.
 * @module
 */
import { decode, type RawEvent, type StoredEvent } from '../../events/index.js';
import { INBOX_STREAM } from '../streams.js';

/**
 * Group events read in global order (from `readAll` or `subscribeAll`, which must include
 * `TickCompleted`) into committed ticks: the events of tick t are yielded together once
 * `TickCompleted(t)` is read; a tick that lacks it is left out and counted by `onIgnored`
 * (DESIGN.md: `TickCompleted` is the commit marker). An inbox command (one append of its own,
 * committed by itself) is yielded alone, without disturbing the tick around it.
 * @throws EventDecodeError on a stored event that fails its schema.
 */
export async function* committedTicks(events: AsyncIterable<RawEvent>, onIgnored?: (n: number) => void): AsyncGenerator<StoredEvent[]> {
  let pending: StoredEvent[] = [];
  let pendingTick = -1;
  for await (const raw of events) {
    const event = decode(raw);
    if (raw.stream === INBOX_STREAM) {
      yield [event];
      continue;
    }
    const tick = event.metadata.tick;
    if (tick !== pendingTick) {
      if (pending.length > 0) onIgnored?.(pending.length);
      pending = [];
      pendingTick = tick;
    }
    pending.push(event);
    if (event.type === 'TickCompleted') {
      yield pending;
      pending = [];
      pendingTick = -1;
    }
  }
  if (pending.length > 0) onIgnored?.(pending.length);
}
