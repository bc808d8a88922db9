/**
 * The package's entry points as a consumer imports them: by name, through package.json
 * "exports", from the built dist/. Importing the core, the events, the registry, the memory
 * store or the library API loads neither better-sqlite3, kafkajs nor @oclif/core, and no Node
 * built-in; the declarations resolve for a TypeScript consumer.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, root, type ConsumerApp } from './embedding/app.js';
import { packageSources } from './packageSources.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string; default: string }> };
let app: ConsumerApp;

beforeAll(() => {
  app = consumerApp();
  // records every module URL that Node's ESM loader resolves (CommonJS ones are in require.cache)
  app.file('hooks.mjs', `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}`);
  app.file('register.mjs', `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { log: process.env.LOADED_LOG } });`);
  app.file('load.mjs', `import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const api = await import(process.argv[2]);
const loaded = [...readFileSync(process.env.LOADED_LOG, 'utf8').split('\\n').filter(Boolean), ...Object.keys(createRequire(import.meta.url).cache)];
console.log(JSON.stringify({ exports: Object.keys(api), loaded }));`);
});
afterAll(() => app?.remove());

/** Import `specifier` in a fresh Node process inside the consumer app; what it exports and every module it loaded. */
async function load(specifier: string): Promise<{ exports: string[]; loaded: string[]; packages: string[]; builtins: string[] }> {
  const log = app.file(`loaded-${specifier.replace(/\W/g, '_')}.log`, '');
  const { stdout } = await run(process.execPath, ['--import', './register.mjs', 'load.mjs', specifier], { cwd: app.dir, env: { ...process.env, LOADED_LOG: log } });
  const result = JSON.parse(stdout) as { exports: string[]; loaded: string[] };
  const ownLoaders = new Set(['node:module', 'node:fs']); // load.mjs's own imports
  const packages = new Set<string>();
  for (const url of result.loaded) {
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(url.replace(/^file:\/\//, ''));
    if (match && !url.includes('/stopcovid-app-')) packages.add(match[1]!.replace('\\', '/'));
  }
  const builtins = result.loaded.filter((u) => u.startsWith('node:') && !ownLoaders.has(u));
  return { ...result, packages: [...packages].sort(), builtins };
}

const heavy = ['better-sqlite3', 'kafkajs', '@oclif/core'];

describe('package entry points ("exports")', () => {
  it('every entry point has its JavaScript and its declarations in dist/', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      expect(existsSync(join(root, target.default)), `${subpath} -> ${target.default}`).toBe(true);
      expect(existsSync(join(root, target.types)), `${subpath} -> ${target.types}`).toBe(true);
    }
  });

  it.each([
    ['stopcovid', ['genesis', 'decode', 'openStore', 'registerStore', 'memoryStore', 'applyPositions']],
    ['stopcovid/core', ['genesis', 'stepTick', 'applyPositions', 'loadWorld', 'ContactGraph', 'trace']],
    ['stopcovid/events', ['decode', 'schemas', 'PersonMoved']],
    ['stopcovid/registry', ['openStore', 'registerStore', 'openBus', 'registerBus']],
    ['stopcovid/adapters/memory', ['memoryStore']],
  ])('%s loads only pure code: no SQLite, Kafka, oclif nor Node built-in', async (specifier, names) => {
    const { exports, packages, builtins } = await load(specifier);
    expect(exports).toEqual(expect.arrayContaining(names));
    for (const name of heavy) expect(packages).not.toContain(name);
    expect(packages.filter((p) => !['zod', 'pure-rand', '@noble/hashes'].includes(p))).toEqual([]);
    expect(builtins).toEqual([]);
  });

  it('the adapters load their own SDK, and only it (the check above sees what it looks for)', async () => {
    const sqlite = await load('stopcovid/adapters/sqlite');
    expect(sqlite.exports).toContain('sqliteStore');
    expect(sqlite.packages).toContain('better-sqlite3');
    expect(sqlite.packages).not.toContain('kafkajs');
    const kafka = await load('stopcovid/adapters/kafka');
    expect(kafka.exports).toContain('kafkaBus');
    expect(kafka.packages).toContain('kafkajs');
    expect(kafka.packages).not.toContain('better-sqlite3');
  });

  it("a TypeScript consumer gets the declarations of every entry point by the package's name", async () => {
    app.file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['consumer.ts'] }));
    app.file('consumer.ts', `import { genesis, stepTick, DEFAULT_PARAMS, type WorldState, type EventStore } from 'stopcovid/core';
import { decode, type DomainEvent } from 'stopcovid/events';
import { openStore, registerStore } from 'stopcovid/registry';
import { memoryStore } from 'stopcovid/adapters/memory';
import type { sqliteStore } from 'stopcovid/adapters/sqlite';
import type { kafkaBus } from 'stopcovid/adapters/kafka';
import * as lib from 'stopcovid';
const world: { state: WorldState; events: DomainEvent[] } = genesis({ ...DEFAULT_PARAMS, people: 3 });
const events: DomainEvent[] = stepTick(world.state).events;
const store: EventStore = memoryStore();
registerStore('mine', () => memoryStore());
export const all = [events, store, openStore, decode, lib.applyPositions] as const;
export type Adapters = [typeof sqliteStore, typeof kafkaBus];
// @ts-expect-error the library checks its parameters
genesis({ people: 'many' });
`);
    await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app.dir]);
  });

  it("tsconfig.json's paths name the same sources as package.json's exports", () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: { paths: Record<string, string[]> } };
    const paths = Object.fromEntries(Object.entries(tsconfig.compilerOptions.paths).map(([name, [file]]) => [name, join(root, file!)]));
    expect(paths).toEqual(Object.fromEntries(packageSources(root)));
  });
});
