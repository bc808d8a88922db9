/**
 * Running the built `stopcovid` binary in a real process, for the end-to-end tests.
 * `npm test` builds first; the store and bus environment variables of the caller are cleared.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

/** The binary the tests run. */
export const BIN = join(import.meta.dirname, '..', 'bin', 'run.js');

/** How a run ended: exit code and the whole output. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `stopcovid ...args` to completion (`env` is added to a cleaned copy of this process's). */
export async function cli(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { maxBuffer: 1 << 30, env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '', KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The JSON a successful run printed; fails the test on a non-zero exit or a stack trace. */
export function json<T>(run: Run): T {
  expect(run.stderr, run.stderr).not.toMatch(/\n\s+at /);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** The non-empty lines of `text`. */
export const lines = (text: string): string[] => text.split('\n').filter(Boolean);
