/**
 * Running `stopcovid` in this process, through oclif's real configuration of the package (the
 * built commands in dist/: `npm test` builds first), for parse-level checks that need no process
 * of their own: faster than spawning the binary.
 */
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../cli/main.js';

const root = join(import.meta.dirname, '..');

/** Run `stopcovid ...argv` in this process; what it wrote and its exit code. */
export async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (stdout += `${a.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (stderr += `${a.join(' ')}\n`));
  const saved = process.exitCode;
  const drains = new Set(process.stdout.listeners('drain'));
  process.exitCode = undefined;
  try {
    const code = await main(argv, root);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = saved;
    vi.restoreAllMocks();
    // oclif's flush() leaves a 'drain' listener on stdout whenever the write went through at once:
    // harmless in a process that runs one command, a MaxListenersExceededWarning on stderr after ten in one test file
    for (const l of process.stdout.listeners('drain')) if (!drains.has(l)) process.stdout.off('drain', l as () => void);
  }
}
