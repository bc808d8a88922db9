/**
 * The one seam between the dashboard (server, page, `stats`, `report`) and the data of a world.
 * Everything they show comes through {@link DashboardSource}, implemented by the persisted read
 * models (web/readModelSource.ts).
 * @module
 */
import type { IngestParams, MetricsRow, WorldParams } from '../core/index.js';

/** How positions read: grid cells (simulation), metres on a local projection (GPS), or none (contact lists). */
export type WorldKind = 'grid' | 'metres' | 'none';

/** What a world is: its kind, extent and parameters, and how far it has run. */
export interface WorldInfo {
  kind: WorldKind;
  /**
   * Extent of positions, from (`x0`, `y0`) over `width` x `height`: the grid's cells for `grid`
   * (from 0, 0); for `metres` the box of every position seen (x east, y north); 1 x 1 for `none`.
   */
  x0: number;
  y0: number;
  width: number;
  height: number;
  people: number;
  /** The last completed tick. */
  tick: number;
  /** Simulated time of the last completed tick, ISO-8601. */
  at: string;
  /** The simulation's parameters, or `null` for an ingested world. */
  params: WorldParams | null;
  /** The ingestion's parameters, for an ingested world. */
  ingest?: IngestParams;
  /**
   * The tracing policies adopted, in order: each governs the ticks after `tick` (one adopted at
   * tick 0, from tick 1); none: the seed's rule throughout.
   */
  policies: { tick: number; name: string; source: string }[];
}

/**
 * Every person's position and status, as typed arrays indexed by person id (positions in the
 * units of {@link WorldInfo.kind}; status 0 healthy, 1 suspicious, 2 infected). The arrays may be
 * the source's own: read them before the next `await`, never write them.
 */
export interface PeopleSnapshot {
  xs: Int32Array;
  ys: Int32Array;
  status: Uint8Array;
  tick: number;
}

/** One point of the epidemic curve: people per status after `tick`, and that tick's new events (a `metrics` read-model row). */
export type CurveRow = Omit<MetricsRow, 'position'>;

/** An alert as the dashboard (the tracer's view) shows it: who was alerted, why and when, never the source. */
export interface Alert {
  /** The internal id (`n-<tick>-<personId>`, `r-...` for a release), not the opaque one people get. */
  notificationId: string;
  /** `exposure` (asked to get tested) or `released`. */
  kind: 'exposure' | 'released';
  phone: string;
  tick: number;
  at: string;
}

/** A person in a contact chain. */
export interface ChainNode {
  personId: number;
  phone: string;
  /** The id in the input data (ingested worlds only). */
  sourceId?: string;
  /** Current status. */
  status: number;
  /** Status >= 1 not from a contact. */
  indexCase: boolean;
  /** The tick this person entered the chain: the exposure's tick, or for its top the tick its status became >= 1. */
  tick: number;
}

/**
 * One exposure in a chain: `source` exposed `exposed` at `tick` in cell (`x`, `y`), the exposed
 * person's cell at `tick` (for a retroactive exposure, when alerted, not at `contactTick`).
 */
export interface ChainLink {
  source: number;
  exposed: number;
  /** The tick the exposure was decided (and the alert sent). */
  tick: number;
  at: string;
  x: number;
  y: number;
  /** A retroactive exposure only: the tick of the contact it was decided for, earlier than `tick`. */
  contactTick?: number;
}

/**
 * A bounded contact chain around `personId`: the upstream path back to an index case and the
 * downstream tree, at most `maxNodes` people; `cut` says that people were left out.
 */
export interface Chain {
  personId: number;
  nodes: ChainNode[];
  links: ChainLink[];
  cut: boolean;
}

/** How far the source has read: global positions, and how long it has been behind (0 when caught up). */
export interface Lag {
  position: number;
  lastPosition: number;
  events: number;
  seconds: number;
}

/** What a live update carries: the tick's curve row and its alerts (at most 50). */
export interface TickUpdate {
  row: CurveRow;
  alerts: Alert[];
}

/** A person to look up: by E.164 phone, or by id in the input data of an ingested world. */
export type PersonQuery = { phone: string } | { sourceId: string };

/** The data of one world, as the dashboard, `stats` and `report` read it. */
export interface DashboardSource {
  info(): WorldInfo;
  people(): PeopleSnapshot;
  /** The epidemic curve, one row per completed tick from tick 0, ascending. */
  curve(): CurveRow[];
  /** The person matching `query`, or `undefined`. */
  findPerson(query: PersonQuery): number | undefined;
  /** The chain around `personId` (an id of this world), at most `maxNodes` people. */
  chain(personId: number, options: { maxNodes: number }): Chain;
  /** Up to `limit` index cases, those with the most people downstream first, with that count. */
  largestChains(limit: number): { personId: number; downstream: number }[];
  /** The last `limit` alerts, newest first. */
  lastAlerts(limit: number): Alert[];
  lag(): Promise<Lag>;
  /**
   * Call `onTick` after each newly completed tick (written by another process too), `onError`
   * once if following the log fails; returns the function that stops calling them.
   */
  subscribe(onTick: (update: TickUpdate) => void, onError?: (error: Error) => void): () => void;
  /** Stop following the log. */
  close(): Promise<void>;
}

/** Error code of {@link NoWorldError}. */
export const NO_WORLD = 'NO_WORLD';

/** The store holds no world (no completed tick 0). */
export class NoWorldError extends Error {
  readonly code = NO_WORLD;
  constructor(message: string) {
    super(message);
    this.name = 'NoWorldError';
  }
}
