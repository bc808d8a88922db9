/**
 * Helpers of the browser tests: Debian's Chromium driven by playwright-core (no browser download),
 * and a real `stopcovid serve` in its own process on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { BIN } from './cli.js';

/** Where Debian puts Chromium (`apt-get install chromium`). */
export const CHROMIUM = process.env.STOPCOVID_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and other artefacts of the browser tests (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, 'artifacts');

/**
 * True when the browser tests can run. Without Chromium they are skipped with one notice, except
 * in CI (CI=true), where a missing browser is a failure.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
  process.stderr.write(`browser tests skipped: no ${CHROMIUM} (apt-get install -y chromium)\n`);
  return false;
}

/** Launch headless Chromium with the flags that suit a machine without a display or network. */
export async function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A running `stopcovid serve`. */
export interface Served {
  url: string;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Start `stopcovid serve --port 0 ...args` and wait for the line that gives its URL. */
export async function serve(...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const m = / on (http:\/\/\S+\/) /.exec(err);
      if (m) (clearTimeout(timer), resolve(m[1]!));
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`serve exited ${code}: ${err}`))));
  });
  return {
    url,
    process: child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}
