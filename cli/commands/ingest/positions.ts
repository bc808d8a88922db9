import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { InputError } from '../../base.js';
import { bucket, IngestCommand, ingestFlags, Progress, type IngestResult } from '../../ingest/command.js';
import { Invalid } from '../../ingest/source.js';
import { IdTable } from '../../ingest/people.js';
import { detectFormat, PositionRows, readPositions, type PositionFormat } from '../../ingest/positions.js';

/** `stopcovid ingest positions <files...>`: GPS traces into a new world. */
export default class IngestPositions extends IngestCommand {
  static override summary = 'Ingest GPS position traces (CSV or cabspotting) into a new world.';
  static override description = `Formats (--format auto tells them apart by the first line):
- csv: id,time,latitude,longitude per row (WGS84 degrees), an optional header naming those columns; time in seconds since --epoch or ISO-8601 with a zone.
- cabspotting: latitude longitude occupancy time per line (CRAWDAD epfl/mobility taxis), one file per vehicle; the id is the file name: new_abboip.txt is abboip.

Fixes are grouped into time buckets of --bucket (one tick each, written as stream stopcovid.tick-<t>): tick t covers (start + (t-1)*bucket, start + t*bucket], aligned on midnight in --tz (default UTC): with --bucket 1d and --tz Europe/Paris, a tick is a local day. In a bucket, a person is where their last fix of the bucket puts them, and gets a PersonMoved; positions are metres east and north of the data's south-west corner (an equirectangular projection, whole metres). Two people seen in the same bucket are in contact when their great-circle (haversine) distance is at most --radius-m metres, found with a spatial hash on metres, never by comparing all pairs. A person not seen in a bucket is in no contact then: a gap in a trace is a gap, not a jump through the places in between nor a stay at the last place.

Out-of-order fixes are SORTED, not refused: per person, by time (equal times: the later line wins), so files listing the newest fix first, like the original cabspotting files, are read as well. Longitudes are not wrapped: contacts across the antimeridian are not found.

Index cases (--index, --statuses) are set at tick 0; then, bucket by bucket, a contact with a person whose status was >= 1 at the start of the bucket makes a healthy person suspicious (1) and notifies them, as in the simulation.

A bad row (wrong column count, a non-number, latitude outside [-90, 90], longitude outside [-180, 180], occupancy not 0 or 1) or an empty file stops the ingestion before anything is written, with file and line (a file given twice, under any name, is refused too); --skip-invalid skips them and reports how many. LF and CRLF line ends are both read; gzip files are read as such. Without --phones, each person gets a placeholder phone +999 followed by 9 digits (country code 999 is reserved); trace accepts it, or the input id as id:<id>. The store must hold no world yet.

A SQLite store (sqlite:<file>) is written to a temporary file beside it (.<name>.partial-<pid>) that takes the store's name only when the whole world is in it: Ctrl-C (SIGINT) or SIGTERM stops after the tick being written, removes it and exits 130 (143 for SIGTERM), and even a killed ingest leaves no partial world under the store's name. Other stores get the ticks one by one: an interrupted ingest leaves the first ticks there, and says so.`;

  static override examples = [
    '<%= config.bin %> ingest positions ../shared/data/cabspotting-sf-5cabs/new_*.txt --radius-m 100 --index abboip --store sqlite:./taxis.db',
    '<%= config.bin %> ingest positions traces.csv --radius-m 10 --bucket 5m --phones phones.csv --json',
  ];

  static override strict = false;

  static override args = {
    files: Args.string({ description: 'Position files (plain or gzip); several may be given.', required: true }),
  };

  static override flags = {
    'radius-m': Flags.custom<number>({
      summary: 'Contact distance in metres (great-circle).',
      helpValue: 'METRES',
      required: true,
      async parse(input) {
        const value = Number(input);
        if (!/^\d+(\.\d+)?$/.test(input.trim()) || !(value > 0)) throw new InputError(`expected a positive number of metres; got '${input}'`);
        return value;
      },
    })(),
    bucket: bucket({ summary: 'Length of a time bucket (one tick), with a unit: 30s, 1m, 5m.', default: 60_000, defaultHelp: async () => '1m' }),
    format: Flags.string({ summary: 'Format of the files.', options: ['auto', 'csv', 'cabspotting'], default: 'auto' }),
    ...ingestFlags,
  };

  async run(): Promise<IngestResult> {
    const { argv, flags } = await this.parse(IngestPositions);
    const files = argv as string[];
    // the same file twice (under any name) would read each of its rows twice and count them twice
    const seen = new Map<string, string>();
    for (const file of files) {
      let key: string;
      try {
        key = realpathSync(file);
      } catch {
        key = resolve(file); // a file that cannot be read is reported by the reader
      }
      const first = seen.get(key);
      if (first !== undefined) throw new InputError(`${file}: the same file is given twice${first === file ? '' : ` (also as ${first})`}: its rows would be read and counted twice`);
      seen.set(key, file);
    }
    const started = performance.now();
    const progress = new Progress();
    const invalid = new Invalid(flags['skip-invalid']);
    const table = new IdTable();
    const rows = new PositionRows();
    const counts = [];
    let before = 0;
    for (const file of files) {
      let format = flags.format as PositionFormat | 'auto';
      if (format === 'auto') {
        try {
          format = await detectFormat(file);
        } catch (error) {
          if (!invalid.skip || !(error as { reason?: string }).reason?.startsWith('empty file')) throw error;
          format = 'csv';
        }
      }
      counts.push(await readPositions(file, format, table, flags.epoch, rows, invalid, (n) => progress.update(`reading ${file}: ${before + n} rows`, before + n)));
      before = rows.count;
    }
    const result = await this.ingest(flags.store, table, flags, flags.bucket, (people) => rows.records(people.remap, flags['radius-m']), counts, invalid, progress, started);
    this.report(result, flags.store);
    return result;
  }
}
