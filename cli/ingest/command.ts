/**
 * What both `ingest` commands share: their flags, writing a planned ingestion to the store one
 * tick per stream, progress on stderr, and the result.
 * @module
 */
import { loadPolicy } from '../../adapters/policy/file.js';
import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Flags } from '@oclif/core';
import ms from 'ms';
import { isConcurrencyError, isPlaceholderPhone, planIngestion, policyMismatch, tickStream, type IngestInput, type IngestParams, INGEST_ERROR } from '../../core/index.js';
import { BaseCommand, InputError, Interrupted } from '../base.js';
import { StatusLine } from '../progress.js';
import { worldIdentity } from '../identity.js';
import { inZone, midnightBefore, offsetMs, tz } from '../time.js';
import type { FileCount, Invalid } from './source.js';
import { buildPeople, type IdTable, type People } from './people.js';
import { counted } from '../../web/plural.js';

/** `--bucket 20s`: a duration with a unit (ms library: ms, s, m, h, d), as whole milliseconds. */
export const bucket = Flags.custom<number>({
  helpValue: 'DURATION',
  async parse(input) {
    const value = /[a-z]\s*$/i.test(input) ? (ms as (s: string) => number | undefined)(input) : undefined;
    if (value === undefined || !Number.isSafeInteger(value) || value <= 0) throw new InputError(`expected a duration with a unit, like 20s, 1m or 1h; got '${input}'`);
    return value;
  },
});

/** `length` milliseconds in the largest unit that divides them (20s, 90s, 1h, 1500ms): the `ms` library's short form rounds, so a 90 s bucket would read 2m. */
function exactDuration(length: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (length % size === 0) return `${length / size}${unit}`;
  return `${length}ms`;
}

/** `--epoch`: an ISO-8601 date-time with a zone (or a date, meaning its UTC midnight), as ms since 1970. */
export const epoch = Flags.custom<number>({
  helpValue: 'ISO-8601',
  async parse(input) {
    const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?))?$/i.test(input.trim());
    const value = ok ? Date.parse(input.trim().replace(' ', 'T')) : NaN;
    if (!Number.isFinite(value)) throw new InputError(`expected an ISO-8601 date-time with a zone, like 2010-12-06T12:00:00Z; got '${input}'`);
    return value;
  },
});

/** Flags of both ingest commands (the bucket's default differs, so each command adds `--bucket`). */
export const ingestFlags = {
  epoch: epoch({ summary: 'The moment that times in seconds count from. [default: 1970-01-01T00:00:00Z, i.e. UNIX time]', default: 0 }),
  index: Flags.string({ summary: 'Index cases: ids (as in the input) of people infected (status 2) at the start; comma-separated or repeated.', multiple: true, delimiter: ',', default: [] }),
  statuses: Flags.string({ summary: 'A CSV file id,status (0, 1 or 2) of initial statuses; people not in it start healthy.', helpValue: 'FILE' }),
  phones: Flags.string({ summary: 'A CSV file id,phone mapping people to phones; others get a placeholder +999<9 digits>.', helpValue: 'FILE' }),
  region: Flags.string({ summary: 'Country for national phone forms in --phones (ISO code).', default: 'FR', env: 'STOPCOVID_REGION' }),
  tz: tz({ summary: 'Time zone (IANA name, e.g. Europe/Paris) whose local midnight the buckets align on (--bucket 1d: local days); the summary shows times in it.', default: 'UTC' }),
  'skip-invalid': Flags.boolean({ summary: 'Skip bad rows (and empty files) and report how many, instead of refusing the input.' }),
  policy: Flags.string({ summary: 'Tracing policy: a preset (seed, tousanticovid) or a JSON/YAML file; durations count in simulated minutes. [default: seed]' }),
};

/** What `ingest contacts --json` and `ingest positions --json` return. */
export interface IngestResult {
  source: IngestParams['source'];
  inputs: FileCount[];
  /** Rows read and kept, and bad rows skipped (`--skip-invalid`), over all files. */
  rows: number;
  skipped: number;
  /** `file:line: reason` of the first 10 skipped rows. */
  firstSkipped: string[];
  people: number;
  /** People whose phone is a placeholder (no --phones entry). */
  placeholderPhones: number;
  indexCases: number;
  /** Ticks written after tick 0 (one per bucket), bucket length in ms, and the time span. */
  ticks: number;
  bucketMs: number;
  /** Start of tick 1's bucket and end of the last, ISO-8601 UTC; buckets align on midnight in `timeZone`. */
  start: string;
  end: string;
  timeZone: string;
  radiusM?: number;
  contacts: number;
  exposures: number;
  status: { healthy: number; suspicious: number; infected: number };
  events: number;
  seconds: number;
  /** Input rows per second, from the first byte read to the last tick written. */
  rowsPerSecond: number;
  eventsPerSecond: number;
  stateHash: string;
}

/** Progress on stderr, first shown after a second of work, then about once a second. */
export class Progress {
  private readonly line = new StatusLine(true);
  private readonly started = performance.now();

  /** Show `text` (with rows per second over `rows`) once the work has lasted a second. */
  update(text: string, rows: number): void {
    const seconds = (performance.now() - this.started) / 1000;
    if (seconds < 1) return;
    this.line.update(`${text}, ${Math.round(rows / seconds)} rows/s`);
  }

  done(): void {
    this.line.done();
  }
}

/** The base of `ingest contacts` and `ingest positions`. */
export abstract class IngestCommand extends BaseCommand {
  /**
   * Fix the people, plan the world, then write it to the store at `storeUrl`: only after every
   * row was read and checked, into a store that holds no world yet, one append per tick with
   * expected revision `no_stream`.
   * @throws InputError for a store that already holds events, or input that makes no world.
   */
  protected async ingest(
    storeUrl: string,
    table: IdTable,
    flags: { index: string[]; statuses?: string; phones?: string; region: string; epoch: number; tz: string; policy?: string },
    bucketMs: number,
    records: (people: People) => IngestInput['records'],
    inputs: FileCount[],
    invalid: Invalid,
    progress: Progress,
    started: number,
  ): Promise<IngestResult> {
    const policy = flags.policy === undefined ? undefined : loadPolicy(flags.policy);
    const people = await buildPeople(table, { index: flags.index, statusFile: flags.statuses, phonesFile: flags.phones, region: flags.region });
    const rows = inputs.reduce((n, i) => n + i.rows, 0);
    let plan;
    try {
      plan = planIngestion({
        ids: people.ids,
        phones: people.phones,
        status: people.status,
        tickMs: bucketMs,
        epochMs: flags.epoch,
        timeZone: { name: flags.tz, midnightBefore: (ms) => midnightBefore(flags.tz, ms) },
        inputs: inputs.map(({ file, format, rows, skipped }) => ({ file: basename(file), format, rows, skipped })),
        records: records(people),
        policy,
      });
    } catch (error) {
      if ((error as { code?: string }).code === INGEST_ERROR) throw new InputError(`${(error as Error).message}${invalid.total ? ` (${counted(invalid.total, 'bad row')} skipped)` : ''}`);
      throw error;
    }
    // as simulate, policy set and whatif: a policy radius larger than the world's would count contacts never detected
    const mismatch = policy && policyMismatch(policy.policy, plan.params.radiusM);
    if (mismatch) throw new InputError(`${flags.policy}: ${mismatch}`);
    const first = Date.parse(plan.params.start);
    const shift = offsetMs(flags.tz, first + plan.params.lastTick * bucketMs) - offsetMs(flags.tz, first);
    if (shift % bucketMs !== 0)
      process.stderr.write(
        `warning: ${flags.tz} changes its UTC offset by ${ms(shift, { long: true })} within the data; buckets keep their length of ${exactDuration(bucketMs)}, so after the change they start ${exactDuration(Math.abs(shift))} ${shift > 0 ? 'after' : 'before'} local midnight\n`,
      );
    // a SQLite world is written to a temporary file beside the store and linked under the store's
    // name when complete: readers never see a partial world, even after a SIGKILL
    const file = /^sqlite:(\/\/)?(.+)$/i.exec(storeUrl)?.[2];
    if (file && existsSync(file)) {
      const existing = await this.store(storeUrl, false);
      const count = await existing.lastPosition();
      await existing.close();
      if (count > 0) throw new InputError(`${storeUrl} already holds ${count} events: ingest writes a new world, use a fresh --store`);
      removeDatabase(file); // an empty store: the ingested world takes its place
    }
    const partial = file ? join(dirname(file), `.${basename(file)}.partial-${process.pid}`) : undefined;
    // Ctrl-C is ours before the temporary file exists, so that it never stays behind
    const abandon = () => partial && removeDatabase(partial);
    const stop = this.interrupted('stopping after the current tick', abandon);
    const store = await this.store(partial ? `sqlite:${partial}` : storeUrl, true);
    if (!partial) {
      const existing = await store.lastPosition();
      if (existing > 0) throw new InputError(`${storeUrl} already holds ${existing} events: ingest writes a new world, use a fresh --store`);
    }
    const last = plan.params.lastTick;
    let lastYield = performance.now();
    try {
      for (const events of plan.ticks()) {
        const tick = events[0]!.metadata.tick;
        try {
          await store.append(tickStream(tick), events, 'no_stream');
        } catch (error) {
          if (isConcurrencyError(error)) throw new Error(`tick ${tick} was already written by another writer on ${storeUrl}; only one ingest or simulate may write a store`);
          throw error;
        }
        progress.update(`writing tick ${tick} of ${last}: ${plan.recordsDone} of ${rows} rows`, plan.recordsDone);
        // the SQLite store appends synchronously: let signals in now and then
        if (performance.now() - lastYield > 100) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (stop.aborted && tick < last) {
          if (!partial) throw new Error(`interrupted after tick ${tick} of ${last}: ${storeUrl} holds an unfinished ingestion that every reader refuses; remove it and ingest again for the whole`);
          throw new Interrupted(`interrupted after tick ${tick} of ${last}: nothing written to ${storeUrl}`, this.interruptedExitCode());
        }
      }
      await worldIdentity(store); // the new world's identity, carried by its alerts on a shared Kafka topic
      if (partial) await store.close();
    } catch (error) {
      if (partial) {
        await store.close();
        abandon();
      }
      throw error;
    } finally {
      progress.done();
    }
    if (partial) publish(partial, file!, storeUrl);

    const seconds = (performance.now() - started) / 1000;
    const [healthy, suspicious, infected] = plan.state.counts;
    return {
      source: plan.params.source,
      inputs,
      rows,
      skipped: invalid.total,
      firstSkipped: invalid.first,
      people: people.ids.length,
      placeholderPhones: people.phones.filter(isPlaceholderPhone).length,
      indexCases: people.status.reduce((n, s) => n + (s >= 1 ? 1 : 0), 0),
      ticks: last,
      bucketMs,
      start: plan.params.start,
      end: new Date(Date.parse(plan.params.start) + last * bucketMs).toISOString(),
      timeZone: flags.tz,
      ...(plan.params.radiusM !== undefined ? { radiusM: plan.params.radiusM } : {}),
      contacts: plan.totals.contacts,
      exposures: plan.totals.exposures,
      status: { healthy, suspicious, infected },
      events: plan.totals.events,
      seconds: Math.round(seconds * 1000) / 1000,
      rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : 0,
      eventsPerSecond: seconds > 0 ? Math.round(plan.totals.events / seconds) : 0,
      stateHash: plan.state.recordedHash!,
    };
  }

  /** Print the result for a human (not with --json) and warn about skipped rows on stderr. */
  protected report(result: IngestResult, storeUrl: string): void {
    if (result.skipped > 0) process.stderr.write(`skipped ${counted(result.skipped, 'bad row')}; the first: ${result.firstSkipped[0]}\n`);
    if (this.jsonEnabled()) return;
    const files = result.inputs.length === 1 ? result.inputs[0]!.file : `${result.inputs.length} files`;
    this.log(`ingested ${result.rows} rows of ${files} into ${storeUrl} (${result.skipped} skipped): ${counted(result.people, 'person', 'people')} (${result.placeholderPhones} with a placeholder phone), index cases: ${result.indexCases}`);
    this.log(`${counted(result.ticks, 'tick')} of ${exactDuration(result.bucketMs)} from ${inZone(result.start, result.timeZone)} to ${inZone(result.end, result.timeZone)}${result.radiusM !== undefined ? `, contact radius ${result.radiusM} m` : ''}`);
    this.log(`${counted(result.contacts, 'contact')}, ${counted(result.exposures, 'exposure')}: healthy ${result.status.healthy}, suspicious ${result.status.suspicious}, infected ${result.status.infected}`);
    this.log(`${result.events} events in ${result.seconds} s: ${result.rowsPerSecond} rows/s, ${result.eventsPerSecond} events/s; state hash ${result.stateHash}`);
  }
}

/** Remove the SQLite database `file` with its WAL and shared-memory files. */
function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Give the complete world in `partial` the store's name `file`: a hard link, which fails when
 * another writer created `file` meanwhile (the world then stays in `partial`, named in the
 * error), then the temporary name is removed. A file system without hard links gets a rename.
 * @throws Error when `file` appeared meanwhile.
 */
function publish(partial: string, file: string, storeUrl: string): void {
  try {
    linkSync(partial, file);
    rmSync(partial);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`${storeUrl} was created by another writer during this ingest; the ingested world is in ${partial}`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    renameSync(partial, file);
  }
}
