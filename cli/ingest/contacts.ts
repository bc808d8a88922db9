/**
 * Reader of SocioPatterns contact lists (https://www.sociopatterns.org/datasets/): one contact per
 * line, `t i j` separated by spaces or tabs, extra columns allowed (the published files add the
 * two people's classes or roles), no header; `t` is in seconds (UNIX time, or relative to a start
 * the data set's page gives: `--epoch`), `i` and `j` are person ids. The contact was active during
 * `[t-20, t]` (20 s resolution). Files are sorted by `t`; a time going back is refused. SocioPatterns
 * ids are whole numbers: when the first id is one, every id must be (other lists may name people by any word).
 * @module
 */
import type { ContactRecords } from '../../core/index.js';
import { Column, decimal, numberedLines, readFile, RowError, timeMs, type FileCount, type Invalid } from './source.js';
import { isIntegerId, type IdTable } from './people.js';

/** Contact rows read so far, people as provisional numbers of an {@link IdTable}. */
export class ContactRows {
  readonly time = new Column((n) => new Float64Array(n));
  readonly a = new Column((n) => new Int32Array(n));
  readonly b = new Column((n) => new Int32Array(n));

  /** Rows read. */
  get count(): number {
    return this.time.length;
  }

  /** The rows as core's records, people renumbered with `remap` (from {@link IdTable.finish}), each row standing for `recordMs` of contact. */
  records(remap: Int32Array, recordMs: number): ContactRecords {
    const a = this.a.values().map((p) => remap[p]!);
    const b = this.b.values().map((p) => remap[p]!);
    return { source: 'contacts', count: this.count, time: this.time.values(), a, b, recordMs };
  }
}

/**
 * Read the SocioPatterns file `file` into `rows`, times as `epochMs + t * 1000`.
 * Bad rows (fewer than 3 columns, `t` not a number or out of range, `i = j`, an id that is not a
 * whole number when the first id of the file is one, `t` going back) go
 * to `invalid`; `onRow` is called every 10,000 rows with the rows read so far in this file.
 * @throws RowError for a bad row without `--skip-invalid`, or an empty file; InputError when the file cannot be read.
 */
export async function readContacts(file: string, ids: IdTable, epochMs: number, rows: ContactRows, invalid: Invalid, onRow: (rowsInFile: number) => void): Promise<FileCount> {
  const count: FileCount = { file, format: 'sociopatterns', rows: 0, skipped: 0 };
  let previous = -Infinity;
  let previousLine = 0;
  // the first id read decides: a SocioPatterns list has whole-number ids throughout
  let integerIds: { id: string; line: number } | undefined | null;
  return readFile(count, invalid, async () => {
    for await (const { line, text } of numberedLines(file)) {
      const fields = text.trim().split(/\s+/);
      const bad = (reason: string) => invalid.row(new RowError(file, line, reason), count);
      if (fields.length < 3) {
        bad(`expected at least 3 columns (t i j), got ${fields.length}`);
        continue;
      }
      const [t, i, j] = fields as [string, string, string];
      const seconds = decimal(t);
      if (seconds === undefined) {
        bad(`time '${t}' is not a number`);
        continue;
      }
      const time = timeMs(epochMs, seconds);
      if (time === undefined) {
        bad(`time ${t} s is outside the years 0000-9999`);
        continue;
      }
      if (i === j) {
        bad(`person '${i}' in contact with themself`);
        continue;
      }
      if (integerIds === undefined) integerIds = isIntegerId(i) ? { id: i, line } : null;
      const notInteger = integerIds ? [i, j].find((id) => !isIntegerId(id)) : undefined;
      if (notInteger !== undefined) {
        bad(`person id '${notInteger}' is not a whole number, unlike the first id, '${integerIds!.id}' on line ${integerIds!.line}`);
        continue;
      }
      if (seconds < previous) {
        bad(`time ${t} goes back before ${previous} (line ${previousLine}): a contact list must be sorted by time`);
        continue;
      }
      previous = seconds;
      previousLine = line;
      rows.time.push(time);
      rows.a.push(ids.intern(i));
      rows.b.push(ids.intern(j));
      if (++count.rows % 10_000 === 0) onRow(count.rows);
    }
  });
}
