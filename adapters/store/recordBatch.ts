/**
 * The record batch of the SQLite store: consecutive events of one append (of one type, or a few
 * short runs of several types), encoded column by column into one BLOB. Every event keeps its identity (its position and
 * revision follow from the batch's first ones; type, data and metadata are stored exactly), and
 * `JSON.stringify` of a decoded event's data and metadata gives the same text as the row-per-event
 * layout's JSON columns.
 *
 * Layout (varints are unsigned LEB128, "zz" is zigzag):
 * - format byte (1), event count;
 * - types: a dictionary of type names, then runs of (dictionary index, length);
 * - metadata: a dictionary of distinct JSON texts, then runs of (dictionary index, length);
 * - data shapes: each shape is the list of keys of a flat object, in order; then runs of
 *   (shape index, length), where the index one past the last shape means "whole data as JSON";
 * - for each shape, one column per key over the events of that shape: 32-bit integers in fixed
 *   width (each value, or each difference from the previous one, minus a base, in 0 to 4 bytes
 *   little-endian: decoded by typed-array copies, no loop per value), other integers (zz, or zz
 *   deltas when non-decreasing), float64, UTF-8 strings, strings of a prefix plus a decimal
 *   integer (`c-5-12`, `+33612345678`: prefix dictionary + zz integer deltas), or JSON texts;
 * - the JSON texts of the events whose data is not a flat object.
 * @module
 */
import { Buffer } from 'node:buffer';
import { expandRun, type EventRun, type NewEvent, type RunColumn } from '../../core/index.js';

/** Format of the bodies written: 2 since 32-bit integer columns may be in fixed width; a reader reads 1 and 2 and refuses others. */
const FORMAT = 2;
/** The first format, without fixed-width columns: still read. */
const FORMAT_1 = 1;
/** Column kinds. */
const INT = 0;
const INT_DELTA = 1;
const FLOAT = 2;
const STRING = 3;
const PREFIX_INT = 4;
const JSON_TEXT = 5;
const FIXED = 6;
/** Integers beyond this magnitude go to float columns, so that zigzag deltas stay exact. */
const INT_LIMIT = 2 ** 50;

/** A growable byte buffer with varint, float64 and UTF-8 writers. */
class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  len = 0;

  reset(): this {
    this.len = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  uvar(v: number): void {
    if (this.len + 8 > this.buf.length) this.ensure(8);
    const b = this.buf;
    if (v < 128) {
      b[this.len++] = v;
      return;
    }
    while (v >= 128) {
      b[this.len++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[this.len++] = v;
  }

  zz(v: number): void {
    this.uvar(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** `u` (0 to 2^32 - 1) in `width` bytes, little-endian; the caller has ensured the room (a whole column at once). */
  fixed(u: number, width: number): void {
    const b = this.buf;
    for (let k = 0; k < width; k++) b[this.len++] = (u >>> (8 * k)) & 255;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvar(n);
    this.ensure(n);
    this.len += this.buf.write(s, this.len, n, 'utf8');
  }

  /** A copy of the bytes written. */
  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** Reads what {@link Writer} wrote; any read past the end throws. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  uvar(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('truncated');
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
    }
  }

  zz(): number {
    const u = this.uvar();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.uvar();
    if (this.pos + n > this.buf.length) throw new RangeError('truncated');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

const writer = new Writer();

/** True for an object written as `{}` (not an array, a class instance or null). */
function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The keys that JSON writes (values not undefined), or undefined when data is not a flat object
 * or has a key that an assignment would not recreate (`__proto__`): such data is kept as JSON.
 */
function keysOf(data: unknown): string[] | undefined {
  if (!isPlain(data)) return undefined;
  const keys: string[] = [];
  for (const k in data) {
    if (k === '__proto__') return undefined;
    if (data[k] !== undefined) keys.push(k);
  }
  return keys;
}

/**
 * True when `data` has exactly `keys` in that order, none of them undefined (Object.keys is
 * served from V8's enum cache for objects of one shape: no walk of the prototype chain).
 */
function hasKeys(data: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(data);
  if (own.length !== keys.length) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== keys[i] || data[own[i]!] === undefined) return false;
  return true;
}

/** Writes `runs` of equal values: number of runs, then (value, length) pairs. */
function writeRuns(w: Writer, ids: Int32Array, n: number): void {
  let runs = 0;
  for (let i = 0; i < n; i++) if (i === 0 || ids[i] !== ids[i - 1]) runs++;
  w.uvar(runs);
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || ids[i] !== ids[i - 1]) {
      w.uvar(ids[start]!);
      w.uvar(i - start);
      start = i;
    }
  }
}

function readRuns(r: Reader, n: number): Int32Array {
  const ids = new Int32Array(n);
  const runs = r.uvar();
  let at = 0;
  for (let k = 0; k < runs; k++) {
    const id = r.uvar();
    const len = r.uvar();
    if (at + len > n) throw new RangeError('run past the batch');
    ids.fill(id, at, at + len);
    at += len;
  }
  if (at !== n) throw new RangeError('runs do not cover the batch');
  return ids;
}

/** The digits that end `s` as a decimal integer without leading zero, or -1. */
function trailingInt(s: string): number {
  let i = s.length;
  while (i > 0) {
    const c = s.charCodeAt(i - 1);
    if (c < 48 || c > 57) break;
    i--;
  }
  const digits = s.length - i;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(i) === 48)) return -1;
  return i;
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Bytes of an unsigned value up to `range` (below 2^32) in fixed width: 0 to 4. */
function widthOf(range: number): number {
  return range === 0 ? 0 : range < 0x100 ? 1 : range < 0x10000 ? 2 : range < 0x1000000 ? 3 : 4;
}

/** Bytes of the zigzag varint of a 32-bit integer. */
function zzBytes(v: number): number {
  const u = v >= 0 ? v * 2 : -v * 2 - 1;
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
}

/** Most extra bytes a fixed-width column may take over the same column in varints (an eighth of them): it decodes without a loop per value. */
const FIXED_SLACK = 8;

/**
 * Writes the 32-bit integers `values[from..to)` as one column, the same bytes whether they come
 * from a run's column or from event objects: in fixed width ({@link FIXED}: each value minus a
 * base, or each difference from the previous value minus a base, whichever is narrower; a tick's
 * person ids 0, 1, 2... take no byte at all) unless that takes more than an eighth more bytes
 * than zigzag varints, else as varints (INT, or INT_DELTA when non-decreasing, as format 1).
 *
 * A fixed column: mode (width * 2 + 1 for differences), then for values the base and `n` values
 * of `width` bytes; for differences the first value, the base and `n - 1` differences.
 */
function writeInts(w: Writer, values: ArrayLike<number>, from: number, to: number): void {
  const n = to - from;
  let min = Infinity;
  let max = -Infinity;
  let dmin = Infinity;
  let dmax = -Infinity;
  let rising = true;
  let plainBytes = 0;
  let deltaBytes = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    plainBytes += zzBytes(v);
    const d = i === from ? v : v - values[i - 1]!;
    deltaBytes += zzBytes(d);
    if (i === from) continue;
    if (d < dmin) dmin = d;
    if (d > dmax) dmax = d;
    if (d < 0) rising = false;
  }
  const varint = rising ? deltaBytes : plainBytes;
  const plainWidth = widthOf(max - min);
  // differences of 32-bit values span less than 2^33: only those within 2^32 can be fixed
  const deltaWidth = n > 1 && dmax - dmin < 2 ** 32 ? widthOf(dmax - dmin) : 5;
  const delta = deltaWidth < plainWidth;
  const fixed = delta ? (n - 1) * deltaWidth : n * plainWidth;
  if (fixed <= varint + varint / FIXED_SLACK) {
    w.uvar(FIXED);
    if (delta) {
      w.uvar(deltaWidth * 2 + 1);
      w.zz(values[from]!);
      w.zz(dmin);
      w.ensure((n - 1) * deltaWidth);
      for (let i = from + 1; i < to; i++) w.fixed(values[i]! - values[i - 1]! - dmin, deltaWidth);
    } else {
      // a base of 0 when it needs no wider values: the decoder then adds nothing
      const base = min >= 0 && widthOf(max) === plainWidth ? 0 : min;
      w.uvar(plainWidth * 2);
      w.zz(base);
      w.ensure(n * plainWidth);
      for (let i = from; i < to; i++) w.fixed(values[i]! - base, plainWidth);
    }
    return;
  }
  w.uvar(rising ? INT_DELTA : INT);
  let last = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    w.zz(rising ? v - last : v);
    last = v;
  }
}

/** True on a little-endian platform, where a Uint16Array over the bytes reads fixed-width values as written. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Bytes of a column copied to offset 0, where typed arrays of 2 and 4 bytes can view them; reused, grown as needed. */
let aligned = new Uint8Array(1 << 15);

/**
 * `count` unsigned values of `width` bytes (little-endian) at `buf[at..]` into `out` from index
 * `offset`, as 32-bit integers (a 4-byte value of 2^31 or more wraps): copies between typed
 * arrays where the width has one, no loop per value.
 */
function readUnsigned(buf: Uint8Array, at: number, count: number, width: number, out: Int32Array, offset: number): void {
  if (width === 1) out.set(buf.subarray(at, at + count), offset);
  else if ((width === 2 || width === 4) && LITTLE_ENDIAN) {
    if (aligned.length < count * width) aligned = new Uint8Array(Math.max(count * width, 2 * aligned.length));
    aligned.set(buf.subarray(at, at + count * width));
    out.set(width === 2 ? new Uint16Array(aligned.buffer, 0, count) : new Int32Array(aligned.buffer, 0, count), offset);
  } else
    for (let i = 0; i < count; i++) {
      let u = 0;
      for (let k = 0; k < width; k++) u |= buf[at + i * width + k]! << (8 * k);
      out[offset + i] = u;
    }
}

/**
 * A fixed-width column of `n` values (see {@link writeInts}), its kind already read.
 * @throws RangeError for a width beyond 4 bytes or a column past the end of the body.
 */
function readFixed(r: Reader, n: number): Int32Array {
  const mode = r.uvar();
  const delta = (mode & 1) === 1;
  const width = mode >> 1;
  if (width > 4) throw new RangeError(`bad column width ${width}`);
  const first = delta ? r.zz() : 0;
  const base = r.zz();
  const count = delta ? Math.max(0, n - 1) : n;
  const at = r.pos;
  r.pos += count * width;
  if (r.pos > r.buf.length) throw new RangeError('truncated');
  const out = new Int32Array(n);
  if (!delta) {
    if (width === 0) out.fill(base);
    else {
      readUnsigned(r.buf, at, count, width, out, 0);
      if (base !== 0) for (let i = 0; i < n; i++) out[i] = (out[i]! + base) | 0;
    }
    return out;
  }
  out[0] = first;
  if (width > 0) readUnsigned(r.buf, at, count, width, out, 1);
  let last = first;
  for (let i = 1; i < n; i++) out[i] = last = (last + base + (out[i]! >>> 0)) | 0;
  return out;
}

/** Writes one column of `values`, choosing its kind from them. */
function writeColumn(w: Writer, values: unknown[]): void {
  let ints = true;
  let nums = true;
  let strs = true;
  let rising = true;
  /** An integer beyond 32 bits: the column keeps varints. */
  let wide = false;
  let prev = -Infinity;
  for (const v of values) {
    if (typeof v === 'number') {
      strs = false;
      if (!Number.isFinite(v)) (nums = false), (ints = false);
      else if (!Number.isInteger(v) || Math.abs(v) >= INT_LIMIT) ints = false;
      else {
        if (v < -(2 ** 31) || v >= 2 ** 31) wide = true;
        if (v < prev) rising = false;
      }
      prev = v;
    } else {
      nums = ints = false;
      if (typeof v !== 'string' || !isWellFormed(v)) strs = false;
    }
    if (!nums && !strs) break;
  }
  if (ints) {
    if (!wide) writeInts(w, values as number[], 0, values.length);
    else {
      w.uvar(rising ? INT_DELTA : INT);
      let last = 0;
      for (const v of values as number[]) {
        w.zz(rising ? v - last : v);
        last = v;
      }
    }
  } else if (nums) {
    w.uvar(FLOAT);
    for (const v of values as number[]) w.f64(v);
  } else if (strs) {
    const cuts = (values as string[]).map(trailingInt);
    if (cuts.every((c) => c >= 0)) {
      w.uvar(PREFIX_INT);
      // prefix ids, a value's prefix compared with the previous one before any substring is made
      const prefixes = new Map<string, number>();
      const ids = new Int32Array(values.length);
      let prev = '';
      let prevId = -1;
      for (let i = 0; i < values.length; i++) {
        const s = values[i] as string;
        const cut = cuts[i]!;
        if (prevId < 0 || cut !== prev.length || !s.startsWith(prev)) {
          prev = s.slice(0, cut);
          let id = prefixes.get(prev);
          if (id === undefined) prefixes.set(prev, (id = prefixes.size));
          prevId = id;
        }
        ids[i] = prevId;
      }
      w.uvar(prefixes.size);
      for (const p of prefixes.keys()) w.str(p);
      let last = 0;
      for (let i = 0; i < values.length; i++) {
        const s = values[i] as string;
        let n = 0;
        for (let j = cuts[i]!; j < s.length; j++) n = n * 10 + (s.charCodeAt(j) - 48); // at most 15 digits: exact
        w.uvar(ids[i]!);
        w.zz(n - last);
        last = n;
      }
    } else {
      w.uvar(STRING);
      for (const v of values as string[]) w.str(v);
    }
  } else {
    w.uvar(JSON_TEXT);
    for (const v of values) w.str(JSON.stringify(v) ?? 'null');
  }
}

function readColumn(r: Reader, n: number): unknown[] {
  const out = new Array<unknown>(n);
  const kind = r.uvar();
  if (kind === INT) for (let i = 0; i < n; i++) out[i] = r.zz();
  else if (kind === INT_DELTA) {
    let last = 0;
    for (let i = 0; i < n; i++) out[i] = last += r.zz();
  } else if (kind === FLOAT) for (let i = 0; i < n; i++) out[i] = r.f64();
  else if (kind === STRING) for (let i = 0; i < n; i++) out[i] = r.str();
  else if (kind === PREFIX_INT) {
    const prefixes = new Array<string>(r.uvar());
    for (let k = 0; k < prefixes.length; k++) prefixes[k] = r.str();
    let last = 0;
    for (let i = 0; i < n; i++) {
      const p = prefixes[r.uvar()];
      if (p === undefined) throw new RangeError('bad prefix');
      out[i] = p + String((last += r.zz()));
    }
  } else if (kind === JSON_TEXT) for (let i = 0; i < n; i++) out[i] = JSON.parse(r.str());
  else if (kind === FIXED) {
    const ints = readFixed(r, n);
    for (let i = 0; i < n; i++) out[i] = ints[i];
  } else throw new RangeError(`unknown column kind ${kind}`);
  return out;
}

/**
 * Encode `events[from..to)` as one batch body.
 * @returns a new buffer owned by the caller.
 */
export function encodeBatch(events: readonly NewEvent[], from: number, to: number): Buffer {
  const n = to - from;
  const w = writer.reset();
  w.uvar(FORMAT);
  w.uvar(n);

  // types: distinct names, then runs
  const typeIds = new Int32Array(n);
  const types = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const type = events[from + i]!.type;
    let id = types.get(type);
    if (id === undefined) types.set(type, (id = types.size));
    typeIds[i] = id;
  }
  w.uvar(types.size);
  for (const type of types.keys()) w.str(type);
  writeRuns(w, typeIds, n);

  // metadata: distinct texts, then runs
  const metaIds = new Int32Array(n);
  const metaTexts = new Map<string, number>();
  let lastMeta: unknown;
  let lastId = -1;
  for (let i = 0; i < n; i++) {
    const m = events[from + i]!.metadata;
    if (m !== lastMeta || lastId < 0) {
      const text = JSON.stringify(m) ?? 'null';
      let id = metaTexts.get(text);
      if (id === undefined) metaTexts.set(text, (id = metaTexts.size));
      lastMeta = m;
      lastId = id;
    }
    metaIds[i] = lastId;
  }
  w.uvar(metaTexts.size);
  for (const text of metaTexts.keys()) w.str(text);
  writeRuns(w, metaIds, n);

  // shapes, and each shape's columns as the events are read
  const shapes: string[][] = [];
  const shapeIndex = new Map<string, number>();
  const columns: unknown[][][] = [];
  const shapeIds = new Int32Array(n);
  const jsonEvents: number[] = [];
  let last = -1;
  for (let i = 0; i < n; i++) {
    const data = events[from + i]!.data as Record<string, unknown>;
    let id = last;
    if (id < 0 || !isPlain(data) || !hasKeys(data, shapes[id]!)) {
      const keys = keysOf(data);
      if (!keys) {
        shapeIds[i] = -1;
        jsonEvents.push(i);
        continue;
      }
      const sig = keys.join('\u0000');
      let found = shapeIndex.get(sig);
      if (found === undefined) {
        shapeIndex.set(sig, (found = shapes.length));
        shapes.push(keys);
        columns.push(keys.map(() => []));
      }
      id = last = found;
    }
    shapeIds[i] = id;
    const keys = shapes[id]!;
    const cols = columns[id]!;
    for (let k = 0; k < keys.length; k++) cols[k]!.push(data[keys[k]!]);
  }
  for (let i = 0; i < n; i++) if (shapeIds[i]! < 0) shapeIds[i] = shapes.length;
  w.uvar(shapes.length);
  for (const keys of shapes) {
    w.uvar(keys.length);
    for (const k of keys) w.str(k);
  }
  writeRuns(w, shapeIds, n);
  for (const cols of columns) for (const values of cols) writeColumn(w, values);
  for (const i of jsonEvents) w.str(JSON.stringify(events[from + i]!.data) ?? 'null');
  return w.bytes();
}

/**
 * Encode events `from..to` of `run` as one batch body, straight from its columns: the same bytes
 * as {@link encodeBatch} of the same events as objects, without building them.
 * @returns a new buffer owned by the caller.
 */
export function encodeRun(run: EventRun, from: number, to: number): Buffer {
  if (run.keys.includes('__proto__')) return encodeBatch(expandRun(run, from, to), 0, to - from);
  const n = to - from;
  const w = writer.reset();
  w.uvar(FORMAT);
  w.uvar(n);
  const single = (text: string) => {
    w.uvar(1);
    w.str(text);
    w.uvar(1);
    w.uvar(0);
    w.uvar(n);
  };
  single(run.type);
  single(JSON.stringify(run.metadata) ?? 'null');
  w.uvar(1);
  w.uvar(run.keys.length);
  for (const k of run.keys) w.str(k);
  w.uvar(1);
  w.uvar(0);
  w.uvar(n);
  for (const col of run.columns) {
    if (col instanceof Int32Array) writeInts(w, col, from, to);
    else writeColumn(w, col.slice(from, to));
  }
  return w.bytes();
}

/** One decoded event of a batch, before the store adds its position, stream and revision. */
export interface BatchEvent {
  type: string;
  data: unknown;
  metadata: unknown;
}

/**
 * Decode a batch body into its events' type, data and metadata, in order. Events of one batch
 * that share their metadata text share one (read-only) metadata object.
 * @param count the number of events the caller expects (checked before anything is allocated)
 * @throws RangeError or SyntaxError for a body that is not a batch of this format or of `count` events.
 */
export function decodeBatch(body: Uint8Array, count?: number): BatchEvent[] {
  const r = new Reader(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const format = r.uvar();
  if (format !== FORMAT && format !== FORMAT_1) throw new RangeError(`unknown batch format ${format}`);
  const n = r.uvar();
  if (count !== undefined && n !== count) throw new RangeError(`${n} events, ${count} expected`);
  if (n > 2 ** 24) throw new RangeError(`${n} events in one batch`);
  const types = new Array<string>(r.uvar());
  for (let k = 0; k < types.length; k++) types[k] = r.str();
  const typeIds = readRuns(r, n);
  const metas = new Array<unknown>(r.uvar());
  for (let k = 0; k < metas.length; k++) metas[k] = JSON.parse(r.str());
  const metaIds = readRuns(r, n);
  const shapes = new Array<string[]>(r.uvar());
  for (let s = 0; s < shapes.length; s++) {
    const keys = new Array<string>(r.uvar());
    for (let k = 0; k < keys.length; k++) keys[k] = r.str();
    shapes[s] = keys;
  }
  const shapeIds = readRuns(r, n);
  const sizes = new Array<number>(shapes.length + 1).fill(0);
  for (let i = 0; i < n; i++) {
    const s = shapeIds[i]!;
    if (s > shapes.length) throw new RangeError('bad shape');
    sizes[s]!++;
  }
  const columns = shapes.map((keys, s) => keys.map(() => readColumn(r, sizes[s]!)));
  const cursor = new Array<number>(shapes.length + 1).fill(0);
  const out = new Array<BatchEvent>(n);
  for (let i = 0; i < n; i++) {
    const s = shapeIds[i]!;
    const metadata = metas[metaIds[i]!];
    const type = types[typeIds[i]!];
    if (metadata === undefined || type === undefined) throw new RangeError('bad metadata or type index');
    if (s === shapes.length) {
      out[i] = { type, data: undefined, metadata };
      continue;
    }
    const keys = shapes[s]!;
    const cols = columns[s]!;
    const j = cursor[s]!++;
    const data: Record<string, unknown> = {};
    for (let k = 0; k < keys.length; k++) data[keys[k]!] = cols[k]![j];
    out[i] = { type, data, metadata };
  }
  for (let i = 0; i < n; i++) if (shapeIds[i] === shapes.length) out[i]!.data = JSON.parse(r.str());
  if (r.pos !== r.buf.length) throw new RangeError('bytes after the batch');
  return out;
}

/** A column decoded as a run column, or undefined when it is not one (floats, JSON, integers beyond 32 bits). */
function readRunColumn(r: Reader, n: number): Int32Array | string[] | undefined {
  const kind = r.uvar();
  if (kind === FIXED) return readFixed(r, n);
  if (kind === INT || kind === INT_DELTA) {
    // Reader.zz inlined, one byte values first: this loop is most of a replay's decoding
    const out = new Int32Array(n);
    const buf = r.buf;
    const delta = kind === INT_DELTA;
    let pos = r.pos;
    let last = 0;
    for (let i = 0; i < n; i++) {
      let b = buf[pos++];
      if (b === undefined) throw new RangeError('truncated');
      let u = b & 127;
      for (let scale = 128; b! >= 128; scale *= 128) {
        b = buf[pos++];
        if (b === undefined) throw new RangeError('truncated');
        u += (b & 127) * scale;
      }
      const z = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      const v = delta ? (last += z) : z;
      if (v !== (v | 0)) return undefined;
      out[i] = v;
    }
    r.pos = pos;
    return out;
  }
  if (kind === STRING || kind === PREFIX_INT) {
    r.pos--; // the kind is one byte: let readColumn read it again
    return readColumn(r, n) as string[];
  }
  return undefined;
}

/**
 * Decode a batch body into one run of columns (eventRun.ts) when it holds events of one type,
 * one metadata and one flat shape whose columns are 32-bit integers or strings (a tick's moves,
 * a world's registrations): no object per event. Undefined for any other batch (read it with
 * {@link decodeBatch}).
 * @throws RangeError or SyntaxError for a body that is not a batch of this format or of `count` events.
 */
export function decodeRun(body: Uint8Array, count?: number): EventRun | undefined {
  const r = new Reader(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const format = r.uvar();
  if (format !== FORMAT && format !== FORMAT_1) throw new RangeError(`unknown batch format ${format}`);
  const n = r.uvar();
  if (count !== undefined && n !== count) throw new RangeError(`${n} events, ${count} expected`);
  if (n === 0 || n > 2 ** 24) return undefined;
  /** The one value of a dictionary with a single run over the batch, else undefined. */
  const single = <T>(read: () => T): T | undefined => {
    const size = r.uvar();
    if (size !== 1) return undefined;
    const value = read();
    return r.uvar() === 1 && r.uvar() === 0 && r.uvar() === n ? value : undefined;
  };
  const type = single(() => r.str());
  if (type === undefined) return undefined;
  const metadata = single(() => JSON.parse(r.str()) as unknown);
  if (metadata === undefined) return undefined;
  const keys = single(() => {
    const keys = new Array<string>(r.uvar());
    for (let k = 0; k < keys.length; k++) keys[k] = r.str();
    return keys;
  });
  if (keys === undefined || keys.length === 0) return undefined;
  const columns: RunColumn[] = [];
  for (let k = 0; k < keys.length; k++) {
    const col = readRunColumn(r, n);
    if (!col) return undefined;
    columns.push(col);
  }
  if (r.pos !== r.buf.length) throw new RangeError('bytes after the batch');
  return { type, metadata, count: n, keys, columns };
}
