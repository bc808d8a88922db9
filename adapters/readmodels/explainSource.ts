/**
 * What `explain` reads (core/explain.ts), from the SQLite read models: the `history` tables, the
 * `exposures` edge written by a status change, and, for a contact's distance and position, the
 * one `ContactDetected` event named by a contact id, read through the store API: at the position
 * `exposures` kept for a live exposure, else (a retroactive one, whose contact is in an earlier
 * tick) among that tick's contacts, from the end of the tick before (kept by `epidemic`).
 * @module
 */
import { decode, type EventData } from '../../events/index.js';
import type { EventStore, ExplainSource } from '../../core/index.js';
import { HistoryQueries, type Prepare } from './history.js';
import { tickEnd } from './epidemic.js';

type ExposureDb = { status_position: number; exposed: number; source: number; tick: number; at: string; x: number; y: number; contact_id: string; hops: number; source_status: number; contact_position: number; contact_tick: number | null };

/** The explain source of the read models under prefix `p` (the live ones), reading contacts from `store`. */
export function explainSource(stmt: Prepare, p: string, store: EventStore): ExplainSource {
  const history = new HistoryQueries(stmt, p);
  return {
    phoneOf: (id) => (stmt(`SELECT phone FROM ${p}people WHERE person_id = ?`).pluck().get(id) as string | undefined) ?? undefined,
    sourceIdOf: (id) => (stmt(`SELECT source_id FROM ${p}people WHERE person_id = ?`).pluck().get(id) as string | null | undefined) ?? undefined,
    changeByNotification: (id) => history.changeByNotification(id),
    lastAlert: (id) => history.lastAlert(id),
    changeBefore: (id, position, beforeTick) => history.changeBefore(id, position, beforeTick),
    testBefore: (id, position) => history.testBefore(id, position),
    policyDuring: (tick) => history.policyDuring(tick),
    exposureAt: (statusPosition) => {
      const r = stmt(`SELECT * FROM ${p}exposures WHERE status_position = ?`).get(statusPosition) as ExposureDb | undefined;
      if (!r) return undefined;
      return {
        edge: { source: r.source, exposed: r.exposed, tick: r.tick, at: r.at, x: r.x, y: r.y, contactId: r.contact_id, sourceStatus: r.source_status, hops: r.hops, ...(r.contact_tick !== null ? { contactTick: r.contact_tick } : {}) },
        contactPosition: r.contact_position,
      };
    },
    contact: async (contactId, tick, position) => {
      // a live exposure knows its contact's position: one event to read
      let after: number | undefined = position !== undefined ? position - 1 : undefined;
      let limit = 1;
      if (after === undefined) {
        // contact ids are `c-<tick>-<index>`: the index-th ContactDetected of the tick, from the end of the tick before
        const m = /^c-(\d+)-(\d+)$/.exec(contactId);
        if (!m || Number(m[1]) !== tick || tick < 1) return undefined;
        after = tickEnd(stmt, p, tick - 1);
        if (after === undefined) return undefined;
        limit = Number(m[2]) + 1;
      }
      for await (const raw of store.readAll({ after, types: ['ContactDetected'], limit })) {
        if (raw.metadata && (raw.metadata as { tick?: number }).tick !== tick) return undefined;
        const e = decode(raw);
        if (e.type !== 'ContactDetected' || e.data.contactId !== contactId) continue;
        const d = e.data as EventData<'ContactDetected'>;
        return { position: raw.position, distance: d.distance, x: d.x, y: d.y };
      }
      return undefined;
    },
  };
}
