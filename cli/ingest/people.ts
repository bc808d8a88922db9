/**
 * The people of an ingested world: their ids in the input, their phones (a mapping file, or
 * placeholders), and their initial statuses (`--index`, a status file).
 * @module
 */
import { parse } from 'csv-parse';
import { placeholderPhone } from '../../core/index.js';
import { InputError } from '../base.js';
import { toE164 } from '../phone.js';
import { EmptyFileError, openInput, RowError, csvParseError } from './source.js';

/** True when `id` is a plain non-negative integer as SocioPatterns writes ids (no sign, no leading zero, at most 15 digits). */
export function isIntegerId(id: string): boolean {
  return /^(0|[1-9]\d{0,14})$/.test(id);
}

/** Ids met in the input, numbered in order of first appearance until {@link IdTable.finish} sorts them. */
export class IdTable {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  /** The provisional number of `id`, adding it when new. */
  intern(id: string): number {
    let n = this.index.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(id);
      this.index.set(id, n);
    }
    return n;
  }

  /** True when `id` was met. */
  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Ids met so far. */
  get size(): number {
    return this.ids.length;
  }

  /**
   * The final order: numerically when every id is a plain non-negative integer (SocioPatterns),
   * otherwise by UTF-16 code units (the same on every machine, unlike a locale's collation).
   * Returns the sorted ids and `remap[provisional] = personId`.
   */
  finish(): { ids: string[]; remap: Int32Array } {
    const numeric = this.ids.every(isIntegerId);
    const sorted = [...this.ids].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const remap = new Int32Array(this.ids.length);
    sorted.forEach((id, personId) => (remap[this.index.get(id)!] = personId));
    return { ids: sorted, remap };
  }
}

/** Where the people's phones and initial statuses come from. */
export interface PeopleOptions {
  /** Ids of index cases (status 2 at the start), from `--index`. */
  index: readonly string[];
  /** A CSV file `id,status` (status 0, 1 or 2; optional header line `id,status`). */
  statusFile?: string;
  /** A CSV file `id,phone` (optional header line `id,phone`); phones in national form are read in `region`. */
  phonesFile?: string;
  region: string;
}

/** The people, in person id order. */
export interface People {
  ids: string[];
  phones: string[];
  status: Uint8Array;
  /** `remap[provisional id number] = personId`. */
  remap: Int32Array;
  /** Phones that are placeholders. */
  placeholders: number;
}

/**
 * Read the phone mapping (its ids join the world even without a row: subscribers who met nobody)
 * and the statuses, then fix the person ids.
 * @throws RowError for a bad line of either file (wrong columns, a bad phone or status, a repeated
 *   id or phone, a status for a person found nowhere in the input); InputError for an `--index`
 *   id found nowhere in the input, or one given two different statuses.
 */
export async function buildPeople(table: IdTable, options: PeopleOptions): Promise<People> {
  const phoneOf = new Map<string, string>();
  if (options.phonesFile) {
    const owner = new Map<string, number>();
    for await (const { line, record } of csvPairs(options.phonesFile, ['id', 'phone'])) {
      const [id, raw] = record;
      if (phoneOf.has(id)) throw new RowError(options.phonesFile, line, `person '${id}' is given a phone twice`);
      let phone: string;
      try {
        phone = toE164(raw, options.region);
      } catch (error) {
        throw new RowError(options.phonesFile, line, (error as Error).message);
      }
      if (owner.has(phone)) throw new RowError(options.phonesFile, line, `phone ${phone} is already the phone of the person on line ${owner.get(phone)}`);
      owner.set(phone, line);
      phoneOf.set(id, phone);
      table.intern(id);
    }
  }

  const statusOf = new Map<string, { status: 0 | 1 | 2; from: string }>();
  if (options.statusFile) {
    for await (const { line, record } of csvPairs(options.statusFile, ['id', 'status'])) {
      const [id, text] = record;
      if (!/^[012]$/.test(text)) throw new RowError(options.statusFile, line, `status '${text}' is not 0, 1 or 2`);
      if (!table.has(id)) throw new RowError(options.statusFile, line, `person '${id}' appears in no row of the input`);
      if (statusOf.has(id)) throw new RowError(options.statusFile, line, `person '${id}' is given a status twice`);
      statusOf.set(id, { status: Number(text) as 0 | 1 | 2, from: `${options.statusFile}:${line}` });
    }
  }
  for (const id of options.index) {
    if (!table.has(id)) throw new InputError(`--index: person '${id}' appears in no row of the input`);
    const before = statusOf.get(id);
    if (before && before.status !== 2) throw new InputError(`--index: person '${id}' is given status ${before.status} by ${before.from} and 2 by --index`);
    statusOf.set(id, { status: 2, from: '--index' });
  }

  const { ids, remap } = table.finish();
  const status = new Uint8Array(ids.length);
  let placeholders = 0;
  const phones = ids.map((id, personId) => {
    status[personId] = statusOf.get(id)?.status ?? 0;
    const phone = phoneOf.get(id);
    if (phone !== undefined) return phone;
    placeholders++;
    return placeholderPhone(personId);
  });
  return { ids, phones, status, remap, placeholders };
}

/**
 * The rows of a two-column CSV file (RFC 4180 quoting, by csv-parse), skipping a header line that
 * names `header`.
 * @throws RowError for a row without exactly two non-empty fields, or a malformed CSV row.
 */
async function* csvPairs(file: string, header: [string, string]): AsyncGenerator<{ line: number; record: [string, string] }> {
  const input = await openInput(file);
  const parser = input.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }));
  input.on('error', (error) => parser.destroy(error));
  let first = true;
  let any = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (first && record.length === 2 && record[0]!.toLowerCase() === header[0] && record[1]!.toLowerCase() === header[1]) {
        first = false;
        continue;
      }
      first = false;
      if (record.length !== 2 || !record[0] || !record[1]) throw new RowError(file, line, `expected 2 columns (${header.join(',')}), got ${record.filter(Boolean).length}`);
      any = true;
      yield { line, record: [record[0], record[1]] };
    }
  } catch (error) {
    throw csvParseError(file, error);
  } finally {
    input.destroy();
  }
  if (!any) throw new EmptyFileError(file);
}
