/**
 * Deno, from the npm package `deno` (which ships the runtime binary; installed on demand into
 * `.cache/runtimes`, see runtimePackages.ts): run a script to its end, or
 * serve one and learn its port. Deno runs offline here: bundles need no download, and a
 * consumer project's imports resolve from its node_modules.
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runtimeRequire } from './runtimePackages.js';

/**
 * Absolute path of the Deno binary of the npm package (installed first when missing).
 * @throws Error when the install fails, or the package has no binary for this platform.
 */
export function denoBinary(): string {
  return (runtimeRequire('deno/install_api.cjs') as { runInstall(): string }).runInstall();
}

/** Environment of a Deno run in `cwd`: its cache in `<cwd>/.deno` (gone with the folder), no update check, no prompt, no colours. */
function env(cwd: string): NodeJS.ProcessEnv {
  return { ...process.env, DENO_DIR: join(cwd, '.deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' };
}

/**
 * `deno --version`, the first line.
 * @throws Error with Deno's own message when the binary cannot run on this machine.
 */
export async function denoVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(denoBinary(), ['--version'], { env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  return stdout.split('\n')[0]!;
}

/**
 * `deno run [flags] <file> [args]` in `cwd`, to its end.
 * @throws Error with Deno's stderr when it exits non-zero.
 */
export async function denoRun(file: string, options: { cwd: string; flags?: string[]; args?: string[] }): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(denoBinary(), ['run', '--no-prompt', ...(options.flags ?? []), file, ...(options.args ?? [])], { cwd: options.cwd, env: env(options.cwd), maxBuffer: 1 << 26 });
    return stdout;
  } catch (error) {
    throw new Error(`deno run ${file} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

/** A server run by Deno; `stop()` ends it. */
export interface DenoServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Run `file`, a server that prints `listening on http://127.0.0.1:<port>/` (env `PORT=0`), with
 * network access to 127.0.0.1 only.
 * @throws Error when Deno exits or prints nothing like it within `timeoutMs`.
 */
export function denoServe(file: string, options: { cwd: string; timeoutMs?: number }): Promise<DenoServer> {
  const child = spawn(denoBinary(), ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env=PORT', file], { cwd: options.cwd, env: { ...env(options.cwd), PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`deno did not start serving ${file} within ${options.timeoutMs ?? 20_000} ms: ${err}`));
    }, options.timeoutMs ?? 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`deno exited with ${code} before serving ${file}: ${err}`));
    });
  });
}
