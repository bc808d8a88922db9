/**
 * `evolve`: the one fold from events to current state, used by the live simulation and by replay.
 * @module
 */
import type { DomainEvent } from '../events/index.js';
import { allocate, allocateIngested, type WorldState } from './world.js';
import { evolveTracing } from './policy/tracing.js';
import { expandRun, runColumn, type EventRun } from './eventRun.js';

/** Raised when an event does not fit the state it is applied to (a log out of order). */
export class EvolveError extends Error {
  readonly code = 'EVOLVE';
  constructor(message: string) {
    super(message);
    this.name = 'EvolveError';
  }
}

/**
 * Apply one event to `state`, in place, and return it: cells, statuses, counts, the last tick,
 * and the tracing state (policy, status ages, hops, alerts, inbox, contact ledger, ground truth).
 * Inbox commands and test results change nothing here (their effects are events of their own).
 * @throws EvolveError for an event naming a person outside the world or before the world exists.
 */
export function evolve(state: WorldState, event: DomainEvent): WorldState {
  switch (event.type) {
    case 'SimulationStarted':
      allocate(state, event.data);
      return state;
    case 'WorldIngested':
      allocateIngested(state, event.data);
      return state;
    case 'PersonRegistered': {
      const { personId, phone, x, y } = event.data;
      person(state, personId);
      state.xs[personId] = x;
      state.ys[personId] = y;
      state.phones[personId] = phone;
      state.status[personId] = 0;
      state.counts[0]++;
      state.registered++;
      return state;
    }
    case 'PersonMoved': {
      const { personId, x, y } = event.data;
      person(state, personId);
      state.xs[personId] = x;
      state.ys[personId] = y;
      return state;
    }
    case 'HealthStatusChanged': {
      const { personId, to } = event.data;
      person(state, personId);
      state.counts[state.status[personId]!]--;
      state.status[personId] = to;
      state.counts[to]++;
      evolveTracing(state.tracing, event, tickMs(state));
      return state;
    }
    case 'TickCompleted':
      state.tick = event.data.tick;
      state.recordedHash = event.data.stateHash;
      if (state.tracing.ledger) evolveTracing(state.tracing, event, tickMs(state));
      return state;
    case 'ContactDetected':
      if (state.tracing.ledger) evolveTracing(state.tracing, event, tickMs(state));
      return state;
    case 'NotificationIssued':
    case 'PolicyAdopted':
    case 'InfectionTransmitted':
    case 'CommandsApplied':
      evolveTracing(state.tracing, event, tickMs(state));
      return state;
    case 'TestResultRecorded':
    case 'TestResultReported':
    case 'PolicyChangeRequested':
      return state;
  }
}

/** Events expanded at a time from a run that is applied one event at a time. */
const SLICE = 4096;

/**
 * Apply every event of `run` to `state`, in order, as {@link evolve} would: runs of
 * `PersonMoved` (`personId`, `x`, `y`) and of `PersonRegistered` (`personId`, `phone`, `x`, `y`)
 * with integer id and cell columns are applied straight from their columns (no object per
 * event); any other run is expanded a slice at a time and its events applied one by one.
 * @throws EvolveError as {@link evolve}; the events before the faulty one are applied then.
 */
export function evolveRun(state: WorldState, run: EventRun): WorldState {
  const ids = runColumn(run, 'personId');
  const x = runColumn(run, 'x');
  const y = runColumn(run, 'y');
  const phone = runColumn(run, 'phone');
  const cells = ids instanceof Int32Array && x instanceof Int32Array && y instanceof Int32Array;
  const people = state.params?.people ?? state.ingest?.people;
  if (cells && run.type === 'PersonMoved' && run.keys.length === 3) {
    const { xs, ys } = state;
    for (let i = 0; i < run.count; i++) {
      const p = ids[i]!;
      if (people === undefined || p >= people || p < 0) person(state, p);
      xs[p] = x[i]!;
      ys[p] = y[i]!;
    }
    return state;
  }
  if (cells && run.type === 'PersonRegistered' && run.keys.length === 4 && Array.isArray(phone)) {
    const { xs, ys, status, phones, counts } = state;
    for (let i = 0; i < run.count; i++) {
      const p = ids[i]!;
      if (people === undefined || p >= people || p < 0) person(state, p);
      xs[p] = x[i]!;
      ys[p] = y[i]!;
      phones[p] = phone[i]!;
      status[p] = 0;
    }
    counts[0] += run.count;
    state.registered += run.count;
    return state;
  }
  for (let k = 0; k < run.count; k += SLICE) for (const e of expandRun(run, k, Math.min(k + SLICE, run.count))) evolve(state, e as DomainEvent);
  return state;
}

/** The world's tick length, milliseconds. */
function tickMs(state: WorldState): number {
  return state.params?.tickMs ?? state.ingest?.tickMs ?? 60_000;
}

function person(state: WorldState, personId: number): void {
  const people = state.params?.people ?? state.ingest?.people;
  if (people === undefined) throw new EvolveError(`event for person ${personId} before SimulationStarted or WorldIngested`);
  if (personId >= people || personId < 0) throw new EvolveError(`person ${personId} outside a world of ${people}`);
}
