/**
 * core/ and events/ are runtime-neutral (DESIGN.md): bundled by esbuild for `platform: 'neutral'`
 * they need no Node built-in and leave no import unresolved, and the bundle runs in a bare
 * ECMAScript realm, without `process`, timers, `console` or Web APIs, where the clock
 * (`Date.now()`, `new Date()`, `Date()`) and `Math.random()` throw. test/architecture.test.ts
 * checks the sources; this checks what actually runs, dependencies included.
 */
import { createContext, runInContext } from 'node:vm';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleNeutral, stopcovidSources } from './embedding/bundle.js';
import { root } from './embedding/app.js';

const allowedPackages = ['zod', 'pure-rand', '@noble/hashes'];

/** A realm with only ECMAScript's globals, in which reading the clock or Math.random throws. */
function bareRealm(): object {
  const context = createContext({});
  runInContext(
    `(() => {
      delete globalThis.console;
      const forbidden = (what) => () => { throw new Error('core reached for ' + what); };
      Math.random = forbidden('Math.random()');
      const RealDate = Date;
      const clock = forbidden('the clock (Date)');
      globalThis.Date = new Proxy(RealDate, {
        construct: (target, args, newTarget) => (args.length === 0 ? clock() : Reflect.construct(target, args, newTarget)),
        apply: clock,
        get: (target, key) => (key === 'now' ? clock : Reflect.get(target, key)),
      });
    })()`,
    context,
  );
  return context;
}

describe('core/ and events/ on a neutral platform', () => {
  it.each(['core/index.ts', 'events/index.ts'])('%s bundles with no Node built-in and no unresolved import, only zod, pure-rand and @noble/hashes', async (entry) => {
    const bundle = await bundleNeutral(join(root, entry));
    expect(bundle.externals).toEqual([]);
    const packages = new Set(bundle.inputs.filter((i) => i.includes('node_modules/')).map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)![1]!));
    expect([...packages].filter((p) => !allowedPackages.includes(p))).toEqual([]);
    expect(bundle.inputs.filter((i) => !i.includes('node_modules/')).every((i) => /^(core|events)\//.test(i))).toBe(true);
    expect(bundle.code).not.toMatch(/\bfrom\s*["']node:|\brequire\(["']/);
  });

  it('a Node built-in in the bundle fails it (the check above bites)', async () => {
    const failure = await build({ stdin: { contents: "import { readFileSync } from 'node:fs'; export const x = readFileSync;", resolveDir: root }, bundle: true, platform: 'neutral', write: false, logLevel: 'silent' }).catch((e: Error) => e);
    expect(String(failure)).toMatch(/Could not resolve "node:fs"/);
  });

  it('runs a world, reported positions, decoding, replay and a trace in a bare realm where the clock and Math.random throw', async () => {
    const result = await build({ entryPoints: [join(root, 'test/embedding/entries/sandbox.ts')], bundle: true, platform: 'neutral', format: 'iife', globalName: 'sandbox', write: false, logLevel: 'silent', plugins: [stopcovidSources()] });
    const realm = bareRealm();
    const sandbox = runInContext(`${result.outputFiles[0]!.text}; sandbox`, realm) as { run(): Promise<{ tick: number; events: number; stateHash: string; replayedHash: string; exposed: number; traced: number }> };
    const summary = await sandbox.run();
    expect(summary.tick).toBe(6);
    expect(summary.replayedHash).toBe(summary.stateHash);
    expect(summary.exposed).toBeGreaterThan(0);
    expect(summary.traced).toBeGreaterThan(0);
    // and the realm really is bare and poisoned
    expect(runInContext('[typeof process, typeof setTimeout, typeof console, typeof TextEncoder, typeof structuredClone].join()', realm)).toBe('undefined,undefined,undefined,undefined,undefined');
    expect(() => runInContext('Math.random()', realm)).toThrow('core reached for Math.random()');
    expect(() => runInContext('new Date()', realm)).toThrow('core reached for the clock');
    expect(() => runInContext('Date.now()', realm)).toThrow('core reached for the clock');
    expect(runInContext("new Date('2020-03-17T00:00:00Z').getTime()", realm)).toBe(1584403200000);
  });
});
