import { describe, expect, it } from 'vitest';
import { inZone, midnightBefore, offsetMs, timeZone } from './time.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('time zones (Intl)', () => {
  it('canonical names; unknown ones refused in one line', () => {
    expect(timeZone('europe/paris')).toBe('Europe/Paris');
    expect(timeZone('UTC')).toBe('UTC');
    expect(() => timeZone('Mars/Olympus')).toThrow("unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Paris, or UTC");
  });

  it('offsets follow summer time', () => {
    expect(offsetMs('Europe/Paris', at('2010-12-06T12:00:00Z'))).toBe(3600_000);
    expect(offsetMs('Europe/Paris', at('2013-07-01T12:00:00Z'))).toBe(7200_000);
    expect(offsetMs('Asia/Kolkata', at('2013-07-01T12:00:00Z'))).toBe(19_800_000);
    expect(offsetMs('UTC', at('2013-07-01T12:00:00Z'))).toBe(0);
  });

  it('local midnight begins the local day of an instant, also on days of a summer-time change', () => {
    expect(iso(midnightBefore('Europe/Paris', at('2010-12-06T12:00:00Z')))).toBe('2010-12-05T23:00:00.000Z');
    expect(iso(midnightBefore('Europe/Paris', at('2010-12-05T23:00:00Z')))).toBe('2010-12-05T23:00:00.000Z');
    expect(iso(midnightBefore('Europe/Paris', at('2010-12-05T22:59:59Z')))).toBe('2010-12-04T23:00:00.000Z');
    expect(iso(midnightBefore('Europe/Paris', at('2013-03-31T12:00:00Z')))).toBe('2013-03-30T23:00:00.000Z'); // the change is at 02:00
    expect(iso(midnightBefore('America/Sao_Paulo', at('2018-11-04T12:00:00Z')))).toBe('2018-11-04T03:00:00.000Z'); // 00:00 did not exist: the day began at 01:00
    expect(iso(midnightBefore('UTC', at('2013-12-02T11:00:00Z')))).toBe('2013-12-02T00:00:00.000Z');
  });

  it('times are shown with the local offset; UTC unchanged', () => {
    expect(inZone('2010-12-06T12:00:00.000Z', 'Europe/Paris')).toBe('2010-12-06T13:00:00.000+01:00');
    expect(inZone('2013-07-01T12:00:00.000Z', 'America/New_York')).toBe('2013-07-01T08:00:00.000-04:00');
    expect(inZone('2013-07-01T12:00:00.000Z', 'Asia/Kolkata')).toBe('2013-07-01T17:30:00.000+05:30');
    expect(inZone('2013-07-01T12:00:00.000Z', 'UTC')).toBe('2013-07-01T12:00:00.000Z');
  });
});
