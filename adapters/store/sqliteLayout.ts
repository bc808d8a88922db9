/**
 * The port between the SQLite store and the layout of its event tables: how an append's events
 * are written and how pages of them are read back. Two layouts exist: one JSON row per event
 * (`rows`, stores written before record batches) and record batches (`batches`, the default).
 * @module
 */
import type { RawEvent } from '../../events/index.js';
import type { EventRun, NewEvent, RawItem } from '../../core/index.js';

/** A layout's name: `rows` (one JSON row per event) or `batches` (record batches). */
export type LayoutName = 'rows' | 'batches';

/** A layout of the event tables, bound to one open database. */
export interface SqliteLayout {
  readonly name: LayoutName;
  /**
   * Insert `events[from..to)` of one append within the caller's transaction: `events[i]` goes to
   * revision `revision + i` of `stream` and to global position `position + i`.
   */
  write(stream: string, events: readonly NewEvent[], from: number, to: number, revision: number, position: number): void;
  /**
   * Insert the events of `run` (of one append, within the caller's transaction) from its columns:
   * event `i` goes to revision `revision + i` and position `position + i`. A layout without it
   * is given the run's events as objects.
   */
  writeRun?(stream: string, run: EventRun, revision: number, position: number): void;
  /** Up to `limit` events with position > `after`, in global order, of `types` only (all when absent). */
  page(after: number, limit: number, types?: readonly string[]): RawEvent[];
  /**
   * The same events as {@link page}, a run of events of one type kept as columns handed as one
   * item (optional: a layout without it hands events only).
   */
  pageOfRuns?(after: number, limit: number, types?: readonly string[]): RawItem[];
  /** Up to `limit` events of `stream` from revision `fromRevision`, in order. */
  streamPage(stream: string, fromRevision: number, limit: number): RawEvent[];
  /** The global position of the last event, 0 when none. */
  lastPosition(): number;
  /** Drop what reads keep between pages (after a rollback, whose rows this connection may have read). */
  forget(): void;
  /** Record batches decoded so far by reads, by event type (always empty for `rows`). */
  readonly decoded: Map<string, number>;
}
