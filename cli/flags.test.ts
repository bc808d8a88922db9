import { describe, expect, it } from 'vitest';
import { parseCount } from './flags.js';

describe('parseCount', () => {
  it('reads plain digits, underscores between digit groups, and exponent forms', () => {
    expect(parseCount('100')).toBe(100);
    expect(parseCount('1_000_000')).toBe(1_000_000);
    expect(parseCount('1e6')).toBe(1_000_000);
    expect(parseCount('2.5E3')).toBe(2500);
    expect(parseCount(' 0 ')).toBe(0);
  });

  it('refuses fractions, signs, stray underscores, hex and words, naming the accepted forms', () => {
    for (const bad of ['1.5', '2.5e0', '-3.5', '1__000', '_1', '1_', '0x10', 'ten', '', '1e', 'Infinity', '2.55e1'])
      expect(() => parseCount(bad), bad).toThrow(/expected a whole number such as 1000000, 1_000_000 or 1e6; got/);
  });

  it('a negative whole number is out of the range, and said so', () => {
    expect(() => parseCount('-5', 1, 50_000_000)).toThrow('expected a number from 1 to 50000000; got -5');
    expect(() => parseCount('-1_000')).toThrow('expected a number of at least 0; got -1_000');
  });

  it('a whole number too large to count exactly is out of the range too, said as written', () => {
    expect(() => parseCount('1e99', 1, 50_000_000)).toThrow('expected a number from 1 to 50000000; got 1e99');
    // without a largest of its own, a count's largest is 2^53 - 1: said, not 'at least 0' (which 1e400 is)
    expect(() => parseCount('1e400')).toThrow('expected a number from 0 to 9007199254740991; got 1e400');
    expect(() => parseCount('99_999_999_999_999_999_999', 1, 10)).toThrow('expected a number from 1 to 10; got 99_999_999_999_999_999_999');
    expect(() => parseCount('2.5e20', 1, 10)).toThrow('expected a number from 1 to 10; got 2.5e20');
  });

  it('every count flag reads the forms of a count: people --limit 1e1 and 1_0, report --chains 5e0 (they refused them as not an integer)', async () => {
    const People = (await import('./commands/people.js')).default;
    const Report = (await import('./commands/report.js')).default;
    const Rebuild = (await import('./commands/rebuild.js')).default;
    for (const [command, flag] of [[People, 'limit'], [People, 'offset'], [Report, 'chains'], [Report, 'max-nodes'], [Rebuild, 'batch-events']] as const) {
      const parse = (command.flags as Record<string, { parse(input: string, context: unknown, options: unknown): Promise<number> }>)[flag]!;
      expect(await parse.parse('1e1', {}, parse), `${command.id ?? command.name} --${flag}`).toBe(10);
      expect(await parse.parse('1_0', {}, parse)).toBe(10);
    }
  });

  it('checks the range after reading the form', () => {
    expect(() => parseCount('1e8', 1, 50_000_000)).toThrow("expected a number from 1 to 50000000; got 100000000");
    expect(() => parseCount('0', 1)).toThrow('expected a number of at least 1; got 0');
    expect(parseCount('5e7', 1, 50_000_000)).toBe(50_000_000);
  });
});
