/**
 * The README's "Embedding stopcovid" snippets, run as a user would paste them, in a consumer
 * project that imports the built package by name: the Node snippet with node, the Deno snippet
 * with deno (resolving through node_modules, offline), the edge snippet bundled by the README's
 * own esbuild command and served by workerd with the README's config.capnp (on a free port).
 * The TypeScript snippets also type-check against the package's declarations.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, root, type ConsumerApp } from './embedding/app.js';
import { denoRun } from './embedding/deno.js';
import { seededLog, type SeededLog } from './embedding/seededLog.js';
import { serveWorkerd, type Workerd } from './embedding/workerd.js';
import { installRuntimePackages } from './embedding/runtimePackages.js';

const run = promisify(execFile);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** Fenced blocks preceded by `<!-- snippet: NAME -->`, by name. */
const snippets = Object.fromEntries([...readme.matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, `${m[2]!}\n`]));
let app: ConsumerApp;
let expected: SeededLog;
let workerd: Workerd | undefined;

beforeAll(async () => {
  await installRuntimePackages(); // deno and workerd into .cache/runtimes, on the first run
  app = consumerApp();
  for (const name of ['main.mjs', 'main.ts', 'worker.ts', 'config.capnp']) app.file(name, snippets[name] ?? '');
  expected = await seededLog(1000, 50);
}, 600_000);
afterAll(async () => {
  await workerd?.stop();
  app?.remove();
});

describe('README: Embedding stopcovid', () => {
  it('has the Node, Deno and edge snippets', () => {
    expect(Object.keys(snippets)).toEqual(['main.mjs', 'main.ts', 'worker.ts', 'config.capnp', 'edge.sh']);
  });

  it('the Node snippet runs: 50 ticks of 1,000 people, and a contact chain', async () => {
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: app.dir });
    const [summary, chain] = stdout.trim().split('\n');
    expect(summary).toMatch(new RegExp(`^tick 50: \\d+ healthy, \\d+ suspicious, \\d+ infected, state ${expected.stateHash}$`));
    expect(chain).toMatch(/^person \d+ was exposed by person \d+ at tick \d+(, who was exposed by person \d+ at tick \d+)*$/);
  });

  it('the Deno snippet runs offline and prints the SHA-256 of the log that Node, Deno and workerd export', async () => {
    expect(await denoRun('main.ts', { cwd: app.dir })).toBe(`50 ticks, sha256 ${expected.sha256}\n`);
  });

  it("the edge snippet, bundled by the README's esbuild command and served by workerd with its config, answers the README's request", async () => {
    const commands = snippets['edge.sh']!.split('\n');
    const esbuild = commands.find((c) => c.startsWith('npx esbuild '))!.split(' ').slice(2);
    await run(join(root, 'node_modules', '.bin', 'esbuild'), [...esbuild, '--log-level=warning'], { cwd: app.dir });
    app.file('config.test.capnp', snippets['config.capnp']!.replace('127.0.0.1:8080', '127.0.0.1:0'));
    workerd = await serveWorkerd(app.dir, 'config.test.capnp', ['http']);
    const body = /-d '([^']+)'/.exec(commands.find((c) => c.startsWith('curl '))!)![1]!;
    const response = await fetch(workerd.url('http'), { method: 'POST', body });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { tick: number; notifications: { notificationId: string; personId: number; phone: string }[] };
    expect(answer).toEqual({ tick: 1, notifications: [{ notificationId: 'n-1-1', personId: 1, phone: expect.stringMatching(/^\+33\d{9}$/) }] });
    const bad = await fetch(workerd.url('http'), { method: 'POST', body: '[{"personId": 0, "x": -3, "y": 1}]' });
    expect([bad.status, await bad.text()]).toEqual([400, 'bad reports: Too small: expected number to be >=0\n']);
    const outside = await fetch(workerd.url('http'), { method: 'POST', body: '[{"personId": 100, "x": 3, "y": 1}]' });
    expect([outside.status, await outside.text()]).toEqual([400, 'report 0: person 100 is not in this world of 100 people (0..99)\n']);
  });

  it('the TypeScript snippets type-check against the declarations of the built package', async () => {
    app.file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['main.ts', 'worker.ts'] }));
    await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app.dir]).catch((e: { stdout: string }) => {
      throw new Error(`tsc: ${e.stdout}`);
    });
  });
});
