import { describe, expect, it } from 'vitest';
import { toE164 } from './phone.js';

describe('toE164', () => {
  it('normalises the common forms of a number of the region', () => {
    for (const form of ['+33612345678', '0612345678', '06 12 34 56 78', '06.12.34.56.78', '+33 6 12 34 56 78', '33612345678', '0033612345678', '00 33 6 12 34 56 78'])
      expect(toE164(form, 'FR'), form).toBe('+33612345678');
    expect(toE164('04 92 58 76 11', 'fr')).toBe('+33492587611');
  });

  it("accepts another country's number written with '+'", () => {
    expect(toE164('+49 2587611', 'FR')).toBe('+492587611');
    expect(toE164('+1 650 253 0000', 'FR')).toBe('+16502530000');
  });

  it("refuses a national form whose prefix reads as the region's international call prefix, saying so", () => {
    expect(() => toE164('004-92-58-76-11', 'FR')).toThrow(
      "'004-92-58-76-11' changes country while being read: its leading 00 is the international call prefix of FR, which makes it +492587611 (DE), not a number of FR; write it with '+' and a country code (+492587611 for DE, +33 and the national number for FR)",
    );
    // the same rule in another region: 011 is the international call prefix of the US
    expect(() => toE164('011 33 6 12 34 56 78', 'US')).toThrow(/its leading 011 is the international call prefix of US, which makes it \+33612345678 \(FR\), not a number of US/);
  });

  it("refuses digits without '+' that only make a number of another country", () => {
    expect(() => toE164('491701234567', 'FR')).toThrow("'491701234567' changes country while being read: it has no '+' and reads as +491701234567 (DE), not a number of FR");
  });

  it('refuses malformed numbers and unknown regions', () => {
    expect(() => toE164('06-12', 'FR')).toThrow("'06-12' is not a valid phone number (region FR)");
    expect(() => toE164('0612345678', 'XX')).toThrow("unknown region 'XX'");
  });
});
