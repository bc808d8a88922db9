/**
 * Shared flag parsers, validated when parsed.
 * @module
 */
import { Flags } from '@oclif/core';
import { InputError } from './base.js';

/** `--grid WxH`: width and height in cells, both positive integers (e.g. `101x101`). */
export const grid = Flags.custom<{ width: number; height: number }>({
  summary: 'Grid size in cells, WIDTHxHEIGHT. [default: 101x101]',
  helpValue: 'WxH',
  async parse(input) {
    const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(input);
    const width = m ? Number(m[1]) : NaN;
    const height = m ? Number(m[2]) : NaN;
    if (!m || !(width >= 1) || !(height >= 1) || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
      throw new InputError(`expected WIDTHxHEIGHT with positive integers, like 101x101; got '${input}'`);
    }
    return { width, height };
  },
});

/**
 * Parse a count as people write sizes: `1000000`, `1_000_000`, `1e6`, `2.5e3`. The value must be
 * a whole number within `[min, max]` (defaults 0 and 2^53 - 1).
 * @throws InputError naming the accepted forms or the range.
 */
export function parseCount(input: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = input.trim();
  const form = /^\+?\d+(_\d+)*$/.test(text) ? text.replace(/_/g, '') : /^\+?\d+(\.\d+)?[eE]\+?\d+$/.test(text) ? text : undefined;
  const value = form === undefined ? NaN : Number(form);
  // below the least, with no largest of its own: 'at least'; else the range (a count's largest is 2^53 - 1)
  const outOfRange = (got: string | number, tooLarge: boolean) => new InputError(`expected a number ${max === Number.MAX_SAFE_INTEGER && !tooLarge ? `of at least ${min}` : `from ${min} to ${max}`}; got ${got}`);
  // a negative number is a whole number, just out of range: say the range
  if (/^-\d/.test(text) && Number.isSafeInteger(Number(text.replace(/_/g, '')))) throw outOfRange(text, false);
  // so is one too large to count exactly (1e99, 1e400): say the range, with the number as written
  if (form !== undefined && !Number.isSafeInteger(value) && isWhole(form)) throw outOfRange(text, true);
  if (!Number.isSafeInteger(value)) throw new InputError(`expected a whole number such as 1000000, 1_000_000 or 1e6; got '${input}'`);
  if (value < min || value > max) throw outOfRange(value, value > max);
  return value;
}

/** True when `form` (digits, or digits with an exponent: `2.5e3`) writes a whole number, however large. */
function isWhole(form: string): boolean {
  const m = /^\+?\d+(?:\.(\d+))?(?:[eE]\+?(\d+))?$/.exec(form);
  return m !== null && (m[1] ?? '').replace(/0+$/, '').length <= Number(m[2] ?? 0);
}

/**
 * A count flag (`--people 1e6`, `--ticks 1_000`): a whole number within `min` and `max`, in any
 * form {@link parseCount} reads.
 */
export const count = Flags.custom<number, { min?: number; max?: number }>({
  helpValue: 'N',
  async parse(input, _context, options) {
    return parseCount(input, options.min, options.max);
  },
});

/** The notification bus flags shared by simulate, bridge and consume. */
export const busFlags = {
  bus: Flags.string({
    summary: 'Notification bus URL: kafka://host:port[,host:port], or memory: (inside this process); consume without one, or with memory:, reads alerts from the store.',
    env: 'STOPCOVID_BUS',
    helpGroup: 'BUS',
  }),
  topic: Flags.string({ summary: 'Kafka topic of the alerts.', default: 'stopcovid.notifications', env: 'STOPCOVID_TOPIC', helpGroup: 'BUS' }),
  partitions: count({ summary: 'Partitions of the topic when it is created.', default: 3, min: 1, helpGroup: 'BUS' }),
  'connect-timeout': count({ summary: 'Give up reaching the bus after this many milliseconds.', default: 10_000, min: 100, helpGroup: 'BUS' }),
};
