/**
 * A command whose output cannot be written (stdout on /dev/full: a full disk, as a user meets it
 * with `stopcovid export > log.ndjson`) says so in one line on stderr and exits 1, never with a
 * stack trace; a reader that went away (`| head -1`) stays quiet. The built binary in a real
 * process, on a real SQLite world.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, json } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-output-full-'));
const store = `sqlite:${join(dir, 'world.db')}`;
beforeAll(async () => {
  json(await cli('simulate', '--store', store, '--people', '100', '--grid', '20x20', '--ticks', '5', '--json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(existsSync('/dev/full'))('stdout on a full device', () => {
  it.each([['export'], ['stats'], ['stats', '--json'], ['people'], ['status']])('%s: one line, exit 1', (...args) => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [BIN, ...args, '--store', store], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
      expect(r.stderr).toBe('Error: cannot write the output: no space left on the device\n');
      expect(r.status).toBe(1);
    } finally {
      closeSync(full);
    }
  });
});
