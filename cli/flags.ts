/**
 * Shared flag parsers, validated when parsed.
 * @module
 */
import { Flags } from '@oclif/core';

/** `--grid WxH`: width and height in cells, both positive integers (e.g. `101x101`). */
export const grid = Flags.custom<{ width: number; height: number }>({
  summary: 'Grid size in cells, WIDTHxHEIGHT. [default: 101x101]',
  helpValue: 'WxH',
  async parse(input) {
    const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(input);
    const width = m ? Number(m[1]) : NaN;
    const height = m ? Number(m[2]) : NaN;
    if (!m || !(width >= 1) || !(height >= 1) || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
      throw new Error(`expected WIDTHxHEIGHT with positive integers, like 101x101; got '${input}'`);
    }
    return { width, height };
  },
});
