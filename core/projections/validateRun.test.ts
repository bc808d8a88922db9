import { describe, expect, it } from 'vitest';
import { isEventDecodeError } from '../../events/index.js';
import { DEFAULT_PARAMS, genesisColumnar, isEventRun, scratch, stepTickColumnar, type EventRun, type StoredRun } from '../index.js';
import { validateRun } from './validateRun.js';

const stored = (run: EventRun, revision = 10): StoredRun => ({ ...run, stream: 'stopcovid.tick-1', revision, position: 100 + revision });

describe('validateRun', () => {
  const world = genesisColumnar({ ...DEFAULT_PARAMS, people: 400, width: 30, height: 30, seed: 6 });
  const moves = stepTickColumnar(world.state, scratch()).events.find(isEventRun)!;
  const registrations = world.events.find(isEventRun)!;

  it('passes a run of moves and one of registrations as runs, with the metadata decoded once', () => {
    for (const run of [moves, registrations]) {
      const out = validateRun(stored(run));
      expect(out).toHaveLength(1);
      expect(isEventRun(out[0])).toBe(true);
      expect((out[0] as StoredRun).count).toBe(run.count);
      expect(out[0]!.metadata).toEqual(run.metadata);
    }
  });

  it('refuses what the schema refuses, naming the event: a negative cell, a person id below 0, a phone that is not E.164', () => {
    const bad = (run: EventRun, key: string, at: number, value: number | string) => {
      const columns = run.columns.map((c, k) => {
        if (run.keys[k] !== key) return c;
        const copy = c instanceof Int32Array ? Int32Array.from(c) : [...c];
        (copy as (number | string)[])[at] = value;
        return copy;
      });
      return stored({ ...run, columns: columns as EventRun['columns'] }, 20);
    };
    const initial = world.events.filter(isEventRun).find((r) => r.type === 'HealthStatusChanged')!;
    expect(validateRun(stored(initial))).toHaveLength(1); // a world's initial statuses pass as a run
    for (const [run, key, value] of [[moves, 'x', -1], [moves, 'personId', -3], [registrations, 'phone', '0612345678'], [initial, 'to', 3], [initial, 'reason', 'contact'], [initial, 'reason', 'bored']] as const) {
      try {
        validateRun(bad(run, key, 7, value));
        expect.unreachable(`a ${key} of ${value} passed`);
      } catch (error) {
        expect(isEventDecodeError(error)).toBe(true);
        expect((error as Error).message).toContain(key);
        expect((error as { location: { revision: number } }).location.revision).toBe(27);
      }
    }
  });

  it('passes contacts on a grid as a run, and refuses one whose people are out of order or whose id is empty (the schema: a < b, contactId min 1)', () => {
    const contacts: EventRun = {
      type: 'ContactDetected',
      metadata: moves.metadata,
      count: 3,
      keys: ['contactId', 'a', 'b', 'x', 'y', 'distance'],
      columns: [['c-1-2-5', 'c-1-4-9', 'c-1-6-7'], Int32Array.of(2, 4, 6), Int32Array.of(5, 9, 7), Int32Array.of(3, 3, 8), Int32Array.of(1, 1, 0), Int32Array.of(0, 0, 0)],
    };
    const out = validateRun(stored(contacts));
    expect(out).toHaveLength(1);
    expect(isEventRun(out[0])).toBe(true);
    const swapped = { ...contacts, columns: [contacts.columns[0]!, Int32Array.of(2, 9, 6), Int32Array.of(5, 4, 7), ...contacts.columns.slice(3)] };
    expect(() => validateRun(stored(swapped))).toThrow(/a must be less than b/);
    const unnamed = { ...contacts, columns: [['c-1-2-5', 'c-1-4-9', ''], ...contacts.columns.slice(1)] };
    expect(() => validateRun(stored(unnamed))).toThrow(/contactId/);
  });

  it('decodes event by event a run of another type, or with other keys, or an unknown type', () => {
    const statuses: EventRun = { type: 'HealthStatusChanged', metadata: moves.metadata, count: 2, keys: ['personId', 'from', 'to', 'reason', 'contactTick'], columns: [Int32Array.of(1, 2), Int32Array.of(0, 0), Int32Array.of(1, 1), ['expired', 'expired'], Int32Array.of(3, 3)] };
    const out = validateRun(stored(statuses));
    expect(out.map((e) => (isEventRun(e) ? 'run' : e.type))).toEqual(['HealthStatusChanged', 'HealthStatusChanged']);
    expect(out.map((e) => (e as { position: number }).position)).toEqual([110, 111]);
    const extra: EventRun = { ...moves, count: 1, keys: ['personId', 'x', 'y', 'z'], columns: [Int32Array.of(1), Int32Array.of(2), Int32Array.of(3), Int32Array.of(4)] };
    expect(isEventRun(validateRun(stored(extra))[0])).toBe(false);
    expect(() => validateRun(stored({ ...moves, type: 'PersonTeleported' }))).toThrow(/unknown event type/);
  });
});
