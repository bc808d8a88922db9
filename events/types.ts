/**
 * Event types inferred from the schemas: a discriminated union on `type`.
 * @module
 */
import type { z } from 'zod';
import type { schemas } from './schemas.js';
import type { EventMetadata } from './metadata.js';

/** Name of an event type, e.g. `'PersonMoved'`. */
export type EventType = keyof typeof schemas;

/** The `data` of event type `T`, inferred from its schema. */
export type EventData<T extends EventType> = z.infer<(typeof schemas)[T]>;

/** A domain event of type `T`: what core produces and `evolve` folds. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; data: EventData<K>; metadata: EventMetadata };
}[T];

/** An event as read back from a store: a domain event plus where it sits in the log. */
export type StoredEvent<T extends EventType = EventType> = DomainEvent<T> & {
  /** Stream name, e.g. `stopcovid.tick-12`. */
  stream: string;
  /** Revision in its stream; the first event of a stream is revision 0. */
  revision: number;
  /** Position in the global log (`$all`); the first event is 1. */
  position: number;
};
