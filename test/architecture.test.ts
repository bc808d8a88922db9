/**
 * The dependency rule of DESIGN.md, held by a test: `events` imports only zod; `core` imports
 * `events` and small pure libraries, and reaches for no Node built-in, process, clock or
 * Math.random; adapters never import the CLI; nothing imports `cli/` but `cli/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, folder))) {
    const path = join(root, folder, name);
    if (statSync(path).isDirectory()) out.push(...sources(relative(root, path)));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // `from` / `import` as words of a statement, not inside a string such as `'from'`
  return [...text.matchAll(/(?<![\w'"])(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

const forbidden = /\bfrom ['"]node:|\brequire\(|\bprocess\.|Math\.random\(|Date\.now\(|new Date\(\)|performance\.now\(|\bsetTimeout\(|\bfetch\(/;
// runtime-specific globals and other clocks, timers and entropy (test/neutral.test.ts runs the bundle in a bare realm)
const forbiddenToo = /\bDate\(\)|\bsetInterval\(|\bsetImmediate\(|\bprocess\[|globalThis\.process\b|\bDeno\.|\bBun\.|\bBuffer\.|crypto\.(getRandomValues|randomUUID|subtle)\b|import\.meta\.(url|dirname|filename)\b/;

describe('dependency rule', () => {
  it('events/ imports only zod and itself', () => {
    for (const file of sources('events')) for (const spec of imports(file)) expect([file, spec]).toSatisfy(([, s]: string[]) => s === 'zod' || s!.startsWith('./'));
  });

  it('core/ imports only events/, itself and small pure libraries (pure-rand, @noble/hashes)', () => {
    const allowed = /^(\.\.?\/|pure-rand\/|@noble\/hashes\/)/;
    for (const file of sources('core'))
      for (const spec of imports(file)) {
        expect(allowed.test(spec), `${relative(root, file)} imports ${spec}`).toBe(true);
        // a relative import stays inside core/ or reaches events/
        if (spec.startsWith('.')) expect(/^(core|events)\//.test(relative(root, resolve(dirname(file), spec))), `${relative(root, file)} imports ${spec}`).toBe(true);
      }
  });

  it('core/ and events/ use no Node built-in, process, clock, timer or Math.random', () => {
    for (const file of [...sources('core'), ...sources('events')]) {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(forbidden.exec(text)?.[0], relative(root, file)).toBeUndefined();
      expect(forbiddenToo.exec(text)?.[0], relative(root, file)).toBeUndefined();
    }
  });

  it("web/page/ (the browser's script) imports only web/ and uplot", () => {
    for (const file of sources('web/page'))
      for (const spec of imports(file)) expect(/^(\.\/|\.\.\/(chain\/|source\.js|plural\.js)|uplot(\/|$))/.test(spec), `${relative(root, file)} imports ${spec}`).toBe(true);
  });

  it('nothing outside cli/ imports cli/', () => {
    for (const folder of ['core', 'events', 'adapters', 'lib', 'examples', 'web'])
      for (const file of sources(folder)) for (const spec of imports(file)) expect(spec.includes('/cli/') || spec.startsWith('../cli'), `${relative(root, file)} imports ${spec}`).toBe(false);
  });
});
