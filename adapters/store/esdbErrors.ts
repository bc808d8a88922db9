/**
 * The KurrentDB client's errors, translated at the adapter boundary into the port's: a wrong
 * expected version becomes a {@link ConcurrencyError}, everything else a one-line
 * {@link StoreError}. Recognised by shape, not class, because the client reports through three
 * paths: its own errors (a `type` such as `'wrong-expected-version'`), raw gRPC errors (a
 * numeric `code`, 14 for UNAVAILABLE) and errors of its native read bridge (a `name` such as
 * `'UnavailableError'`).
 * @module
 */
import { ConcurrencyError, StoreError, type ExpectedRevision } from '../../core/index.js';
import { toActualRevision } from './esdbPosition.js';

/** What went wrong, as far as the adapter cares. */
export type EsdbFailure = 'conflict' | 'unreachable' | 'denied' | 'too-large' | 'deleted' | 'not-leader' | 'other';

/** Where an error happened, for the message. */
export interface ErrorContext {
  /** The operation, e.g. `append to stopcovid.tick-3`. */
  op: string;
  /** The server as shown to the user ({@link EsdbUrl.display}). */
  server: string;
  /** The user of the URL's credentials, if any. */
  user?: string;
  /** The port's stream name and expected revision, for a concurrency error. */
  stream?: string;
  expected?: ExpectedRevision;
  /** Bytes sent in the append, for a size error. */
  bytes?: number;
}

const BY_TYPE: Record<string, EsdbFailure> = {
  'wrong-expected-version': 'conflict',
  unavailable: 'unreachable',
  'deadline-exceeded': 'unreachable',
  timeout: 'unreachable',
  cancelled: 'unreachable',
  'access-denied': 'denied',
  'maximum-append-size-exceeded': 'too-large',
  'transaction-max-size-exceeded': 'too-large',
  'append-record-size-exceeded': 'too-large',
  'stream-deleted': 'deleted',
  'stream-tombstoned': 'deleted',
  'not-leader': 'not-leader',
};
const BY_NAME: Record<string, EsdbFailure> = {
  WrongExpectedVersionError: 'conflict',
  UnavailableError: 'unreachable',
  DeadlineExceededError: 'unreachable',
  AccessDeniedError: 'denied',
  NotAuthenticatedError: 'denied',
  StreamDeletedError: 'deleted',
  NotLeaderError: 'not-leader',
};
/** gRPC status codes: 1 CANCELLED, 4 DEADLINE_EXCEEDED, 7 PERMISSION_DENIED, 13 INTERNAL, 14 UNAVAILABLE, 16 UNAUTHENTICATED. */
const BY_CODE: Record<number, EsdbFailure> = { 1: 'unreachable', 4: 'unreachable', 7: 'denied', 13: 'unreachable', 14: 'unreachable', 16: 'denied' };

/** Sort a client error into an {@link EsdbFailure}. */
export function classifyEsdbError(error: unknown): EsdbFailure {
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as { type?: unknown; name?: unknown; code?: unknown; message?: unknown };
  if (typeof e.type === 'string' && BY_TYPE[e.type]) return BY_TYPE[e.type]!;
  if (typeof e.code === 'number' && BY_CODE[e.code]) return BY_CODE[e.code]!;
  if (typeof e.name === 'string' && BY_NAME[e.name]) return BY_NAME[e.name]!;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/UNAUTHENTICATED|PERMISSION_DENIED|access denied/i.test(message)) return 'denied';
  if (/UNAVAILABLE|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|DEADLINE_EXCEEDED|socket hang up/i.test(message)) return 'unreachable';
  return 'other';
}

/** True when the client reports that a stream does not exist (the read of an absent stream). */
export function isStreamNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { type?: unknown; name?: unknown };
  return e.type === 'stream-not-found' || e.name === 'StreamNotFoundError';
}

/** True for failures that a later attempt can mend (the server down or moving), false otherwise. */
export function isRetriableEsdbError(error: unknown): boolean {
  const kind = classifyEsdbError(error);
  return kind === 'unreachable' || kind === 'not-leader';
}

/**
 * Translate a client error into the port's error. Errors that already are the port's or the
 * event model's (`code` STORE_ERROR, WRONG_EXPECTED_VERSION, EVENT_DECODE) pass through unchanged.
 * @returns a ConcurrencyError for a wrong expected version (when `context.stream` is known), a
 *   StoreError with a one-line message otherwise; the client's error is kept as `cause`.
 */
export function translateEsdbError(error: unknown, context: ErrorContext): Error {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'STORE_ERROR' || code === 'WRONG_EXPECTED_VERSION' || code === 'EVENT_DECODE') return error as Error;
  const kind = classifyEsdbError(error);
  const detail = reason(error);
  const on = `${context.op} on EventStoreDB at ${context.server}`;
  switch (kind) {
    case 'conflict': {
      if (context.stream === undefined) break;
      const actual = toActualRevision((error as { actualState?: unknown }).actualState);
      const conflict = new ConcurrencyError(context.stream, context.expected ?? 'any', actual);
      (conflict as { cause?: unknown }).cause = error;
      return conflict;
    }
    case 'unreachable':
      return new StoreError(`cannot reach EventStoreDB at ${context.server} (${context.op}${told(error) ? `: ${detail}` : ''}); is the server running, and does the URL's tls= setting match it (a local insecure server needs ?tls=false)?`, { cause: error, unavailable: true });
    case 'denied':
      return new StoreError(
        context.user === undefined
          ? `EventStoreDB at ${context.server} refused access without credentials (${context.op}): put user:password@ in the store URL`
          : `EventStoreDB at ${context.server} refused user '${context.user}' (${context.op}): wrong password, or no permission for this operation`,
        { cause: error },
      );
    case 'too-large': {
      const max = (error as { maxAppendSize?: unknown }).maxAppendSize;
      return new StoreError(`${on} was refused as too large${context.bytes === undefined ? '' : ` (${context.bytes} bytes)`}${typeof max === 'number' ? `: the server's MaxAppendSize is ${max} bytes` : ''}; set ?maxAppendSize= in the store URL to the server's limit`, { cause: error });
    }
    case 'deleted':
      return new StoreError(`${on} failed: the stream was deleted`, { cause: error });
    case 'not-leader':
      return new StoreError(`${on} failed: the node is not the cluster leader; use esdb+discover:// or ?nodePreference=leader`, { cause: error });
  }
  return new StoreError(`${on} failed: ${detail}`, { cause: error });
}

/** True when the error's message says more than its class name (the read bridge's say only that). */
function told(error: unknown): boolean {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message.trim() !== '' && !/^\w+Error$/.test(message.trim());
}

/** The error's own message, on one line, or its type or name when it has none. */
function reason(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { message?: unknown; name?: unknown; type?: unknown };
  const text = typeof e.message === 'string' && e.message.trim() ? e.message : typeof e.type === 'string' ? e.type : String(e.name ?? 'unknown error');
  return text.replace(/\s+/g, ' ').trim();
}
