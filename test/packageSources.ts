/**
 * The package's own import names (`stopcovid`, `stopcovid/core`, ...) read from package.json
 * "exports" and mapped to their TypeScript sources (`./dist/core/index.js` -> `<root>/core/index.ts`),
 * so that vitest and the esbuild bundles of the tests resolve examples' imports exactly as a
 * user's would, without a prior build. tsconfig.json's `paths` list the same mapping.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Target = string | { types?: string; default: string };

/** Import name -> absolute path of its source file, for every "exports" entry that points into dist/. */
export function packageSources(root: string): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, Target> };
  const out = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    if (!file.startsWith('./dist/')) continue;
    out.set(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, join(root, file.slice('./dist/'.length).replace(/\.js$/, '.ts')));
  }
  return out;
}
