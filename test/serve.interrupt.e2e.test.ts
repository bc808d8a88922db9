/**
 * Ctrl-C given to `serve` while it is still building its read models (here into a --read-models
 * file of its own) stops it then, as every command that only reads: it does not go on building,
 * then listen, print its URL and stop only then. The built binary in a real process, on a real
 * SQLite world; the read models it left are whole batches, and the next run completes them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, json } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-serve-interrupt-'));
const store = `sqlite:${join(dir, 'world.db')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 20,000 people for 30 ticks: some 600,000 events, a few tenths of a second to fold into read models
beforeAll(async () => {
  json(await cli('simulate', '--store', store, '--people', '2e4', '--grid', '300x300', '--ticks', '30', '--json'));
});

describe('serve, Ctrl-C', () => {
  it('while it builds its read models: it stops then (exit 130), never listening; the next run completes them', async () => {
    const models = join(dir, 'models.db');
    const child = spawn(process.execPath, [BIN, 'serve', '--store', store, '--read-models', `sqlite:${models}`, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STOPCOVID_STORE: '', STOPCOVID_BUS: '' } });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => (stdout += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    // the read-model file appears when it starts building them
    const deadline = performance.now() + 30_000;
    while (!existsSync(models) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(models)).toBe(true);
    child.kill('SIGINT');
    const { code, signal } = await exit;
    expect(stderr).not.toContain('dashboard of');
    expect(stdout).toBe('');
    expect(code === 130 || signal === 'SIGINT', `exit ${code} ${signal}: ${stderr}`).toBe(true);
    // what it built stands; the next run builds the rest
    expect(json<unknown[]>(await cli('stats', '--store', store, '--read-models', `sqlite:${models}`, '--json'))).toHaveLength(31);
    const after = json<{ readModels: { lagEvents: number }[] }>(await cli('status', '--store', store, '--read-models', `sqlite:${models}`, '--json'));
    expect(after.readModels.every((r) => r.lagEvents === 0)).toBe(true);
  });
});
