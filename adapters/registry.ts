/**
 * Stores and notification buses by URL scheme. The registry is open: a plugin calls {@link registerStore} with its own
 * scheme, and `openStore` then accepts its URLs, without editing this file (see examples/ndjson-store).
 * Importing it loads no SQLite and no Kafka client: `sqlite:` and `kafka://` load their adapter on first use.
 * @module
 */
import { BusError, StoreError, type EventStore, type NotificationBus } from '../core/index.js';
import type { KafkaBusOptions } from './bus/kafka.js';
import { memoryStore } from './store/memory.js';

/** Options every store factory receives. */
export interface OpenOptions {
  /** Create the store when it does not exist (writers: true; readers: false). */
  create?: boolean;
}

/** Opens the store at `url` (the full URL, scheme included). */
export type StoreFactory = (url: string, options: OpenOptions) => EventStore | Promise<EventStore>;

const factories = new Map<string, StoreFactory>();

/** Register `factory` for URLs that start with `scheme:` (e.g. `'ndjson'`). A later call replaces it. */
export function registerStore(scheme: string, factory: StoreFactory): void {
  factories.set(scheme.toLowerCase(), factory);
}

/** Schemes accepted by {@link openStore}. */
export function storeSchemes(): string[] {
  return [...factories.keys()];
}

/**
 * Open a store by URL: `memory:`, `sqlite:<path>` (or `sqlite://<path>`), `esdb://host:port?tls=false`
 * (also `esdb+discover://`, `kurrentdb://`, `kurrentdb+discover://`), or a registered scheme.
 * @throws StoreError for a malformed URL or unknown scheme (the message lists the known ones),
 *   or whatever the store cannot open.
 */
export async function openStore(url: string, options: OpenOptions = {}): Promise<EventStore> {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!match) throw new StoreError(`store URL '${url}' has no scheme: use one of ${storeSchemes().map((s) => `${s}:`).join(', ')}`);
  const factory = factories.get(match[1]!.toLowerCase());
  if (!factory) throw new StoreError(`unknown store scheme '${match[1]}:' in '${url}': use one of ${storeSchemes().map((s) => `${s}:`).join(', ')}`);
  return factory(url, options);
}

registerStore('memory', () => memoryStore());
// loaded on first use, so that importing the registry never loads better-sqlite3 (a native module)
registerStore('sqlite', async (url, options) => {
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (!path) throw new StoreError(`store URL '${url}' names no file: use sqlite:<path>`);
  return (await import('./store/sqlite.js')).sqliteStore(path, options);
});
// EventStoreDB / KurrentDB: the gRPC client is loaded on first use, like kafkajs below
for (const scheme of ['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover']) registerStore(scheme, async (url) => (await import('./store/esdb.js')).openEsdbStore(url));

/** Options every bus factory receives (Kafka's are the superset for now). */
export type BusOptions = KafkaBusOptions;

/** Connects to the bus at `url`. */
export type BusFactory = (url: string, options: BusOptions) => Promise<NotificationBus>;

const buses = new Map<string, BusFactory>();

/** Register `factory` for bus URLs that start with `scheme:`. A later call replaces it. */
export function registerBus(scheme: string, factory: BusFactory): void {
  buses.set(scheme.toLowerCase(), factory);
}

/**
 * Connect to a notification bus by URL: `kafka://host:port[,host:port]` or a registered scheme.
 * `memory:` or an empty URL mean no bus: alerts are read straight from the store (the embedded
 * default), and this returns `undefined`.
 * @throws BusError for an unknown scheme, a malformed URL, or a bus that cannot be reached.
 */
export async function openBus(url: string | undefined, options: BusOptions = {}): Promise<NotificationBus | undefined> {
  if (!url || /^memory:$/i.test(url.trim())) return undefined;
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  const known = ['memory:', ...[...buses.keys()].map((s) => `${s}://`)].join(', ');
  const factory = match ? buses.get(match[1]!.toLowerCase()) : undefined;
  if (!factory) throw new BusError(`unknown bus URL '${url}': use one of ${known}`, false);
  return factory(url, options);
}

// loaded on first use, so that opening a store never loads kafkajs
registerBus('kafka', async (url, options) => (await import('./bus/kafka.js')).kafkaBus(url, options));
