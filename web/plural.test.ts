import { describe, expect, it } from 'vitest';
import { counted } from './plural.js';

describe('counted', () => {
  it('one and other as English has them (CLDR: only 1 is "one" in English)', () => {
    expect([0, 1, 2, 21].map((n) => counted(n, 'tick'))).toEqual(['0 ticks', '1 tick', '2 ticks', '21 ticks']);
    expect(counted(1, 'new exposure')).toBe('1 new exposure');
    expect(counted(3, 'person', 'people')).toBe('3 people');
  });
});
