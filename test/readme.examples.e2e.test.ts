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

  /** The `sh` block after a heading that starts with `heading`: its command lines, comments and anything from a redirection or pipe on cut off. */
  const block = (heading: string) => {
    const at = readme.indexOf(`\n### ${heading}`);
    const m = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(at));
    return m![1]!.split('\n').map((l) => l.replace(/\s+#.*$/, '').replace(/\s*[|>].*$/, ''));
  };

  it("the command reference's trace and explain examples answer on the main command's world after a few ticks", async () => {
    // the README's main command with the defaults of the seed (100 people, 101x101, seed 1), stopped after 15 ticks (the time-travel example asks for tick 15)
    const world = mkdtempSync(join(tmpdir(), 'stopcovid-readme-world-'));
    try {
      const run = (args: string[]) => promisify(execFile)(process.execPath, [BIN, ...args], { cwd: world, env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
      await run(['simulate', '--ticks', '15']);
      const lines = [...block('`stopcovid trace'), ...block('`stopcovid explain')];
      expect(lines).toHaveLength(9);
      for (const line of lines) {
        // quoted arguments ("06 72 12 99 40") are one argument
        const args = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
        const { stdout } = await run(args).catch((error: { stderr: string }) => {
          throw new Error(`'${line}' failed: ${error.stderr}`);
        });
        // each answers about person 32, whom person 64 exposed at tick 4
        expect(stdout, line).toMatch(/\+33672129940|"personId": ?32\b|person 32/);
      }
    } finally {
      rmSync(world, { recursive: true, force: true });
    }
  }, 120_000);
});
