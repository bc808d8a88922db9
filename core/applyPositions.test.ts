import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../events/index.js';
import { DEFAULT_PARAMS, type WorldParams } from './params.js';
import { applyPositions, genesis, isPositionError, stepTick, type PositionReport } from './simulation.js';

const dense: WorldParams = { ...DEFAULT_PARAMS, people: 2000, width: 60, height: 60, radius: 1, seed: 11 };

describe('applyPositions: one tick from reported positions', () => {
  it("given stepTick's own moves as reports, it writes the very events stepTick wrote, tick after tick", () => {
    const seeded = genesis(dense).state;
    const reported = genesis(dense).state;
    for (let t = 1; t <= 5; t++) {
      const expected = stepTick(seeded);
      const reports = expected.events.filter((e): e is DomainEvent<'PersonMoved'> => e.type === 'PersonMoved').map((e) => e.data);
      const actual = applyPositions(reported, reports);
      expect(JSON.stringify(actual.events)).toBe(JSON.stringify(expected.events));
      expect(actual.summary).toEqual(expected.summary);
      expect(actual.summary.exposures).toBeGreaterThan(0);
    }
    expect(reported.recordedHash).toBe(seeded.recordedHash);
  });

  it('moves only the reported people; a healthy person reported beside an infected one is exposed and notified', () => {
    const { state } = genesis({ ...DEFAULT_PARAMS, people: 40, width: 1000, height: 1000, seed: 3 });
    const infected = state.status.indexOf(2);
    const healthy = state.status.indexOf(0);
    const before = { x: state.xs[5], y: state.ys[5] };
    const { events, summary } = applyPositions(state, [
      { personId: infected, x: 500, y: 500 },
      { personId: healthy, x: 500, y: 500 },
    ]);
    expect(summary.tick).toBe(1);
    expect(events.filter((e) => e.type === 'PersonMoved').map((e) => e.data.personId)).toEqual([infected, healthy].sort((a, b) => a - b));
    expect(events.filter((e) => e.type === 'HealthStatusChanged').map((e) => e.data)).toEqual([
      { personId: healthy, from: 0, to: 1, reason: 'contact', sourcePersonId: infected, contactId: 'c-1-0', x: 500, y: 500 },
    ]);
    expect(events.filter((e) => e.type === 'NotificationIssued').map((e) => e.data)).toEqual([{ notificationId: `n-1-${healthy}`, personId: healthy, phone: state.phones[healthy] }]);
    expect(state.status[healthy]).toBe(1);
    expect({ x: state.xs[5], y: state.ys[5] }).toEqual(before);
    expect(events.at(-1)!.type).toBe('TickCompleted');
  });

  it('a report of the cell a person is already in writes no PersonMoved', () => {
    const { state } = genesis({ ...DEFAULT_PARAMS, people: 10 });
    const { events } = applyPositions(state, [{ personId: 2, x: state.xs[2]!, y: state.ys[2]! }]);
    expect(events.some((e) => e.type === 'PersonMoved')).toBe(false);
  });

  it.each<[string, PositionReport[], RegExp]>([
    ['a person outside the world', [{ personId: 10, x: 1, y: 1 }], /^report 0: person 10 is not in this world of 10 people \(0\.\.9\)$/],
    ['a cell off the grid', [{ personId: 1, x: 1, y: 1 }, { personId: 2, x: 101, y: 0 }], /^report 1: cell \(101, 0\) of person 2 is off the 101x101 grid$/],
    ['a fractional cell', [{ personId: 1, x: 1.5, y: 1 }], /off the 101x101 grid/],
    ['a person reported twice', [{ personId: 3, x: 1, y: 1 }, { personId: 3, x: 2, y: 2 }], /^report 1: person 3 is reported twice in one tick$/],
  ])('refuses %s with a PositionError and leaves the world unchanged', (_, reports, message) => {
    const { state } = genesis({ ...DEFAULT_PARAMS, people: 10 });
    const hash = state.recordedHash;
    const xs = [...state.xs];
    const error = (() => {
      try {
        applyPositions(state, reports);
      } catch (e) {
        return e;
      }
    })();
    expect(isPositionError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(state.tick).toBe(0);
    expect(state.recordedHash).toBe(hash);
    expect([...state.xs]).toEqual(xs);
  });
});
