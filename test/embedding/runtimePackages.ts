/**
 * The Deno and workerd binaries of the runtime tests, installed on demand: they are not
 * dependencies of the package (247 MB that `npm ci` for the main job need not fetch), but npm
 * packages that ship the binaries, installed with npm from the registry into `.cache/runtimes` of
 * the repository (ignored by git) the first time a runtime test needs them, and reused after.
 * Concurrent test workers share one install through a lock folder.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

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

/**
 * Install {@link RUNTIME_PACKAGES} into {@link RUNTIMES_DIR} unless they are there at those
 * versions: `npm install --no-save --prefix .cache/runtimes deno@... workerd@...`.
 * @throws Error with npm's output when the install fails (no registry, no disk space).
 */
export function ensureRuntimePackages(): void {
  if (installed || (installed = current())) return;
  mkdirSync(RUNTIMES_DIR, { recursive: true });
  const lock = join(RUNTIMES_DIR, '.install.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // another worker installs: wait for it, or take over a lock left by a killed run
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else pause(250);
    }
  }
  try {
    if (current()) return;
    const specs = Object.entries(RUNTIME_PACKAGES).map(([name, version]) => `${name}@${version}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    try {
      execFileSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', RUNTIMES_DIR, ...specs], { stdio: ['ignore', 'pipe', 'pipe'], timeout: LOCK_STALE_MS });
    } catch (error) {
      const e = error as { stderr?: Buffer; message: string };
      throw new Error(`installing ${specs.join(' ')} into ${RUNTIMES_DIR} failed: ${e.stderr?.toString().trim() || e.message}`);
    }
    if (!current()) throw new Error(`npm installed ${specs.join(' ')} into ${RUNTIMES_DIR}, but not at those versions`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  installed = true;
}

/** `require` from the runtimes folder, after {@link ensureRuntimePackages}. */
export function runtimeRequire(id: string): unknown {
  ensureRuntimePackages();
  return createRequire(join(RUNTIMES_DIR, 'package.json'))(id);
}
