/**
 * oclif's conventions, in process through the real oclif configuration of the package (the built
 * commands in dist/, as `npm test` builds first): `help` and `-h`, "did you mean" for a mistyped
 * command, shell completion, one error style (`Error: <one line>`), counts written as 1e6 or
 * 1_000_000, and the root help describing the `ingest` topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './inProcess.js';
import Simulate from '../cli/commands/simulate.js';

const root = join(import.meta.dirname, '..');
// oclif's cache (the autocomplete scripts) goes to a folder of the test, not the user's ~/.cache
const cache = mkdtempSync(join(tmpdir(), 'stopcovid-conventions-'));
process.env.STOPCOVID_CACHE_DIR = cache;
afterAll(() => rmSync(cache, { recursive: true, force: true }));


afterEach(() => vi.restoreAllMocks());

describe('CLI conventions', () => {
  it('a mistyped command is one error line with the nearest command, exit 2', async () => {
    const typo = await run('simulat', '--ticks', '1');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("Error: 'simulat' is not a stopcovid command; did you mean 'simulate'? Run 'stopcovid help' for a list of commands.\n");
    const inTopic = await run('ingest', 'contact', 'file.txt');
    expect(inTopic.stderr).toBe("Error: 'ingest contact' is not a stopcovid command; did you mean 'ingest contacts'? Run 'stopcovid help ingest' for a list of commands.\n");
    // a mistyped topic: the two words name the command
    const topic = await run('polcy', 'show');
    expect(topic.stderr).toBe("Error: 'polcy show' is not a stopcovid command; did you mean 'policy show'? Run 'stopcovid help' for a list of commands.\n");
    const json = await run('simulat', '--json');
    expect(json.stdout.split('\n')).toHaveLength(2); // one line: it can end a stream of NDJSON
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'INPUT', message: "'simulat' is not a stopcovid command; did you mean 'simulate'? Run 'stopcovid help' for a list of commands." } });
    // a command's own error with --json: one line on stdout too (consume --json prints NDJSON)
    const missing = await run('consume', '--store', 'sqlite:/nonexistent/stopcovid.db', '--json');
    expect(missing.code).toBe(2);
    expect(missing.stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'STORE_ERROR', message: expect.stringMatching(/^no store at / ) } });
    // a flag or argument oclif refuses is bad input too: the same code as ours
    for (const argv of [['trace', '+33672129940', '--direction', 'x'], ['simulate', '--bogus'], ['trace']]) {
      const refused = await run(...argv, '--json');
      expect([refused.code, (JSON.parse(refused.stdout) as { error: { code: string } }).error.code], argv.join(' ')).toEqual([2, 'INPUT']);
    }
    // help about a command that does not exist says it the same way
    for (const argv of [['help', 'simulat'], ['simulat', '--help']]) {
      const asked = await run(...argv);
      expect([asked.code, asked.stderr], argv.join(' ')).toEqual([2, "Error: 'simulat' is not a stopcovid command; did you mean 'simulate'? Run 'stopcovid help' for a list of commands.\n"]);
    }
    const far = await run('zzzzzzzzzz');
    expect(far.stderr).toBe("Error: 'zzzzzzzzzz' is not a stopcovid command. Run 'stopcovid help' for a list of commands.\n");    // a command that takes no argument, given one, is not a mistyped command
    const extra = await run('simulate', 'extra-arg', '--ticks', '1');
    expect([extra.code, extra.stderr]).toEqual([2, "Error: 'stopcovid simulate' takes no argument, got 'extra-arg'. Run 'stopcovid help simulate' for its flags.\n"]);
  });

  it('no error anywhere uses oclif\'s " ›   Error:" style', async () => {
    for (const argv of [['simulat'], ['help', 'nothere'], ['simulate', '--bogus'], ['trace'], ['simulate', '--people', 'many'], ['autocomplete', 'tcsh']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.stderr, argv.join(' ')).toMatch(/^Error: [^\n]+\n$/);
      expect(r.stderr).not.toContain('›');
    }
  });

  it('help is a command, and -h a help flag, for the root, a topic and a command', async () => {
    const rootHelp = await run('help');
    expect(rootHelp.code).toBe(0);
    expect(rootHelp.stdout).toMatch(/TOPICS\n\s+ingest\s+Build a world from real data: contact lists \(ingest contacts\) or GPS\s+traces \(ingest positions\)\./);
    expect(rootHelp.stdout).toMatch(/\n\s+help\s+Display help for stopcovid\./);
    expect(rootHelp.stdout).toMatch(/\n\s+autocomplete\s+/);
    expect((await run('-h')).stdout).toBe(rootHelp.stdout);
    const topic = await run('help', 'ingest');
    expect(topic.stdout).toContain('ingest contacts');
    expect(topic.stdout).toContain('ingest positions');
    const simulate = await run('simulate', '-h');
    expect(simulate.code).toBe(0);
    expect(simulate.stdout).toMatch(/^Run the contact-tracing simulation/);
    expect((await run('help', 'simulate')).stdout).toBe(simulate.stdout);
  });

  it('autocomplete prints the setup of bash completion', async () => {
    const bash = await run('autocomplete', 'bash');
    expect(bash.code, bash.stderr).toBe(0);
    expect(bash.stdout).toContain('stopcovid autocomplete');
    expect(bash.stdout).toMatch(/bashrc/);
  });

  it('counts are accepted as 1e6 or 1_000_000 and refused in one line otherwise', async () => {
    const saved = process.exitCode;
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    const result = await Simulate.run(['--store', 'memory:', '--people', '2e2', '--ticks', '1_0', '--grid', '20x20', '--json'], root);
    vi.restoreAllMocks();
    process.exitCode = saved;
    expect(result).toMatchObject({ params: { people: 200 }, ticksRun: 10 });
    const bad = await run('simulate', '--store', 'memory:', '--people', '1.5e0');
    expect(bad).toMatchObject({ code: 2, stderr: "Error: --people: expected a whole number such as 1000000, 1_000_000 or 1e6; got '1.5e0'\n" });
    const big = await run('simulate', '--store', 'memory:', '--people', '1e9');
    expect(big).toMatchObject({ code: 2, stderr: 'Error: --people: expected a number from 1 to 50000000; got 1000000000\n' });
    const huge = await run('simulate', '--store', 'memory:', '--people', '1e99');
    expect(huge).toMatchObject({ code: 2, stderr: 'Error: --people: expected a number from 1 to 50000000; got 1e99\n' });
  });
});
