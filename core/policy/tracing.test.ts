/** `isIndexChange`: which status changes make a person an index case, a revoked positive back to 1 at hop 0 among them. */
import { describe, expect, it } from 'vitest';
import { isIndexChange } from './tracing.js';

describe('isIndexChange', () => {
  it('an initial status or a positive test at >= 1 is an index case, a contact is not', () => {
    expect(isIndexChange({ to: 1, reason: 'initial' })).toBe(true);
    expect(isIndexChange({ to: 2, reason: 'test-positive' })).toBe(true);
    expect(isIndexChange({ to: 1, reason: 'contact', hops: 0 })).toBe(false);
    expect(isIndexChange({ to: 0, reason: 'test-revoked' })).toBe(false);
  });

  it('a revoked positive back to 1 is one at hop 0 (no hops on the event, or the person at 0), not on a route', () => {
    expect(isIndexChange({ to: 1, reason: 'test-revoked' })).toBe(true);
    expect(isIndexChange({ to: 1, reason: 'test-revoked', hops: 0 })).toBe(true);
    expect(isIndexChange({ to: 1, reason: 'test-revoked', hops: 2 })).toBe(false);
  });
});
