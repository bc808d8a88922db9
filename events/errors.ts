/**
 * The typed error for an event that cannot be read.
 * @module
 */

/** Error code of {@link EventDecodeError}. */
export const EVENT_DECODE = 'EVENT_DECODE';

/** Where a failing event sits, for the error message. */
export interface EventLocation {
  stream: string;
  revision: number;
  type: string;
}

/**
 * Thrown when a stored event has an unknown type, unknown schema version, unparsable JSON,
 * or data / metadata that fail their schema. The message names stream, revision and type.
 */
export class EventDecodeError extends Error {
  readonly code = EVENT_DECODE;
  constructor(
    readonly location: EventLocation,
    readonly reason: string,
  ) {
    super(`corrupt event ${location.type} at ${location.stream}@${location.revision}: ${reason}`);
    this.name = 'EventDecodeError';
  }
}

/** Type guard for {@link EventDecodeError}, by code (works across module copies). */
export function isEventDecodeError(error: unknown): error is EventDecodeError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === EVENT_DECODE;
}
