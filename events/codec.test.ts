import { describe, expect, it } from 'vitest';
import { decode, isEventDecodeError, type RawEvent } from './index.js';

const meta = { tick: 2, at: '2020-03-17T00:02:00.000Z', schemaVersion: 1 };
const raw = (over: Partial<RawEvent>): RawEvent => ({ stream: 'stopcovid.tick-2', revision: 5, position: 40, type: 'PersonMoved', data: { personId: 3, x: 1, y: 2 }, metadata: meta, ...over });

describe('decode', () => {
  it('returns a typed event with its place in the log', () => {
    expect(decode(raw({}))).toEqual({ type: 'PersonMoved', data: { personId: 3, x: 1, y: 2 }, metadata: meta, stream: 'stopcovid.tick-2', revision: 5, position: 40 });
  });

  it('an unknown type is a decode error naming stream, revision and type', () => {
    const error = (() => {
      try {
        decode(raw({ type: 'PersonTeleported' }));
      } catch (e) {
        return e;
      }
    })();
    expect(isEventDecodeError(error)).toBe(true);
    expect((error as Error).message).toBe('corrupt event PersonTeleported at stopcovid.tick-2@5: unknown event type');
  });

  it('data failing the schema, and bad metadata, are decode errors with the failing field', () => {
    expect(() => decode(raw({ data: { personId: 3, x: -1, y: 2 } }))).toThrow('corrupt event PersonMoved at stopcovid.tick-2@5: data x: Too small: expected number to be >=0');
    expect(() => decode(raw({ metadata: { ...meta, at: 'yesterday' } }))).toThrow(/metadata at: Invalid ISO datetime/);
    expect(() => decode(raw({ type: 'HealthStatusChanged', data: { personId: 1, from: 0, to: 1, reason: 'contact' } }))).toThrow(/reason 'contact' needs sourcePersonId/);
    expect(() => decode(raw({ type: 'HealthStatusChanged', data: { personId: 1, from: 0, to: 3, reason: 'initial' } }))).toThrow(/data to:/);
  });

  it('a schema version newer than this program is refused', () => {
    expect(() => decode(raw({ metadata: { ...meta, schemaVersion: 2 } }))).toThrow(/schema version 2 is newer/);
  });
});
