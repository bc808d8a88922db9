/**
 * workerd, Cloudflare's runtime, from the npm package `workerd` (which ships the binary; installed
 * on demand into `.cache/runtimes`, see runtimePackages.ts), run
 * directly with a generated Cap'n Proto config: one module worker per service, each on its own
 * socket at 127.0.0.1 on a free port. The ports are read from workerd's control channel
 * (`--control-fd`), so no port is guessed.
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runtimeRequire } from './runtimePackages.js';

/** Compatibility date of the test workers: fixed, so a newer workerd does not change their behaviour. */
export const COMPATIBILITY_DATE = '2025-09-01';

/**
 * Absolute path of the workerd binary of the npm package (installed first when missing).
 * @throws Error when the install fails.
 */
export function workerdBinary(): string {
  return (runtimeRequire('workerd') as { default: string }).default;
}

/**
 * `workerd --version`.
 * @throws Error with workerd's own message when the binary cannot run on this machine (e.g. a too old glibc).
 */
export async function workerdVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(workerdBinary(), ['--version']);
  return stdout.trim();
}

/** A running workerd; `url(name)` is the base URL of a service, `stop()` ends the process. */
export interface Workerd {
  url(name: string): string;
  stop(): Promise<void>;
}

/**
 * Write `config.capnp` and each worker's bundle (`<name>.js`, an ES module with a default
 * `fetch` export) into `dir`, and serve them: service and socket `<name>` for each.
 * @throws Error with workerd's stderr when it exits or does not listen within `timeoutMs`.
 */
export function startWorkerd(dir: string, workers: Record<string, string>, timeoutMs = 20_000): Promise<Workerd> {
  const names = Object.keys(workers);
  for (const name of names) writeFileSync(join(dir, `${name}.js`), workers[name]!);
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
${names.map((n) => `    (name = "${n}", worker = (modules = [(name = "${n}.js", esModule = embed "${n}.js")], compatibilityDate = "${COMPATIBILITY_DATE}")),`).join('\n')}
  ],
  sockets = [
${names.map((n) => `    (name = "${n}", address = "127.0.0.1:0", http = (), service = "${n}"),`).join('\n')}
  ],
);
`,
  );
  return serveWorkerd(dir, 'config.capnp', names, timeoutMs);
}

/**
 * `workerd serve <config>` in `dir`, once every socket in `sockets` listens (give them port 0:
 * the ports are read from the control channel).
 * @throws Error with workerd's stderr when it exits or does not listen within `timeoutMs`.
 */
export function serveWorkerd(dir: string, config: string, sockets: string[], timeoutMs = 20_000): Promise<Workerd> {
  const child = spawn(workerdBinary(), ['serve', config, '--control-fd=3'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const ports = new Map<string, number>();
    let control = '';
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`workerd did not listen within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      control += d;
      for (const line of control.split('\n').slice(0, -1)) {
        const event = JSON.parse(line) as { event: string; socket: string; port: number };
        if (event.event === 'listen') ports.set(event.socket, event.port);
      }
      control = control.slice(control.lastIndexOf('\n') + 1);
      if (sockets.every((n) => ports.has(n))) {
        clearTimeout(timer);
        resolve({ url: (name) => `http://127.0.0.1:${ports.get(name)}/`, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited with ${code} before listening: ${err}`));
    });
  });
}
