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

/** The notification bus flags shared by simulate, bridge and consume. */
export const busFlags = {
  bus: Flags.string({
    summary: 'Notification bus URL: kafka://host:port[,host:port]. memory: or none reads alerts from the store.',
    env: 'STOPCOVID_BUS',
    helpGroup: 'BUS',
  }),
  topic: Flags.string({ summary: 'Kafka topic of the alerts.', default: 'stopcovid.notifications', env: 'STOPCOVID_TOPIC', helpGroup: 'BUS' }),
  partitions: Flags.integer({ summary: 'Partitions of the topic when it is created.', default: 3, min: 1, helpGroup: 'BUS' }),
  'connect-timeout': Flags.integer({ summary: 'Give up reaching the bus after this many milliseconds.', default: 10_000, min: 100, helpGroup: 'BUS' }),
};
