import { describe, expect, it } from 'vitest';
import { edgeKnown, statusAtRule } from './timeTravel.js';

// one person: exposed live at tick 3 (0 -> 1), released at tick 6 (expired), then alerted at tick 15 for a contact at tick 10
const changes = [
  { tick: 3, validTick: 3, to: 1, reason: 'contact' },
  { tick: 6, validTick: 6, to: 0, reason: 'expired' },
  { tick: 15, validTick: 10, to: 1, reason: 'contact' },
];

describe('statusAtRule: valid time and recorded time', () => {
  it('follows the record of the time when both axes agree', () => {
    expect([2, 3, 5, 6, 9, 14, 15].map((t) => statusAtRule(changes, { tick: t, knownAt: t }).status)).toEqual([0, 1, 1, 0, 0, 0, 1]);
  });

  it('a retroactive exposure counts from its contact tick, once known', () => {
    expect(statusAtRule(changes, { tick: 12, knownAt: 12 })).toEqual({ status: 0, reason: 'expired' });
    expect(statusAtRule(changes, { tick: 12, knownAt: 15 })).toEqual({ status: 1, reason: 'contact' });
    expect(statusAtRule(changes, { tick: 10, knownAt: 15 }).status).toBe(1);
    expect(statusAtRule(changes, { tick: 9, knownAt: 15 }).status).toBe(0); // before the contact
    expect(statusAtRule(changes, { tick: 12, knownAt: 14 }).status).toBe(0); // not known yet
  });

  it('never lets a later record change an earlier valid status that was not healthy', () => {
    expect(statusAtRule(changes, { tick: 4, knownAt: 15 }).status).toBe(1);
    expect(statusAtRule([], { tick: 4, knownAt: 15 })).toEqual({ status: 0 });
  });
});

describe('edgeKnown', () => {
  const edge = { source: 0, exposed: 1, tick: 15, contactTick: 10, at: '', x: 0, y: 0, contactId: 'c-10-0', sourceStatus: 2 };
  it('keeps an exposure that took effect by the valid tick and was decided by the recorded tick', () => {
    expect(edgeKnown(edge, { tick: 12, knownAt: 15 })).toBe(true);
    expect(edgeKnown(edge, { tick: 12, knownAt: 14 })).toBe(false);
    expect(edgeKnown(edge, { tick: 9, knownAt: 15 })).toBe(false);
    const { contactTick: _, ...live } = edge;
    expect(edgeKnown(live, { tick: 14, knownAt: 20 })).toBe(false);
    expect(edgeKnown(live, { tick: 15, knownAt: 15 })).toBe(true);
  });
});
