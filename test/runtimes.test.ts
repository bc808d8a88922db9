/**
 * The core runs unchanged on three runtimes. The same seeded simulation (1,000 people, 50 ticks,
 * in-memory store) runs on Node (in this process, from the sources), on Deno (the npm package
 * `deno`) and on workerd (the npm package `workerd`, Cloudflare's runtime, run directly with a
 * Cap'n Proto config and called over HTTP on 127.0.0.1), and the three NDJSON exports of its log
 * have the same SHA-256; so does the CLI's own `simulate` + `export` on SQLite. The edge example
 * answers a scripted sequence of requests identically on Node, Deno and workerd. Deno and
 * workerd run esbuild bundles made for `platform: 'neutral'`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../examples/edge/handler.js';
import { root } from './embedding/app.js';
import { bundleNeutral } from './embedding/bundle.js';
import { denoRun, denoServe, denoVersion, type DenoServer } from './embedding/deno.js';
import { edgeScript, play } from './embedding/edgeScript.js';
import { seededLog, type SeededLog } from './embedding/seededLog.js';
import { startWorkerd, workerdVersion, type Workerd } from './embedding/workerd.js';
import { installRuntimePackages } from './embedding/runtimePackages.js';

const PEOPLE = 1000;
const TICKS = 50;
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-runtimes-'));
let workerd: Workerd | undefined;
let denoEdge: DenoServer | undefined;
const versions: Record<string, string> = { node: process.version };

beforeAll(async () => {
  // the npm packages deno and workerd, installed into .cache/runtimes on the first run (minutes on a slow link)
  await installRuntimePackages();
  // A runtime that cannot run here fails the test with its own words (a missing binary, a glibc too old).
  versions.deno = await denoVersion().catch((e: Error) => {
    throw new Error(`Deno (npm package deno) cannot run on this machine: ${e.message}`);
  });
  versions.workerd = await workerdVersion().catch((e: Error) => {
    throw new Error(`workerd (npm package workerd) cannot run on this machine: ${e.message}`);
  });
  const [simDeno, simWorkerd, edgeWorker, edgeDeno] = await Promise.all(
    ['test/embedding/entries/deno-simulation.ts', 'test/embedding/entries/workerd-simulation.ts', 'examples/edge/worker.ts', 'examples/edge/deno.ts'].map((entry) => bundleNeutral(join(root, entry))),
  );
  for (const bundle of [simDeno, simWorkerd, edgeWorker, edgeDeno]) expect(bundle!.externals).toEqual([]);
  writeFileSync(join(dir, 'simulation.deno.js'), simDeno!.code);
  writeFileSync(join(dir, 'edge.deno.js'), edgeDeno!.code);
  [workerd, denoEdge] = await Promise.all([startWorkerd(dir, { sim: simWorkerd!.code, edge: edgeWorker!.code }), denoServe('edge.deno.js', { cwd: dir })]);
}, 600_000);

afterAll(async () => {
  await Promise.all([workerd?.stop(), denoEdge?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('three runtimes: Node, Deno, workerd', () => {
  it(`the seeded simulation (${PEOPLE} people, ${TICKS} ticks, memory store) exports byte-identical event logs on all three`, async () => {
    const [node, deno, edge] = await Promise.all([
      seededLog(PEOPLE, TICKS),
      denoRun('simulation.deno.js', { cwd: dir, args: [String(PEOPLE), String(TICKS)] }).then((out) => JSON.parse(out) as SeededLog),
      fetch(`${workerd!.url('sim')}?people=${PEOPLE}&ticks=${TICKS}`).then(async (r) => {
        if (!r.ok) throw new Error(`workerd answered ${r.status}: ${await r.text()}`);
        return (await r.json()) as SeededLog;
      }),
    ]);
    console.info(
      [`runtimes: node ${versions.node}, ${versions.deno}, workerd ${versions.workerd}`, ...Object.entries({ node, deno, workerd: edge }).map(([name, r]) => `${name.padEnd(8)} ${r.events} events, ${r.bytes} bytes, sha256 ${r.sha256}`)].join('\n'),
    );
    expect(node.events).toBeGreaterThan(PEOPLE * TICKS);
    expect(deno).toEqual(node);
    expect(edge).toEqual(node);
  });

  it('the CLI (simulate on SQLite, then export) writes the same log byte for byte', async () => {
    const store = `sqlite:${join(dir, 'cli.db')}`;
    const env = { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' };
    const bin = join(root, 'bin', 'run.js');
    await promisify(execFile)(process.execPath, [bin, 'simulate', '--store', store, '--people', String(PEOPLE), '--ticks', String(TICKS), '--json'], { env });
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'export', '--store', store], { env, maxBuffer: 1 << 28 });
    const node = await seededLog(PEOPLE, TICKS);
    expect(Buffer.byteLength(stdout)).toBe(node.bytes);
    expect(createHash('sha256').update(stdout).digest('hex')).toBe(node.sha256);
  });

  it('the edge example answers the scripted requests identically on Node, Deno and workerd', async () => {
    const script = edgeScript();
    const [node, deno, edge] = await Promise.all([play(script, createHandler()), play(script, fetch, denoEdge!.url), play(script, fetch, workerd!.url('edge'))]);
    expect(node.filter((a) => a.status === 200)).toHaveLength(5);
    expect(node.filter((a) => a.status === 400)).toHaveLength(8);
    expect(deno).toEqual(node);
    expect(edge).toEqual(node);
  });
});
