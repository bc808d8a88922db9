/**
 * Readers of GPS position traces, WGS84 decimal degrees:
 * - CSV (RFC 4180, by csv-parse): `id,time,latitude,longitude`, one fix per row; an optional header
 *   line names the columns (`id`, `time`, `latitude`|`lat`, `longitude`|`lon`|`lng`, in any order,
 *   other columns ignored); without one the four columns come in that order. `time` is seconds
 *   (relative to `--epoch`, by default UNIX time) or an ISO-8601 date-time with a zone.
 * - cabspotting (CRAWDAD epfl/mobility, San Francisco taxis): `latitude longitude occupancy time`
 *   separated by spaces, one file per vehicle named `new_<id>.txt` (the id is `<id>`; for another
 *   name, the name without its extension); `occupancy` is 0 or 1, `time` UNIX seconds.
 * Fixes may come in any order (the original cabspotting files list the newest first): they are
 * sorted by time later, per person.
 * @module
 */
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse';
import type { PositionRecords } from '../../core/index.js';
import { Column, decimal, EmptyFileError, numberedLines, openInput, readFile, RowError, csvParseError, timeMs, type FileCount, type Invalid } from './source.js';
import type { IdTable } from './people.js';

/** Input formats of `ingest positions`. */
export type PositionFormat = 'csv' | 'cabspotting';

/** Fixes read so far, people as provisional numbers of an {@link IdTable}. */
export class PositionRows {
  readonly person = new Column((n) => new Int32Array(n));
  readonly time = new Column((n) => new Float64Array(n));
  readonly lat = new Column((n) => new Float64Array(n));
  readonly lon = new Column((n) => new Float64Array(n));

  /** Fixes read. */
  get count(): number {
    return this.time.length;
  }

  /** The fixes as core's records, people renumbered with `remap` (from {@link IdTable.finish}). */
  records(remap: Int32Array, radiusM: number): PositionRecords {
    const person = this.person.values().map((p) => remap[p]!);
    return { source: 'positions', count: this.count, time: this.time.values(), person, lat: this.lat.values(), lon: this.lon.values(), radiusM };
  }

  /** Append one fix: provisional person number, time (ms since 1970), WGS84 degrees. */
  push(person: number, time: number, lat: number, lon: number): void {
    this.person.push(person);
    this.time.push(time);
    this.lat.push(lat);
    this.lon.push(lon);
  }
}

/**
 * The format of `file` from its first non-blank line: a comma means CSV, four fields separated by
 * spaces mean cabspotting.
 * @throws RowError when it is neither, or the file is empty.
 */
export async function detectFormat(file: string): Promise<PositionFormat> {
  for await (const { line, text } of numberedLines(file)) {
    if (text.includes(',')) return 'csv';
    if (text.trim().split(/\s+/).length === 4) return 'cabspotting';
    throw new RowError(file, line, 'cannot tell the format: expected CSV (id,time,latitude,longitude) or cabspotting (latitude longitude occupancy time); use --format');
  }
  throw new EmptyFileError(file);
}

/** The person id of a cabspotting file: `new_abboip.txt` is `abboip`. */
export function cabId(file: string): string {
  const name = basename(file).replace(/\.gz$/i, '');
  const m = /^new_(.+)\.txt$/i.exec(name);
  return m ? m[1]! : basename(name, extname(name));
}

/** Check a latitude and a longitude field; the reason when one is wrong. */
function coordinates(latText: string, lonText: string): { lat: number; lon: number } | string {
  const lat = decimal(latText);
  if (lat === undefined) return `latitude '${latText}' is not a number`;
  if (lat < -90 || lat > 90) return `latitude ${latText} is outside [-90, 90]`;
  const lon = decimal(lonText);
  if (lon === undefined) return `longitude '${lonText}' is not a number`;
  if (lon < -180 || lon > 180) return `longitude ${lonText} is outside [-180, 180]`;
  return { lat, lon };
}

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** A time field: seconds since the epoch, or an ISO-8601 date-time with a zone; the reason when wrong. */
function time(text: string, epochMs: number): number | string {
  const seconds = decimal(text);
  let ms: number | undefined;
  if (seconds !== undefined) ms = timeMs(epochMs, seconds);
  else if (ISO.test(text)) ms = timeMs(0, Date.parse(text.replace(' ', 'T')) / 1000);
  else return `time '${text}' is neither seconds nor an ISO-8601 date-time with a zone`;
  return ms ?? `time '${text}' is outside the years 0000-9999`;
}

/**
 * Read a positions file in `format` into `rows`. Bad rows (wrong column count, a non-number,
 * latitude outside [-90, 90], longitude outside [-180, 180], occupancy not 0 or 1) go to `invalid`;
 * `onRow` is called every 10,000 rows with the rows read so far in this file.
 * @throws RowError for a bad row without `--skip-invalid`, or an empty file; InputError when the file cannot be read.
 */
export async function readPositions(file: string, format: PositionFormat, ids: IdTable, epochMs: number, rows: PositionRows, invalid: Invalid, onRow: (rowsInFile: number) => void): Promise<FileCount> {
  const count: FileCount = { file, format, rows: 0, skipped: 0 };
  const add = (id: string, ms: number, lat: number, lon: number) => {
    rows.push(ids.intern(id), ms, lat, lon);
    if (++count.rows % 10_000 === 0) onRow(count.rows);
  };
  return readFile(count, invalid, () => (format === 'cabspotting' ? cabspotting(file, epochMs, count, invalid, add) : csv(file, epochMs, count, invalid, add)));
}

type Add = (id: string, ms: number, lat: number, lon: number) => void;

async function cabspotting(file: string, epochMs: number, count: FileCount, invalid: Invalid, add: Add): Promise<void> {
  const id = cabId(file);
  for await (const { line, text } of numberedLines(file)) {
    const fields = text.trim().split(/\s+/);
    const bad = (reason: string) => invalid.row(new RowError(file, line, reason), count);
    if (fields.length !== 4) {
      bad(`expected 4 columns (latitude longitude occupancy time), got ${fields.length}`);
      continue;
    }
    const [latText, lonText, occupancy, timeText] = fields as [string, string, string, string];
    const at = coordinates(latText, lonText);
    if (typeof at === 'string') {
      bad(at);
      continue;
    }
    if (occupancy !== '0' && occupancy !== '1') {
      bad(`occupancy '${occupancy}' is not 0 or 1`);
      continue;
    }
    const ms = time(timeText, epochMs);
    if (typeof ms === 'string') {
      bad(ms);
      continue;
    }
    add(id, ms, at.lat, at.lon);
  }
}

async function csv(file: string, epochMs: number, count: FileCount, invalid: Invalid, add: Add): Promise<void> {
  const input = await openInput(file);
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
      skip_records_with_error: invalid.skip,
      on_skip: (error) => {
        if (error) invalid.row(new RowError(file, Number((error as { lines?: number }).lines ?? 1), error.message), count);
        return undefined;
      },
    }),
  );
  input.on('error', (error) => parser.destroy(error));
  let columns: { id: number; time: number; lat: number; lon: number; width: number } | undefined;
  let any = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      any = true;
      if (!columns) {
        columns = header(file, line, record);
        if (columns) continue;
        columns = { id: 0, time: 1, lat: 2, lon: 3, width: 4 };
      }
      const bad = (reason: string) => invalid.row(new RowError(file, line, reason), count);
      if (record.length !== columns.width) {
        bad(`expected ${columns.width} columns${columns.width === 4 ? ' (id,time,latitude,longitude)' : ''}, got ${record.length}`);
        continue;
      }
      const id = record[columns.id]!;
      if (!id) {
        bad('the id is empty');
        continue;
      }
      const at = coordinates(record[columns.lat]!, record[columns.lon]!);
      if (typeof at === 'string') {
        bad(at);
        continue;
      }
      const ms = time(record[columns.time]!, epochMs);
      if (typeof ms === 'string') {
        bad(ms);
        continue;
      }
      add(id, ms, at.lat, at.lon);
    }
  } catch (error) {
    throw csvParseError(file, error);
  } finally {
    input.destroy();
  }
  if (!any) throw new EmptyFileError(file);
}

/** The columns named by a header line, or `undefined` when the first row is data (its first field is not `id`). */
function header(file: string, line: number, record: string[]): { id: number; time: number; lat: number; lon: number; width: number } | undefined {
  const names = record.map((n) => n.toLowerCase());
  if (names[0] !== 'id' && !names.includes('latitude') && !names.includes('lat')) return undefined;
  const find = (...options: string[]) => names.findIndex((n) => options.includes(n));
  const columns = { id: find('id'), time: find('time'), lat: find('latitude', 'lat'), lon: find('longitude', 'lon', 'lng'), width: record.length };
  if (columns.id < 0 || columns.time < 0 || columns.lat < 0 || columns.lon < 0) throw new RowError(file, line, `the header names ${record.join(',')}: it needs id, time, latitude, longitude`);
  return columns;
}
