/**
 * The base of every command: the `--store` flag, `--json`, and one-line errors.
 * @module
 */
import { Command, Flags, Interfaces } from '@oclif/core';
import type { EventStore, NotificationBus } from '../core/index.js';
import { openBus, openStore } from '../adapters/registry.js';
import type { SqliteReadModels } from '../adapters/readmodels/sqlite.js';
import type { DashboardSource } from '../web/source.js';
import { progressBar } from './progress.js';
import { oneLine } from './oneLine.js';
import { writeReason } from './writeReason.js';

/** Flags every command shares. */
export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/**
 * A command with the store flag and clean errors: any failure prints one line on stderr
 * (`Error: ...`), no stack trace, and exits 2 for bad input or 1 otherwise. With `--json`, the
 * error is also printed as `{"error": {...}}` on stdout, on one line.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    store: Flags.string({
      summary: 'Event store URL: memory:, sqlite:<file>, esdb://host:2113?tls=false (EventStoreDB / KurrentDB).',
      env: 'STOPCOVID_STORE',
      default: 'sqlite:./stopcovid.db',
      helpGroup: 'GLOBAL',
    }),
    'read-models': Flags.string({
      summary: "Read-model file, sqlite:<file>. [default: the store's own file for sqlite: stores, in memory for memory:, else sqlite:./stopcovid-read-models.db]",
      env: 'STOPCOVID_READ_MODELS',
      helpGroup: 'GLOBAL',
    }),
  };

  private stores: EventStore[] = [];
  private models: SqliteReadModels[] = [];
  private cleanups: (() => void | Promise<void>)[] = [];

  /** Run `fn` when the command ends, however it ends (before stores and buses are closed; awaited). */
  protected onFinally(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }
  private buses: NotificationBus[] = [];
  private interrupt?: { controller: AbortController; handler: (signal: NodeJS.Signals) => void; cleanups: (() => void)[]; signal?: NodeJS.Signals };

  /**
   * A signal that aborts on the first Ctrl-C (SIGINT) or SIGTERM, so long work can finish its
   * current step and stop cleanly; `message` (e.g. "stopping after the current tick") is then
   * printed on stderr. A second Ctrl-C stops at once: the `onStop` cleanups run (remove a
   * temporary file, end a status line) and the process exits 130 (143 for SIGTERM). Work that
   * never yields to the event loop delays both until it does: a store write that has begun is
   * one transaction and finishes or is rolled back, never half done. The handlers are removed
   * when the command ends.
   */
  protected interrupted(message?: string, onStop?: () => void): AbortSignal {
    if (!this.interrupt) {
      const controller = new AbortController();
      const cleanups: (() => void)[] = [];
      const handler = (signal: NodeJS.Signals) => {
        if (!controller.signal.aborted) {
          this.interrupt!.signal = signal;
          if (message) process.stderr.write(`\n${message} (${signal === 'SIGTERM' ? 'a second signal stops' : 'Ctrl-C again to stop'} at once)\n`);
          controller.abort();
          return;
        }
        for (const cleanup of cleanups.splice(0)) {
          try {
            cleanup();
          } catch {
            // stopping at once: a cleanup that fails must not keep the process alive
          }
        }
        process.exit(signal === 'SIGTERM' ? 143 : 130);
      };
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      this.interrupt = { controller, handler, cleanups };
    }
    if (onStop) this.interrupt.cleanups.push(onStop);
    return this.interrupt.controller.signal;
  }

  /**
   * The exit code of a command that `interrupted()` stopped cleanly: 143 when SIGTERM stopped it,
   * else 130 (Ctrl-C), as the README's exit-code table says.
   */
  protected interruptedExitCode(): number {
    return this.interrupt?.signal === 'SIGTERM' ? 143 : 130;
  }

  /** Open the store at `url`; it is closed when the command ends. */
  protected async store(url: string, create: boolean): Promise<EventStore> {
    const store = await openStore(url, { create });
    this.stores.push(store);
    return store;
  }

  /**
   * Open the read models of `store` (see `--read-models`) and bring them up to date through the
   * projection runner, with a progress bar when that means reading much of the log (a store
   * written before read models existed, or a projection whose version changed). With `inline`,
   * later appends to a SQLite store update them in the same transaction. `catchUp: false` opens
   * them as they are (to report their lag).
   */
  protected async readModels(store: EventStore, flags: { store: string; 'read-models'?: string }, options: { inline?: boolean; signal?: AbortSignal; catchUp?: boolean } = {}): Promise<SqliteReadModels> {
    const { catchUpReadModels, openReadModels, isSqliteStore } = await import('../adapters/readmodels/open.js');
    const { group } = await import('../adapters/readmodels/sqlite.js');
    const models = openReadModels(store, flags.store, flags['read-models']);
    this.models.push(models);
    if (options.catchUp === false) return models;
    let bar: ReturnType<typeof progressBar> | undefined;
    await catchUpReadModels(store, models, {
      signal: options.signal,
      onProgress: (p) => {
        if (!bar && p.read > 50_000) bar = progressBar('building read models', p.total, !this.jsonEnabled());
        bar?.update(p.position);
      },
    });
    bar?.stop();
    // an ingestion that stopped half-way (a killed ingest into EventStoreDB) is not a world to query
    const world = models.world();
    if (world.ingest && world.tick < world.ingest.lastTick && !options.inline)
      throw new InputError(`${flags.store} holds an unfinished ingestion (tick ${world.tick} of ${world.ingest.lastTick}): ingest it again into an empty store`);
    if (options.inline && isSqliteStore(store) && !flags['read-models']) models.attachInline(store, group('read-models', models.projections));
    return models;
  }

  /**
   * The person named by `query` (a phone, or an id in the input data) in the world of `models`.
   * @throws InputError naming a few people to try when there is none.
   */
  protected person(models: SqliteReadModels, query: { phone: string } | { sourceId: string }): number {
    const phone = 'phone' in query ? query.phone : undefined;
    const personId = phone !== undefined ? models.personByPhone(phone) : models.personBySourceId((query as { sourceId: string }).sourceId);
    if (personId !== undefined) return personId;
    const some = models.people({ limit: 3 }).map((p) => (p.sourceId !== undefined && phone === undefined ? `id:${p.sourceId}` : p.phone));
    throw new InputError(`${phone !== undefined ? `no person with phone ${phone}` : `no person with id '${(query as { sourceId: string }).sourceId}'`} in this world; try one of ${some.join(', ')} (stopcovid people lists them)`);
  }

  /**
   * The dashboard's data (`serve`, `stats`, `report`) from the read models of `store`, brought
   * up to date first.
   * @throws InputError when the store holds no world.
   */
  protected async dashboardSource(store: EventStore, flags: { store: string; 'read-models'?: string }): Promise<DashboardSource> {
    const models = await this.readModels(store, flags);
    const { readModelSource } = await import('../web/readModelSource.js');
    const { isSqliteStore } = await import('../adapters/readmodels/open.js');
    try {
      return readModelSource(store, models, flags.store, { inline: isSqliteStore(store) && !flags['read-models'] });
    } catch (error) {
      // a memory: store gets the same words as from every other command (it lives only in its process)
      if ((error as { code?: string }).code === 'NO_WORLD') throw /^memory:/i.test(flags.store.trim()) ? noWorld(flags.store) : new InputError((error as Error).message);
      throw error;
    }
  }

  /** Connect to the bus named by the bus flags, or `undefined` for none (the embedded default); closed when the command ends. */
  protected async bus(flags: { bus?: string; topic: string; partitions: number; 'connect-timeout': number }): Promise<NotificationBus | undefined> {
    const bus = await openBus(flags.bus, { topic: flags.topic, partitions: flags.partitions, connectTimeoutMs: flags['connect-timeout'] });
    if (bus) this.buses.push(bus);
    return bus;
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    if (this.interrupt) {
      process.off('SIGINT', this.interrupt.handler);
      process.off('SIGTERM', this.interrupt.handler);
    }
    for (const bus of this.buses.splice(0)) await bus.close().catch(() => undefined);
    for (const fn of this.cleanups.splice(0)) {
      try {
        await fn();
      } catch {
        // a cleanup that fails must not hide the command's own outcome
      }
    }
    for (const models of this.models.splice(0)) models.close();
    for (const store of this.stores.splice(0)) await store.close().catch(() => undefined);
    return super.finally(error);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number }; code?: string }): Promise<unknown> {
    if (error.code === 'EPIPE') return; // the reader went away (`| head`): not an error
    this.parsed = true; // a parse failure is reported here; oclif need not warn that parse() was skipped
    const exit = error.oclif?.exit ?? error.exitCode ?? (isInputError(error) ? 2 : 1);
    if (exit === 0) return;
    const message = oneLine(error.message || String(error));
    process.exitCode = exit;
    process.stderr.write(`Error: ${message}\n`);
    // one line, so that it ends a stream of NDJSON (consume --json) as a line of its own
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ error: { message, code: jsonCode(error) } })}\n`);
    return undefined;
  }
}

export { oneLine } from './oneLine.js';

/** The `code` of an error printed as JSON: `INPUT` for bad input (ours, and oclif's parse errors, which exit 2), else the error's own code or name. */
function jsonCode(error: Error & { oclif?: { exit?: number }; code?: string }): string {
  if (error.name === 'CLIError' || (error.oclif?.exit === 2 && error.code === undefined)) return 'INPUT';
  return error.code ?? error.name;
}

function isInputError(error: { code?: string; name?: string }): boolean {
  return (error.code === 'STORE_ERROR' && (error as { unavailable?: boolean }).unavailable !== true) || error.code === 'INPUT' || error.name === 'CLIError' || (error.code === 'BUS_ERROR' && (error as { retriable?: boolean }).retriable === false);
}

/** Ctrl-C or SIGTERM stopped a command before it had anything to show or keep: exit code `exit` (130, or 143 for SIGTERM; {@link BaseCommand.interruptedExitCode}). */
export class Interrupted extends Error {
  readonly oclif: { exit: number };
  constructor(message: string, exit: number) {
    super(message);
    this.name = 'Interrupted';
    this.oclif = { exit };
  }
}

/** A bad input from the user: exit code 2. */
export class InputError extends Error {
  readonly code = 'INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Refuse `--json` with a `--format` that is not JSON (`trace --format dot --json`): two outputs
 * asked for one stdout. `textual` are the formats `--json` replaces (the default and `json`).
 * @throws InputError naming both flags.
 */
export function oneOutput(json: boolean, format: string, textual: readonly string[]): void {
  if (json && !textual.includes(format)) throw new InputError(`--json and --format ${format} ask for two outputs on one stdout: give one`);
}

/**
 * The error of a command that needs a world and finds none in the store at `url`: run `simulate`
 * first, into a file (a `memory:` store lives only in the process that made it).
 */
export function noWorld(url: string): InputError {
  if (/^memory:/i.test(url.trim())) return new InputError(`no world in a memory: store, which lives only in the process that made it: simulate into a file (--store sqlite:./stopcovid.db)`);
  return new InputError(`no world in ${url}: run 'stopcovid simulate' first`);
}

/**
 * The one-line error of a command that cannot write its output `file`: `cannot write <file>:
 * <reason>`, the reason in words (`no such directory`), never Node's raw text.
 * @example cannotWrite('/nonexistent/r.html', error) // cannot write /nonexistent/r.html: no such directory
 */
export function cannotWrite(file: string, error: unknown): InputError {
  return new InputError(`cannot write ${file}: ${writeReason(error)}`);
}
