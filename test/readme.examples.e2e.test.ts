/**
 * The README's command examples marked `<!-- example: NAME -->`, run line by line as written, in
 * an empty folder, with `stopcovid` meaning the built binary: each line must exit 0.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './cli.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- example: (\S+) -->\n```sh\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!.split('\n').filter((l) => l.trim() && !l.startsWith('#'))] as const);
const dir = mkdtempSync(join(tmpdir(), 'stopcovid-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('has the marked examples', () => {
    expect(examples.map(([name]) => name)).toEqual(['readmodels.sh', 'policy.sh', 'whatif.sh', 'history.sh']);
  });

  it.each(examples)('%s runs as written', async (name, lines) => {
    for (const line of lines) {
      const args = line.split(/\s+/).slice(1); // the examples quote nothing: split on spaces
      expect(line.startsWith('stopcovid ')).toBe(true);
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } }).catch((error: { stderr: string }) => {
        throw new Error(`'${line}' failed: ${error.stderr}`);
      });
      if (line.includes('verify') && line.includes('--json')) expect(JSON.parse(stdout)).toMatchObject({ ok: true, differences: [] });
      // the README shows the real output of these queries: every line of it stands in the README as printed
      if (name === 'history.sh' && /^stopcovid (explain|status|trace) /.test(line)) for (const out of stdout.trimEnd().split('\n')) expect(readme).toContain(out);
      if (name === 'history.sh' && line.startsWith('stopcovid stats ')) for (const out of stdout.trimEnd().split('\n').slice(-4)) expect(readme).toContain(out);
    }
  }, 120_000);
});
