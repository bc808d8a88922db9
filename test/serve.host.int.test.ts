/**
 * `serve --host ''` (say `--host "$HOST"` with HOST unset) is bad input: one line and exit 2,
 * rather than listening on every interface under a URL with no host (`http://:8080/`). In
 * process (see test/inProcess.ts), on a real SQLite world.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-serve-host-'));
const store = `sqlite:${join(dir, 'world.db')}`;
beforeAll(async () => {
  const r = await run('simulate', '--store', store, '--people', '50', '--grid', '20x20', '--ticks', '2', '--json');
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve --host', () => {
  it("'': one line on stderr, exit 2, nothing served", async () => {
    const host = '';
    // were it served, Ctrl-C stops it after a while (what the serve would have done)
    const stop = setTimeout(() => process.emit('SIGINT', 'SIGINT'), 3000);
    const r = await run('serve', '--store', store, '--port', '0', '--host', host).finally(() => clearTimeout(stop));
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Error: --host: expected an address such as 127.0.0.1 (0.0.0.0: every interface); got '${host}'\n`);
    expect(r.code).toBe(2);
  });
});
