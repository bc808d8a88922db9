/**
 * The world's current state, stored as typed arrays so that 1,000,000 people take about 9 MB
 * (x and y as Int32, status as Uint8) plus their phone strings.
 * @module
 */
import type { WorldParams } from './params.js';
import type { IngestParams } from './ingest.js';
import { initialTracing, type TracingState } from './policy/tracing.js';

/** Counts of people per status: index 0 healthy, 1 suspicious, 2 infected. */
export type StatusCounts = [healthy: number, suspicious: number, infected: number];

/**
 * The projected current state of a world. `evolve` mutates it in place (typed arrays);
 * person `i` is at cell (`xs[i]`, `ys[i]`) with status `status[i]` and phone `phones[i]`.
 */
export interface WorldState {
  /** Parameters from `SimulationStarted`; `null` before the world exists. */
  params: WorldParams | null;
  /** The last completed tick; -1 before tick 0 completed. */
  tick: number;
  xs: Int32Array;
  ys: Int32Array;
  status: Uint8Array;
  phones: string[];
  counts: StatusCounts;
  /** Registered people so far (equals `params.people` once tick 0 completed). */
  registered: number;
  /** State hash recorded by the last `TickCompleted`, or `null`. */
  recordedHash: string | null;
  /** Parameters from `WorldIngested` when the world was ingested from real data (then `params` is `null`). */
  ingest?: IngestParams;
  /** The tracing system's knowledge: policy, status ages, hops, alerts, inbox, ground truth (see policy/tracing.ts). */
  tracing: TracingState;
  /** Phone -> person, built on first use by a command naming a phone. */
  phoneIndex?: Map<string, number>;
}

/** The state before any event: no world. */
export function initialState(): WorldState {
  return {
    params: null,
    tick: -1,
    xs: new Int32Array(0),
    ys: new Int32Array(0),
    status: new Uint8Array(0),
    phones: [],
    counts: [0, 0, 0],
    registered: 0,
    recordedHash: null,
    tracing: initialTracing(0, 60_000),
  };
}

/** Allocate the arrays of a world of `params.people` people (all healthy, at cell 0,0). */
export function allocate(state: WorldState, params: WorldParams): void {
  state.params = params;
  arrays(state, params.people, params.tickMs);
}

/** Allocate the arrays of an ingested world of `ingest.people` people (all healthy, at 0,0). */
export function allocateIngested(state: WorldState, ingest: IngestParams): void {
  state.ingest = ingest;
  arrays(state, ingest.people, ingest.tickMs, ingest.contactMs);
}

function arrays(state: WorldState, people: number, tickMs: number, contactMs = tickMs): void {
  state.xs = new Int32Array(people);
  state.ys = new Int32Array(people);
  state.status = new Uint8Array(people);
  state.phones = new Array<string>(people);
  state.counts = [0, 0, 0];
  state.registered = 0;
  state.tracing = initialTracing(people, tickMs, contactMs);
  state.phoneIndex = undefined;
}
