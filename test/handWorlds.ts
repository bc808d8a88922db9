/**
 * Small worlds made by hand, as SocioPatterns contact lists ingested by the real command (one
 * tick a minute from 2020-03-17T00:00:00Z, a contact at second `60 t` falls in tick t), so that
 * every expected value in the tests that use them can be worked out from the list by hand.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sqliteStore } from '../adapters/store/sqlite.js';
import { decode, type DomainEvent } from '../events/index.js';
import { run } from './inProcess.js';

/** The phone of input id `id` in these worlds: +336000000<id>, two digits. */
export const phoneOf = (id: number) => `+336000000${String(id).padStart(2, '0')}`;

/**
 * Ingest `contacts` (`[tick, idA, idB]`) into a new SQLite store `<dir>/<name>.db` with index cases
 * `index` (status 2 at tick 0) and the policy file text `policy` (absent: the seed's).
 * @returns the store URL.
 */
export async function ingestHandWorld(dir: string, name: string, contacts: [number, number, number][], index: number[], policy?: string): Promise<string> {
  const list = join(dir, `${name}.txt`);
  const phones = join(dir, `${name}.phones.csv`);
  const ids = [...new Set(contacts.flatMap(([, a, b]) => [a, b]))];
  writeFileSync(list, contacts.map(([t, a, b]) => `${t * 60} ${a} ${b}`).join('\n') + '\n');
  writeFileSync(phones, `id,phone\n${ids.map((id) => `${id},${phoneOf(id)}`).join('\n')}\n`);
  const store = `sqlite:${join(dir, `${name}.db`)}`;
  const args = ['ingest', 'contacts', list, '--store', store, '--bucket', '1m', '--epoch', '2020-03-17T00:00:00Z', '--phones', phones];
  if (index.length > 0) args.push('--index', index.join(','));
  if (policy !== undefined) {
    const file = join(dir, `${name}.policy.yaml`);
    writeFileSync(file, policy);
    args.push('--policy', file);
  }
  const done = await run(...args);
  expect(done.code, done.stderr).toBe(0);
  return store;
}

/** The event at global position `position` of the SQLite store at `url`, read back through the store API. */
export async function eventAt(url: string, position: number): Promise<DomainEvent & { position: number }> {
  const store = await sqliteStore(url.slice('sqlite:'.length));
  try {
    for await (const raw of store.readAll({ after: position - 1, limit: 1 })) {
      expect(raw.position).toBe(position);
      return { ...decode(raw), position: raw.position };
    }
    throw new Error(`no event at position ${position}`);
  } finally {
    await store.close();
  }
}
