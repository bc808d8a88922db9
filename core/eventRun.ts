/**
 * Event runs: consecutive events of one type and one metadata whose data are kept column by
 * column instead of one object per event (a tick's `PersonMoved` events of 1,000,000 people: three
 * `Int32Array`s instead of a million objects). A run is a way of carrying events, not a kind of
 * event: each of its events keeps its own identity (stream, revision, global position), and
 * {@link expandRun} gives back exactly the objects the simulation would have built (same keys in
 * the same order), so a store or a read model that does not know runs expands them and sees the
 * same events. Kafka's record batches and Arrow's record batches carry records the same way.
 * @module
 */
import type { NewEvent } from './ports.js';

/** One column of a run: integers (person ids, cells) or strings (phones), one value per event. */
export type RunColumn = Int32Array | readonly string[];

/**
 * `count` consecutive events of `type` sharing `metadata`: event `i` has the data
 * `{ [keys[0]]: columns[0][i], [keys[1]]: columns[1][i], ... }` (keys in that order).
 */
export interface EventRun {
  readonly type: string;
  readonly metadata: unknown;
  readonly count: number;
  readonly keys: readonly string[];
  readonly columns: readonly RunColumn[];
}

/** A run read back from (or written to) a stream: its first event is at `revision` of `stream` and at global position `position`; event `i` at `revision + i` and `position + i`. */
export interface StoredRun extends EventRun {
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
}

/** What an append takes: events as objects, and runs of them as columns, in order. */
export type AppendItem = NewEvent | EventRun;

/** True for a run (an item with columns), false for an event object. */
export function isEventRun(item: unknown): item is EventRun {
  return typeof item === 'object' && item !== null && Array.isArray((item as { keys?: unknown }).keys) && (item as { columns?: unknown }).columns !== undefined;
}

/** The number of events `items` hold (a run counts its events). */
export function eventCount(items: readonly AppendItem[]): number {
  let n = 0;
  for (const item of items) n += isEventRun(item) ? item.count : 1;
  return n;
}

/** The column of `key` in `run`, or undefined when the run has no such key. */
export function runColumn(run: EventRun, key: string): RunColumn | undefined {
  const k = run.keys.indexOf(key);
  return k < 0 ? undefined : run.columns[k];
}

/** The data of event `i` of `run`, as the object its writer would have built. */
export function runData(run: EventRun, i: number): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const { keys, columns } = run;
  for (let k = 0; k < keys.length; k++) data[keys[k]!] = columns[k]![i];
  return data;
}

/** Events `from..to` of `run` as objects (all of them by default); they share the run's metadata object. */
export function expandRun(run: EventRun, from = 0, to = run.count): NewEvent[] {
  const out = new Array<NewEvent>(Math.max(0, to - from));
  for (let i = from; i < to; i++) out[i - from] = { type: run.type, data: runData(run, i), metadata: run.metadata };
  return out;
}

/** `items` with every run expanded into its events (`items` itself when it holds no run). */
export function expandEvents(items: readonly AppendItem[]): NewEvent[] {
  if (!items.some(isEventRun)) return items as NewEvent[];
  const out: NewEvent[] = [];
  for (const item of items) {
    if (isEventRun(item)) for (const e of expandRun(item)) out.push(e);
    else out.push(item);
  }
  return out;
}

/** Events `from..to` of `run` as a run of their own (columns are views or slices, not copies of values). */
export function sliceRun<R extends EventRun>(run: R, from: number, to: number): R {
  if (from === 0 && to === run.count) return run;
  const columns = run.columns.map((c) => (c instanceof Int32Array ? c.subarray(from, to) : c.slice(from, to)));
  const sliced = { ...run, count: to - from, columns };
  if ('position' in run) Object.assign(sliced, { position: (run as unknown as StoredRun).position + from, revision: (run as unknown as StoredRun).revision + from });
  return sliced;
}

/**
 * `items` with each group of consecutive runs that continue one another (same stream and type,
 * the next position right after, the same keys and column kinds, equal metadata) joined into
 * one run: a reader that reads a long run in pages gets it back whole. Columns are copied once.
 */
export function joinRuns<T>(items: readonly (T | StoredRun)[]): (T | StoredRun)[] {
  const out: (T | StoredRun)[] = [];
  for (let i = 0; i < items.length; ) {
    const first = items[i]!;
    let j = i + 1;
    if (isEventRun(first)) {
      const a = first as StoredRun;
      let end = a.position + a.count;
      for (; j < items.length; j++) {
        const b = items[j] as StoredRun;
        if (!isEventRun(b) || b.stream !== a.stream || b.type !== a.type || b.position !== end || b.revision !== a.revision + (end - a.position) || !sameShape(a, b)) break;
        end += b.count;
      }
    }
    if (j - i === 1) out.push(first);
    else out.push(concatRuns(items.slice(i, j) as StoredRun[]));
    i = j;
  }
  return out;
}

function sameShape(a: StoredRun, b: StoredRun): boolean {
  if (a.keys.length !== b.keys.length) return false;
  for (let k = 0; k < a.keys.length; k++) if (a.keys[k] !== b.keys[k] || a.columns[k] instanceof Int32Array !== b.columns[k] instanceof Int32Array) return false;
  return a.metadata === b.metadata || JSON.stringify(a.metadata) === JSON.stringify(b.metadata);
}

function concatRuns(runs: readonly StoredRun[]): StoredRun {
  const first = runs[0]!;
  let count = 0;
  for (const r of runs) count += r.count;
  const columns = first.columns.map((c, k) => {
    if (c instanceof Int32Array) {
      const out = new Int32Array(count);
      let at = 0;
      for (const r of runs) {
        out.set(r.columns[k] as Int32Array, at);
        at += r.count;
      }
      return out;
    }
    const out = new Array<string>(count);
    let at = 0;
    for (const r of runs) for (const v of r.columns[k] as readonly string[]) out[at++] = v;
    return out;
  });
  return { ...first, count, columns };
}
