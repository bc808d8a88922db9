/**
 * Reading input files for `stopcovid ingest`: open (gunzipped when the file starts with the gzip
 * magic bytes, whatever its name), split into numbered lines (LF or CRLF), report bad rows with
 * file and line, or count and skip them with `--skip-invalid`.
 * @module
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../base.js';

/** A bad row: `<file>:<line>: <reason>` (exit code 2, like every bad input). */
export class RowError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** An input file with no row, reported at line 1 (a bad row: `--skip-invalid` skips the file). */
export class EmptyFileError extends RowError {
  constructor(file: string) {
    super(file, 1, 'empty file: no rows');
  }
}

/**
 * Run `read` on one file; an empty file goes to `invalid` like a bad row (refused, or skipped
 * with `--skip-invalid`), and `count` is returned either way.
 */
export async function readFile(count: FileCount, invalid: Invalid, read: () => Promise<void>): Promise<FileCount> {
  try {
    await read();
  } catch (error) {
    if (!(error instanceof EmptyFileError)) throw error;
    invalid.row(error, count);
  }
  return count;
}

/** What became of the rows of one file. */
export interface FileCount {
  /** The file as the user named it. */
  file: string;
  format: 'sociopatterns' | 'csv' | 'cabspotting';
  /** Rows read and kept. */
  rows: number;
  /** Bad rows skipped (`--skip-invalid`). */
  skipped: number;
}

/**
 * Bad-row policy: without `--skip-invalid` the first bad row throws its {@link RowError}; with it,
 * bad rows are counted, and the first few kept for the report.
 */
export class Invalid {
  /** `file:line: reason` of the first {@link Invalid.KEEP} skipped rows. */
  readonly first: string[] = [];
  /** Rows skipped in all files. */
  total = 0;
  static readonly KEEP = 10;
  constructor(readonly skip: boolean) {}

  /** Skip `error` (returns) or throw it. */
  row(error: RowError, count: FileCount): void {
    if (!this.skip) throw error;
    count.skipped++;
    this.total++;
    if (this.first.length < Invalid.KEEP) this.first.push(error.message);
  }
}

/**
 * Open `file` for reading as a byte stream, gunzipped when it starts with the gzip magic bytes
 * (`1f 8b`, RFC 1952).
 * @throws InputError when the file cannot be read (missing, a directory, no permission).
 */
export async function openInput(file: string): Promise<Readable> {
  let gzip = false;
  try {
    const handle = await open(file, 'r');
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${reason(error)}`);
  }
  const raw = createReadStream(file);
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/**
 * An error met while parsing `file` with csv-parse, as one line: our own InputErrors as they are,
 * csv-parse's (`CSV_*`) as a RowError at its line, stream errors via {@link streamError}.
 */
export function csvParseError(file: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const e = error as { code?: string; lines?: number; message: string };
  if (e.code?.startsWith('CSV_')) return new RowError(file, e.lines ?? 1, e.message);
  return streamError(file, error);
}

/** A stream error (gzip, I/O) as one line naming the file. */
export function streamError(file: string, error: unknown): InputError {
  const e = error as { code?: string; message?: string };
  if (e.code?.startsWith('Z_') || e.code === 'ERR_ZLIB_INITIALIZATION_FAILED') return new InputError(`${file}: not a valid gzip file (${e.message})`);
  return new InputError(`cannot read ${file}: ${reason(error)}`);
}

/**
 * The lines of `file` with their 1-based numbers, without line ends (`\n`, `\r\n`; a lone `\r`
 * also ends a line). Blank lines are left out; a file with no other line is refused.
 * @throws RowError for an empty file (line 1); InputError when the file cannot be read.
 */
export async function* numberedLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const input = await openInput(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let any = false;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      any = true;
      yield { line, text };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw streamError(file, error);
  } finally {
    lines.close();
    input.destroy();
  }
  if (!any) throw new EmptyFileError(file);
}

/**
 * A strict decimal number (`12`, `-3.5`, `1e3`), not the empty string, hex or `Infinity` that
 * `Number()` accepts; `undefined` when `text` is not one.
 */
export function decimal(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Earliest and latest times an ingested world can write (ISO-8601 years 0000 to 9999), ms since 1970. */
export const TIME_RANGE_MS: readonly [number, number] = [Date.parse('0000-01-01T00:00:00.000Z'), Date.parse('9999-12-31T23:59:59.999Z')];

/** `epochMs + seconds * 1000`, rounded to the millisecond; `undefined` outside {@link TIME_RANGE_MS}. */
export function timeMs(epochMs: number, seconds: number): number | undefined {
  const ms = Math.round(epochMs + seconds * 1000);
  return ms >= TIME_RANGE_MS[0] && ms <= TIME_RANGE_MS[1] ? ms : undefined;
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EISDIR') return 'it is a directory';
  if (e.code === 'EACCES') return 'permission denied';
  return e.message ?? String(error);
}

/** A growable column of numbers, for millions of rows without an object per row. */
export class Column<T extends Float64Array | Int32Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  /** Append `value`, growing the storage (doubling) when full. */
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** The values pushed, trimmed to `length` (a view: later pushes may or may not show in it). */
  values(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
