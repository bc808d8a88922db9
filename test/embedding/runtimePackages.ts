/**
 * The Deno and workerd binaries of the runtime tests, installed on demand: they are not
 * dependencies of the package (247 MB that `npm ci` for the main job need not fetch), but npm
 * packages that ship the binaries, installed with npm from the registry into `.cache/runtimes` of
 * the repository (ignored by git) the first time a runtime test needs them, and reused after.
 * Concurrent test workers share one install through a lock folder.
 * @module
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The npm packages, at the versions the runtime tests were written against. */
export const RUNTIME_PACKAGES = { deno: '2.9.6', workerd: '1.20261117.1' } as const;

/** Where they are installed: `<repository>/.cache/runtimes/node_modules`. */
export const RUNTIMES_DIR = join(import.meta.dirname, '..', '..', '.cache', 'runtimes');

const LOCK_STALE_MS = 10 * 60_000;
let installed = false;

function current(): boolean {
  return Object.entries(RUNTIME_PACKAGES).every(([name, version]) => {
    const manifest = join(RUNTIMES_DIR, 'node_modules', name, 'package.json');
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version === version;
  });
}

/** Sleep synchronously (the callers are synchronous path look-ups). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const LOCK = join(RUNTIMES_DIR, '.install.lock');
const SPECS = Object.entries(RUNTIME_PACKAGES).map(([name, version]) => `${name}@${version}`);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPM_ARGS = ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', RUNTIMES_DIR, ...SPECS];

/** Take the install lock (a folder): true when taken, false when another worker holds it (a lock older than 10 minutes is taken over). */
function tryLock(): boolean {
  mkdirSync(RUNTIMES_DIR, { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

function failed(error: unknown): Error {
  const e = error as { stderr?: Buffer | string; message: string };
  return new Error(`installing ${SPECS.join(' ')} into ${RUNTIMES_DIR} failed: ${e.stderr?.toString().trim() || e.message}`);
}

function check(): void {
  if (!current()) throw new Error(`npm installed ${SPECS.join(' ')} into ${RUNTIMES_DIR}, but not at those versions`);
  installed = true;
}

/**
 * Install {@link RUNTIME_PACKAGES} into {@link RUNTIMES_DIR} unless they are there at those
 * versions (`npm install --no-save --prefix .cache/runtimes deno@... workerd@...`), without
 * blocking the event loop: a test's `beforeAll` calls it, with a long timeout, before the
 * binaries are looked up.
 * @throws Error with npm's output when the install fails (no registry, no disk space).
 */
export async function installRuntimePackages(): Promise<void> {
  if (installed || (installed = current())) return;
  while (!tryLock()) await new Promise((resolve) => setTimeout(resolve, 250));
  try {
    if (current()) return check();
    await promisify(execFile)(NPM, NPM_ARGS, { timeout: LOCK_STALE_MS }).catch((error: unknown) => {
      throw failed(error);
    });
    check();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** {@link installRuntimePackages}, blocking: for the synchronous binary look-ups. */
export function ensureRuntimePackages(): void {
  if (installed || (installed = current())) return;
  while (!tryLock()) pause(250);
  try {
    if (current()) return check();
    try {
      execFileSync(NPM, NPM_ARGS, { stdio: ['ignore', 'pipe', 'pipe'], timeout: LOCK_STALE_MS });
    } catch (error) {
      throw failed(error);
    }
    check();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** `require` from the runtimes folder, after {@link ensureRuntimePackages}. */
export function runtimeRequire(id: string): unknown {
  ensureRuntimePackages();
  return createRequire(join(RUNTIMES_DIR, 'package.json'))(id);
}
