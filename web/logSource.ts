/**
 * {@link DashboardSource} by folding the event log in this process: the world state with the
 * simulation's own `evolve`, the contact graph, the curve from each `TickCompleted`, the last
 * alerts; then the store's catch-up subscription for new ticks (another process's too). This file
 * is the whole of it, to be swapped for the persisted read models.
 * @module
 */
import { committedTicks, ContactGraph, evolve, initialState, trace, type EventStore, type WorldState } from '../core/index.js';
import type { DomainEvent, StoredEvent } from '../events/index.js';
import { NoWorldError, type Alert, type Chain, type ChainLink, type ChainNode, type CurveRow, type DashboardSource, type Lag, type PersonQuery, type TickUpdate, type WorldInfo } from './source.js';

/** Alerts kept in memory for {@link DashboardSource.lastAlerts}. */
const ALERTS_KEPT = 1000;
/** Alerts sent with one live update. */
const ALERTS_PER_UPDATE = 50;

/** Options of {@link logSource}. */
export interface LogSourceOptions {
  /** Called about every 100,000 events of the first read with the global position reached. */
  onProgress?: (position: number) => void;
}

/**
 * Read the whole committed log of `store`, then follow it. `name` only serves the error message.
 * @throws NoWorldError when the store holds no completed tick 0; EventDecodeError, EvolveError on a corrupt log.
 */
export async function logSource(store: EventStore, name: string, options: LogSourceOptions = {}): Promise<DashboardSource> {
  const state = initialState();
  const graph = new ContactGraph();
  const rows: CurveRow[] = [];
  const alerts: Alert[] = [];
  let position = 0;
  let behindSince: number | undefined;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = 0;
  let maxY = 0;

  const apply = (events: StoredEvent[]): TickUpdate => {
    let notifications = 0;
    const fresh: Alert[] = [];
    for (const e of events) {
      const event = e as DomainEvent;
      evolve(state, event);
      graph.evolve(event);
      if (event.type === 'PersonRegistered' || event.type === 'PersonMoved') {
        const { x, y } = event.data;
        if (x > maxX) maxX = x;
        if (y > maxY) maxY = y;
        if (x < minX) minX = x;
        if (y < minY) minY = y;
      } else if (event.type === 'NotificationIssued') {
        notifications++;
        const alert = { notificationId: event.data.notificationId, phone: event.data.phone, tick: event.metadata.tick, at: event.metadata.at };
        alerts.push(alert);
        if (fresh.length < ALERTS_PER_UPDATE) fresh.push(alert);
      }
    }
    if (alerts.length > 2 * ALERTS_KEPT) alerts.splice(0, alerts.length - ALERTS_KEPT);
    const last = events[events.length - 1]!;
    position = last.position;
    const done = last.data as { tick: number; healthy: number; suspicious: number; infected: number; contacts: number; exposures: number };
    const row: CurveRow = { tick: done.tick, at: last.metadata.at, healthy: done.healthy, suspicious: done.suspicious, infected: done.infected, contacts: done.contacts, exposures: done.exposures, notifications };
    rows.push(row);
    return { row, alerts: fresh.reverse() };
  };

  let nextReport = 100_000;
  for await (const tick of committedTicks(store.readAll())) {
    apply(tick);
    if (options.onProgress && position >= nextReport) {
      options.onProgress(position);
      nextReport = position + 100_000;
    }
  }
  if (state.tick < 0 || (!state.params && !state.ingest)) throw new NoWorldError(`no world in ${name}: run 'stopcovid simulate' or 'stopcovid ingest' first`);

  const listeners = new Set<{ onTick: (u: TickUpdate) => void; onError?: (e: Error) => void }>();
  const controller = new AbortController();
  let failure: Error | undefined;
  const follow = (async () => {
    for await (const tick of committedTicks(breathing(store.subscribeAll({ after: position, signal: controller.signal })))) {
      const update = apply(tick);
      behindSince = undefined;
      for (const l of listeners) l.onTick(update);
    }
  })().catch((error: Error) => {
    if (controller.signal.aborted) return;
    failure = error;
    for (const l of listeners) l.onError?.(error);
  });

  const kind = state.ingest ? (state.ingest.source === 'positions' ? 'metres' : 'none') : 'grid';

  const node = (personId: number, tick: number): ChainNode => {
    const sourceId = graph.sourceIds[personId];
    return { personId, phone: graph.phones[personId] ?? '?', ...(sourceId !== undefined ? { sourceId } : {}), status: state.status[personId] ?? 0, indexCase: graph.isIndexCase(personId), tick };
  };

  return {
    info(): WorldInfo {
      const grid = state.params;
      const metres = kind === 'metres' && maxX >= minX;
      return {
        kind,
        x0: metres ? minX : 0,
        y0: metres ? minY : 0,
        width: grid ? grid.width : metres ? maxX - minX + 1 : 1,
        height: grid ? grid.height : metres ? maxY - minY + 1 : 1,
        people: state.xs.length,
        tick: state.tick,
        at: rows[rows.length - 1]?.at ?? '',
        params: state.params,
        ...(state.ingest ? { ingest: state.ingest } : {}),
      };
    },
    people: () => ({ xs: state.xs, ys: state.ys, status: state.status, tick: state.tick }),
    curve: () => rows,
    findPerson: (query: PersonQuery) => ('phone' in query ? graph.personByPhone(query.phone) : graph.personBySourceId(query.sourceId)),
    chain(personId, { maxNodes }): Chain {
      const up = trace(graph, personId, 'up', Math.max(1, maxNodes - 1));
      const links: ChainLink[] = [];
      const nodes = new Map<number, ChainNode>();
      let below = personId;
      const ownTick = up.upstream![0]?.tick;
      nodes.set(personId, node(personId, ownTick ?? since(graph, personId)));
      for (const [i, l] of up.upstream!.entries()) {
        if (nodes.has(l.personId)) break; // a cycle through re-exposure: stop where it closes
        const next = up.upstream![i + 1];
        nodes.set(l.personId, node(l.personId, next ? next.tick : since(graph, l.personId)));
        links.push({ source: l.personId, exposed: below, tick: l.tick, at: l.at, x: l.cell.x, y: l.cell.y });
        below = l.personId;
      }
      let cut = up.upstreamTruncated === true;
      // downstream, breadth first so that a cut keeps the nearest people
      const queue = [personId];
      for (let q = 0; q < queue.length && !cut; q++) {
        for (const edge of graph.exposedBy(queue[q]!)) {
          if (nodes.has(edge.exposed)) continue;
          if (nodes.size >= maxNodes) {
            cut = true;
            break;
          }
          nodes.set(edge.exposed, node(edge.exposed, edge.tick));
          links.push({ source: edge.source, exposed: edge.exposed, tick: edge.tick, at: edge.at, x: edge.x, y: edge.y });
          queue.push(edge.exposed);
        }
      }
      return { personId, nodes: [...nodes.values()], links, cut };
    },
    largestChains(limit) {
      const out: { personId: number; downstream: number }[] = [];
      for (let p = 0; p < state.status.length; p++) {
        if (!graph.isIndexCase(p) || graph.exposedBy(p).length === 0) continue;
        out.push({ personId: p, downstream: downstreamCount(graph, p) });
      }
      return out.sort((a, b) => b.downstream - a.downstream || a.personId - b.personId).slice(0, limit);
    },
    lastAlerts: (limit) => alerts.slice(-limit).reverse(),
    async lag(): Promise<Lag> {
      const lastPosition = await store.lastPosition();
      const events = Math.max(0, lastPosition - position);
      if (events === 0) behindSince = undefined;
      else behindSince ??= Date.now();
      return { position, lastPosition, events, seconds: behindSince === undefined ? 0 : (Date.now() - behindSince) / 1000 };
    },
    subscribe(onTick, onError) {
      const listener = { onTick, onError };
      listeners.add(listener);
      if (failure) onError?.(failure);
      return () => listeners.delete(listener);
    },
    async close() {
      controller.abort();
      await follow;
    },
  };
}

/**
 * Pass `events` through, letting the event loop run every 2,000 events: while a large tick is
 * read, the server keeps answering from the previous tick (state changes only when a whole
 * committed tick is applied, synchronously).
 */
async function* breathing<T>(events: AsyncIterable<T>): AsyncGenerator<T> {
  let n = 0;
  for await (const event of events) {
    yield event;
    if (++n % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The tick `person`'s status first became >= 1 (0 for an initial case), or 0 when never. */
function since(graph: ContactGraph, person: number): number {
  const first = graph.exposedBy(person)[0]?.tick ?? 0;
  for (let t = 1; t <= first; t++) if (graph.statusAt(person, t) >= 1) return t - 1;
  return 0;
}

function downstreamCount(graph: ContactGraph, person: number): number {
  const seen = new Set<number>([person]);
  const queue = [person];
  for (let q = 0; q < queue.length; q++) for (const e of graph.exposedBy(queue[q]!)) if (!seen.has(e.exposed)) (seen.add(e.exposed), queue.push(e.exposed));
  return seen.size - 1;
}
