/**
 * A consumer's project in a temporary folder: `package.json` and `node_modules/stopcovid`, a
 * link to this repository, as `npm install <this repo>` makes it. Code run there imports the
 * package by its name through its "exports", i.e. the built dist/ (run `npm run build` first;
 * `npm test` does).
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root. */
export const root = join(import.meta.dirname, '..', '..');

/** A consumer project folder; `remove()` deletes it. */
export interface ConsumerApp {
  dir: string;
  /** Write `text` to `name` inside the project; returns its absolute path. */
  file(name: string, text: string): string;
  remove(): void;
}

/**
 * Make a consumer project that depends on this package.
 * @throws Error when dist/ is missing (the package has not been built).
 */
export function consumerApp(): ConsumerApp {
  if (!existsSync(join(root, 'dist', 'lib', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-app-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'stopcovid'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { stopcovid: '*' } }, null, 2));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
