/**
 * "Did you mean ...?" on a terminal: the built binary under a pseudo-terminal (util-linux
 * `script`), where @oclif/plugin-not-found asks and, when the user answers y, runs the suggestion
 * with the arguments given. Elsewhere the suggestion is in the one-line error (test/cli.conventions.test.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from './cli.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('not-found prompt test SKIPPED: no util-linux `script` to give the binary a terminal');
    return false;
  }
})();

describe.runIf(hasScript)('a mistyped command on a terminal', () => {
  it('asks "Did you mean simulate?" and, answered y, runs simulate with the arguments given', async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} simulat --store memory: --ticks 2 --people 10`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/Did you mean .*simulate/.test(out) && !child.stdin.writableEnded) child.stdin.end('y\r');
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    const text = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // without colours and cursor moves
    expect(code, text).toBe(0);
    expect(text).toContain('Warning: simulat is not a stopcovid command.');
    expect(text).toMatch(/stopped at tick 2 \(2 ticks\)/);
    expect(text).not.toContain('›');
  });
});
