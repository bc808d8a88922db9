/**
 * The contact graph projection: exposures as edges `source -> exposed`, indexed by person both
 * ways, plus each person's phone and status history, so that trace queries need no scan.
 * @module
 */
import type { DomainEvent } from '../../events/index.js';
import type { TraceSource } from '../trace.js';
import { isIndexChange } from '../policy/tracing.js';

/** One exposure: `source` (status >= 1 at the start of `tick`) made `exposed` go 0 -> 1. */
export interface ExposureEdge {
  source: number;
  exposed: number;
  tick: number;
  /** Simulated time, ISO-8601. */
  at: string;
  /** The exposed person's cell. */
  x: number;
  y: number;
  contactId: string;
  /** The source's status at the start of the tick (1 or 2). */
  sourceStatus: number;
  /** Links from the index case (1: the source is an index case), where known. */
  hops?: number;
  /** A retroactive exposure: the tick of the contact (earlier than `tick`, when the alert was decided). */
  contactTick?: number;
}

/** The contact graph of one world. Build it with {@link ContactGraph.evolve} over committed events. */
export class ContactGraph implements TraceSource {
  /** Phone (E.164) by person id. */
  readonly phones: string[] = [];
  /** Id in the input data by person id (ingested worlds only). */
  readonly sourceIds: (string | undefined)[] = [];
  private readonly byPhone = new Map<string, number>();
  private readonly bySourceId = new Map<string, number>();
  private readonly upstream = new Map<number, ExposureEdge[]>();
  private readonly downstream = new Map<number, ExposureEdge[]>();
  /** Status changes by person: ascending ticks and the status from that tick on (and a revoked positive's hops, when its event carries them). */
  private readonly history = new Map<number, { tick: number; to: number; reason: string; hops?: number }[]>();

  /** Fold one event; events other than registrations and status changes are ignored. */
  evolve(event: DomainEvent): void {
    if (event.type === 'PersonRegistered') {
      this.phones[event.data.personId] = event.data.phone;
      this.byPhone.set(event.data.phone, event.data.personId);
      if (event.data.sourceId !== undefined) {
        this.sourceIds[event.data.personId] = event.data.sourceId;
        this.bySourceId.set(event.data.sourceId, event.data.personId);
      }
    } else if (event.type === 'HealthStatusChanged') {
      const d = event.data;
      push(this.history, d.personId, { tick: event.metadata.tick, to: d.to, reason: d.reason, ...(d.hops !== undefined ? { hops: d.hops } : {}) });
      if (d.reason === 'contact') {
        const tick = event.metadata.tick;
        const edge: ExposureEdge = { source: d.sourcePersonId!, exposed: d.personId, tick, at: event.metadata.at, x: d.x!, y: d.y!, contactId: d.contactId!, sourceStatus: this.statusAt(d.sourcePersonId!, tick) };
        push(this.upstream, edge.exposed, edge);
        push(this.downstream, edge.source, edge);
      }
    }
  }

  phoneOf(personId: number): string | undefined {
    return this.phones[personId];
  }

  sourceIdOf(personId: number): string | undefined {
    return this.sourceIds[personId];
  }

  statusOf(person: number): number {
    return this.statusAt(person, Infinity);
  }

  /** The person with this E.164 phone, or `undefined`. */
  personByPhone(phone: string): number | undefined {
    return this.byPhone.get(phone);
  }

  /** The person with this id in the input data of an ingested world, or `undefined`. */
  personBySourceId(sourceId: string): number | undefined {
    return this.bySourceId.get(sourceId);
  }

  /** Exposures of `person`, oldest first. */
  exposuresOf(person: number): readonly ExposureEdge[] {
    return this.upstream.get(person) ?? [];
  }

  /** Exposures caused by `person`, oldest first. */
  exposedBy(person: number): readonly ExposureEdge[] {
    return this.downstream.get(person) ?? [];
  }

  /** Status of `person` at the start of `tick` (before that tick's changes); `Infinity` for now. */
  statusAt(person: number, tick: number): number {
    let status = 0;
    for (const change of this.history.get(person) ?? []) {
      if (change.tick >= tick) break;
      status = change.to;
    }
    return status;
  }

  /** True when `person`'s latest status change before `tick` made them an index case (see {@link isIndexChange}). */
  isIndexCase(person: number, tick = Infinity): boolean {
    let last: { to: number; reason: string; hops?: number } | undefined;
    for (const change of this.history.get(person) ?? []) {
      if (change.tick >= tick) break;
      last = change;
    }
    return last !== undefined && isIndexChange(last);
  }

  /** Number of people registered. */
  get people(): number {
    return this.byPhone.size;
  }
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
