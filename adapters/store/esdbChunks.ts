/**
 * Splitting an append into appends the server accepts. EventStoreDB refuses an append whose
 * events add up to more than its MaxAppendSize (1 MiB by default), counting each event as
 * `data bytes + metadata bytes + 2 x type length` (`Event.SizeOnDisk` in the server; older
 * servers count less, never more). A larger batch, such as the tick of a big world, is written
 * in several appends, in order: the first with the caller's expected revision, each later one
 * with the exact revision the previous one reached. Order is kept, so the batch's last event
 * (`TickCompleted` for a tick: the commit marker) is in the last append, and a failure half way
 * leaves a tick without its marker, which readers ignore (`committedTicks`).
 * @module
 */

/** An event as the adapter sends it: its JSON text is what the client sends as bytes. */
export interface SizedEvent {
  type: string;
  data: unknown;
  metadata: unknown;
}

const utf8 = new TextEncoder();

/** Bytes of `text` in UTF-8, without allocating for ASCII. */
export function utf8Length(text: string): number {
  return /^[\x00-\x7f]*$/.test(text) ? text.length : utf8.encode(text).length;
}

/**
 * The size the server counts for `event` against MaxAppendSize, in bytes: its data and metadata
 * as UTF-8 JSON (as the client encodes them; absent metadata counts 0) plus twice the type's length.
 * `metadataSize` may supply the metadata's size when it was already measured (a tick shares one object).
 */
export function eventSize(event: SizedEvent, metadataSize?: number): number {
  const data = JSON.stringify(event.data ?? null);
  const meta = metadataSize ?? (event.metadata ? utf8Length(JSON.stringify(event.metadata)) : 0);
  return utf8Length(data) + meta + event.type.length * 2;
}

/**
 * Cut `sizes` (bytes per item, in order) into consecutive runs whose totals stay within
 * `limit` bytes, greedily. An item larger than `limit` alone forms a run of its own (the server
 * then decides). Returns the runs as `[start, end)` index pairs covering every item once, in
 * order; no runs for no items.
 * @throws RangeError for a limit below 1 or a negative size.
 */
export function chunkBySize(sizes: readonly number[], limit: number): [start: number, end: number][] {
  if (!(limit >= 1)) throw new RangeError(`chunk limit ${limit} is below 1 byte`);
  const runs: [number, number][] = [];
  let start = 0;
  let total = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    if (!(size >= 0)) throw new RangeError(`size ${size} of item ${i} is negative`);
    if (i > start && total + size > limit) {
      runs.push([start, i]);
      start = i;
      total = 0;
    }
    total += size;
  }
  if (sizes.length > start) runs.push([start, sizes.length]);
  return runs;
}

/** The sizes of `events` per {@link eventSize}, measuring each distinct metadata object once. */
export function eventSizes(events: readonly SizedEvent[]): number[] {
  let lastMeta: unknown;
  let lastMetaSize = 0;
  return events.map((e) => {
    if (e.metadata !== lastMeta) {
      lastMeta = e.metadata;
      lastMetaSize = e.metadata ? utf8Length(JSON.stringify(e.metadata)) : 0;
    }
    return eventSize(e, lastMetaSize);
  });
}
