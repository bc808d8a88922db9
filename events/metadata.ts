/**
 * Event metadata shared by every event type.
 * @module
 */
import { z } from 'zod';

/**
 * Metadata carried by every event: the tick it belongs to, the simulated time `at`
 * (ISO-8601, UTC, never the wall clock), the schema version of its `data`, and optional
 * causation / correlation ids (the id of the fact that caused it, the id of the tick it belongs to).
 */
export const EventMetadata = z.object({
  tick: z.number().int().nonnegative(),
  at: z.iso.datetime(),
  schemaVersion: z.number().int().positive(),
  causationId: z.string().min(1).optional(),
  correlationId: z.string().min(1).optional(),
});

/** Metadata of an event; see {@link EventMetadata}. */
export type EventMetadata = z.infer<typeof EventMetadata>;
