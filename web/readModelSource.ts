/**
 * {@link DashboardSource} from the persisted read models: the world and everyone's cell from the
 * `people` snapshot, the curve from `metrics`, chains from `exposures` (each link an indexed
 * query), the last alerts from the ledger. New ticks reach the page through the projection
 * runner following the log (alerts and commit markers only, along the type index); with a store
 * whose read models are not inline (EventStoreDB, memory) the runner also brings them up to date
 * first. Nothing here folds the log.
 * @module
 */
import { alertReader, alertsProjection, isIndexChange, runProjection, trace, type EventStore, type TraceSource } from '../core/index.js';
import { catchUpReadModels, openReadModels } from '../adapters/readmodels/open.js';
import type { SqliteReadModels } from '../adapters/readmodels/sqlite.js';
import { NoWorldError, type Alert, type Chain, type ChainLink, type ChainNode, type CurveRow, type DashboardSource, type Lag, type PeopleSnapshot, type PersonQuery, type TickUpdate, type WorldInfo } from './source.js';
import { chainLink } from './chain/fromTrace.js';

/** Alerts sent with one live update. */
const ALERTS_PER_UPDATE = 50;

/** Options of {@link readModelSource}. */
export interface ReadModelSourceOptions {
  /** True when appends update the read models in their own transaction (the SQLite store): no catch-up needed. */
  inline: boolean;
}

/**
 * The dashboard's data from `models`, the read models of `store` (already caught up). `name`
 * only serves the error message.
 * @throws NoWorldError when the store holds no completed tick 0.
 */
export function readModelSource(store: EventStore, models: SqliteReadModels, name: string, options: ReadModelSourceOptions): DashboardSource {
  const world = models.world();
  if (world.tick < 0 || (!world.params && !world.ingest)) throw new NoWorldError(`no world in ${/:$/.test(name) ? `the ${name} store` : name}: run 'stopcovid simulate' or 'stopcovid ingest' first`); // never 'memory::'
  const kind = world.ingest ? (world.ingest.source === 'positions' ? 'metres' : 'none') : 'grid';
  const graph: TraceSource = models.traceSource();
  let cells: PeopleSnapshot | undefined;
  const snapshot = (): PeopleSnapshot => (cells ??= models.cells());
  const checkpoint = () => Math.min(...models.positions());
  let position = checkpoint();
  let behindSince: number | undefined;

  const node = (personId: number, tick: number): ChainNode => {
    const sourceId = graph.sourceIdOf(personId);
    return { personId, phone: graph.phoneOf(personId) ?? '?', ...(sourceId !== undefined ? { sourceId } : {}), status: graph.statusOf(personId), indexCase: graph.isIndexCase(personId), tick };
  };
  /** The tick `person` became an index case: their last status change when it made them one (read with their hops now), else 0. */
  const since = (person: number): number => {
    const last = models.person(person)?.lastChange;
    return last && isIndexChange({ ...last, hops: graph.testsOf?.(person).hops }) ? last.tick : 0;
  };

  // live: the runner follows the log's alerts and commit markers from where the read models stand
  const listeners = new Set<{ onTick: (u: TickUpdate) => void; onError?: (e: Error) => void }>();
  const controller = new AbortController();
  let failure: Error | undefined;
  const sink = alertReader(position, async (alerts, _last, fresh) => {
    if (!options.inline) await catchUpReadModels(store, models);
    position = checkpoint();
    behindSince = undefined;
    cells = undefined; // the next people() reads the new snapshot
    const ticks = new Set(fresh.filter((e) => e.type === 'TickCompleted').map((e) => e.metadata.tick));
    for (const r of models.metrics().filter((m) => ticks.has(m.tick))) {
      const update: TickUpdate = {
        row: curveRow(r),
        alerts: alerts
          .filter((a) => a.tick === r.tick)
          .slice(-ALERTS_PER_UPDATE)
          .reverse()
          .map((a) => ({ notificationId: a.notificationId, kind: a.kind, phone: a.phone, tick: a.tick, at: a.at })),
      };
      for (const l of listeners) l.onTick(update);
    }
  });
  const follow = runProjection(store, alertsProjection, sink, { follow: true, signal: controller.signal, batchEvents: 1 }).catch((error: Error) => {
    if (controller.signal.aborted) return;
    failure = error;
    for (const l of listeners) l.onError?.(error);
  });

  return {
    info(): WorldInfo {
      const now = models.world();
      const grid = now.params;
      let x0 = 0;
      let y0 = 0;
      let width = grid ? grid.width : 1;
      let height = grid ? grid.height : 1;
      if (kind === 'metres') {
        const { xs, ys } = snapshot();
        let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
        for (let i = 0; i < xs.length; i++) {
          if (xs[i]! < minX) minX = xs[i]!;
          if (xs[i]! > maxX) maxX = xs[i]!;
          if (ys[i]! < minY) minY = ys[i]!;
          if (ys[i]! > maxY) maxY = ys[i]!;
        }
        if (maxX >= minX) [x0, y0, width, height] = [minX, minY, maxX - minX + 1, maxY - minY + 1];
      }
      return { kind, x0, y0, width, height, people: now.registered, tick: now.tick, at: models.metrics().at(-1)?.at ?? '', params: now.params, ...(now.ingest ? { ingest: now.ingest } : {}), policies: models.history().policies().map(({ tick, name, source }) => ({ tick, name, source })) };
    },
    people: snapshot,
    curve: () => models.metrics().map(curveRow),
    findPerson: (query: PersonQuery) => ('phone' in query ? models.personByPhone(query.phone) : models.personBySourceId(query.sourceId)),
    chain(personId, { maxNodes }): Chain {
      const up = trace(graph, personId, 'up', maxNodes - 1);
      const links: ChainLink[] = [];
      const nodes = new Map<number, ChainNode>();
      let below = personId;
      const ownTick = up.upstream![0]?.tick;
      nodes.set(personId, node(personId, ownTick ?? since(personId)));
      for (const [i, l] of up.upstream!.entries()) {
        if (nodes.has(l.personId)) break; // a cycle through re-exposure: stop where it closes
        const next = up.upstream![i + 1];
        nodes.set(l.personId, node(l.personId, next ? next.tick : since(l.personId)));
        links.push(chainLink(l.personId, below, l));
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
          links.push({ source: edge.source, exposed: edge.exposed, tick: edge.tick, at: edge.at, x: edge.x, y: edge.y, ...(edge.contactTick !== undefined ? { contactTick: edge.contactTick } : {}) });
          queue.push(edge.exposed);
        }
      }
      return { personId, nodes: [...nodes.values()], links, cut };
    },
    largestChains(limit) {
      const out = models.exposingIndexCases().map((personId) => ({ personId, downstream: downstreamCount(graph, personId) }));
      return out.sort((a, b) => b.downstream - a.downstream || a.personId - b.personId).slice(0, limit);
    },
    lastAlerts: (limit): Alert[] => models.lastNotifications(limit).map((n) => ({ notificationId: n.notificationId, kind: n.kind, phone: n.phone, tick: n.tick, at: n.at })),
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

function curveRow(r: CurveRow): CurveRow {
  const { tick, at, healthy, suspicious, infected, contacts, exposures, notifications, tests, positives, negatives, releases, expiries } = r;
  return { tick, at, healthy, suspicious, infected, contacts, exposures, notifications, tests, positives, negatives, releases, expiries };
}

function downstreamCount(graph: TraceSource, person: number): number {
  const seen = new Set<number>([person]);
  const queue = [person];
  for (let q = 0; q < queue.length; q++) for (const e of graph.exposedBy(queue[q]!)) if (!seen.has(e.exposed)) (seen.add(e.exposed), queue.push(e.exposed));
  return seen.size - 1;
}

/**
 * Open the read models of `store` (see adapters/readmodels/open.ts: the store's own file for
 * SQLite, in memory for `memory:`), bring them up to date, and serve them as a
 * {@link DashboardSource}; closing it closes the read models too. `url` names the store.
 * @throws NoWorldError when the store holds no world.
 */
export async function openReadModelSource(store: EventStore, url: string): Promise<DashboardSource> {
  const models = openReadModels(store, url);
  await catchUpReadModels(store, models);
  const source = readModelSource(store, models, url, { inline: false });
  return {
    ...source,
    async close() {
      await source.close();
      models.close();
    },
  };
}
