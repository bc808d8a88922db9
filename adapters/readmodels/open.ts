/**
 * Choosing where a store's read models live, and bringing them up to date before a query.
 * @module
 */
import { resolve } from 'node:path';
import { runProjection, StoreError, type EventStore } from '../../core/index.js';
import type { SqliteEventStore } from '../store/sqlite.js';
import { fileReadModels, group, storeReadModels, type SqliteReadModels } from './sqlite.js';
import { rebuild, type RebuildProgress } from './rebuild.js';

/** Default read-model file for stores that are not SQLite files (EventStoreDB / KurrentDB). */
export const DEFAULT_READ_MODELS = 'sqlite:./stopcovid-read-models.db';

/** True when `store` is the SQLite store (its read models then live in its own file). */
export function isSqliteStore(store: EventStore): store is SqliteEventStore {
  return typeof (store as Partial<SqliteEventStore>).onAppend === 'function' && (store as Partial<SqliteEventStore>).db !== undefined;
}

/**
 * Open the read models of `store`: inside the store's file for the SQLite store (unless
 * `url` names another file), else in the SQLite file of `url` (`sqlite:<file>`), by default
 * {@link DEFAULT_READ_MODELS}, or in memory (`sqlite::memory:`, the default for `memory:` stores).
 * @throws StoreError for a URL that is not `sqlite:<file>`, or a file that cannot hold them.
 */
export function openReadModels(store: EventStore, storeUrl: string, url?: string): SqliteReadModels {
  const file = readModelFile(store, storeUrl, url);
  return file === undefined ? storeReadModels(store as SqliteEventStore) : fileReadModels(file, storeUrl);
}

/**
 * The SQLite file of its own that {@link openReadModels} would open for `store` (`:memory:` for
 * read models in memory), or `undefined` when they live in the store's own file.
 * @throws StoreError for a URL that is not `sqlite:<file>`.
 */
export function readModelFile(store: EventStore, storeUrl: string, url?: string): string | undefined {
  if (isSqliteStore(store) && !url) return undefined;
  const chosen = url || (/^memory:/i.test(storeUrl) ? 'sqlite::memory:' : DEFAULT_READ_MODELS);
  const m = /^sqlite:(?:\/\/)?(.+)$/i.exec(chosen.trim());
  if (!m) throw new StoreError(`read-model URL '${chosen}' is not sqlite:<file>`);
  const file = m[1]!;
  if (isSqliteStore(store) && resolve(file) === resolve(store.file)) return undefined;
  return file;
}

/** What {@link catchUpReadModels} did. */
export interface CatchUpResult {
  /** Events read from the log to bring the read models up to date (0 when they were current). */
  read: number;
  /** Read models rebuilt because their projection's version changed. */
  rebuilt: string[];
}

/**
 * Bring every read model up to date with the log through the projection runner: read models
 * of an older projection version are rebuilt first (blue/green), then all are caught up in one
 * pass. A store written before read models existed gets them here, its events untouched.
 * @throws EventDecodeError on a corrupt event; StoreError when the read models cannot be written.
 */
export async function catchUpReadModels(store: EventStore, models: SqliteReadModels, options: { signal?: AbortSignal; onProgress?: (p: RebuildProgress) => void } = {}): Promise<CatchUpResult> {
  const rebuilt = models.stale();
  if (rebuilt.length > 0) await rebuild(store, models, rebuilt, options);
  const total = await store.lastPosition();
  const run = await runProjection(store, group('read-models', models.projections), models, {
    signal: options.signal,
    onProgress: (read, position) => options.onProgress?.({ read, position, total }),
  });
  return { read: run.read, rebuilt };
}
