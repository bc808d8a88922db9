/**
 * Folding a store's log into current state, tick by tick, honouring the commit marker.
 * @module
 */
import { decode, type DomainEvent, type RawEvent, type StoredEvent } from '../events/index.js';
import type { EventStore } from './ports.js';

export type { RawEvent };
import { evolve } from './evolve.js';
import { initialState, type WorldState } from './world.js';

/** Options of {@link loadWorld}. */
export interface LoadOptions {
  /** Stop after this tick completed (default: the last completed tick). */
  untilTick?: number;
  /** Called about every 10,000 events with the global position reached. */
  onProgress?: (position: number) => void;
}

/** What {@link loadWorld} read. */
export interface LoadResult {
  state: WorldState;
  /** Events read and applied (committed ticks only). */
  events: number;
  /** Events of ticks without `TickCompleted`, ignored. */
  ignored: number;
}

/**
 * Group events read in global order (from `readAll` or `subscribeAll`, which must include
 * `TickCompleted`) into committed ticks: the events of tick t are yielded together once
 * `TickCompleted(t)` is read; a tick that lacks it is left out and counted by `onIgnored`
 * (DESIGN.md: `TickCompleted` is the commit marker).
 * @throws EventDecodeError on a stored event that fails its schema.
 */
export async function* committedTicks(events: AsyncIterable<RawEvent>, onIgnored?: (n: number) => void): AsyncGenerator<StoredEvent[]> {
  let pending: StoredEvent[] = [];
  let pendingTick = -1;
  for await (const raw of events) {
    const event = decode(raw);
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

/**
 * Rebuild a world's current state from the store with the same `evolve` the simulation uses.
 * @throws EventDecodeError on a corrupt event; EvolveError on a log that does not fold.
 */
export async function loadWorld(store: EventStore, options: LoadOptions = {}): Promise<LoadResult> {
  const state = initialState();
  let events = 0;
  let ignored = 0;
  let nextReport = 10_000;
  for await (const tick of committedTicks(store.readAll(), (n) => (ignored += n))) {
    for (const event of tick) evolve(state, event as DomainEvent);
    events += tick.length;
    if (options.onProgress && events >= nextReport) {
      options.onProgress(tick[tick.length - 1]!.position);
      nextReport = events + 10_000;
    }
    if (options.untilTick !== undefined && state.tick >= options.untilTick) break;
  }
  return { state, events, ignored };
}
