/**
 * esbuild bundles for a neutral platform: no Node built-ins, no `process`, ES modules, every
 * dependency inlined, as Deno and workerd run them.
 * @module
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { packageSources } from '../packageSources.js';
import { root } from './app.js';

/** A bundle: its code, the files it was made of (relative to `absWorkingDir`) and the imports it left unresolved. */
export interface Bundle {
  code: string;
  inputs: string[];
  /** Imports left to the runtime (must be empty for a self-contained bundle). */
  externals: string[];
  metafile: Metafile;
}

/** Resolves `stopcovid` and `stopcovid/*` to this repository's sources (package.json "exports"). */
export function stopcovidSources(): Plugin {
  const sources = packageSources(root);
  return {
    name: 'stopcovid-sources',
    setup(b) {
      b.onResolve({ filter: /^stopcovid(\/|$)/ }, (args) => {
        const path = sources.get(args.path);
        return path ? { path } : { errors: [{ text: `${args.path} is not an entry point of stopcovid (package.json "exports")` }] };
      });
    },
  };
}

/**
 * Bundle `entry` for `platform: 'neutral'` as one ES module.
 * @param options.fromSources resolve `stopcovid/*` to the TypeScript sources (default true);
 *   false resolves them as a consumer would, through node_modules and "exports" (the built dist/).
 * @param options.absWorkingDir folder that node_modules lookups start from (default the repository).
 * @throws esbuild's error when something cannot be resolved, e.g. a Node built-in.
 */
export async function bundleNeutral(entry: string, options: { fromSources?: boolean; absWorkingDir?: string } = {}): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: options.absWorkingDir ?? root,
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: options.fromSources === false ? [] : [stopcovidSources()],
  });
  const externals = Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs), externals, metafile: result.metafile };
}
