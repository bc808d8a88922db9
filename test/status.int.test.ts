/**
 * `status` only reads, in process (see test/inProcess.ts), on a SQLite world: a read-model file
 * that does not exist is reported as missing and never created, and the last completed tick is
 * the log's even when the read models lag behind it. Its help names every read model.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResult } from '../cli/commands/status.js';
import { worldReadModels } from '../core/index.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-status-'));
const store = `sqlite:${join(dir, 'world.db')}`;
beforeAll(async () => {
  const r = await run('simulate', '--store', store, '--people', '300', '--grid', '40x40', '--ticks', '5', '--json');
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('status', () => {
  it("with a --read-models file that does not exist: the log's last completed tick, no read models, and no file created", async () => {
    const other = join(dir, 'other.db');
    const text = await run('status', '--store', store, '--read-models', `sqlite:${other}`);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${store.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\d+ events, last completed tick 5\\n  no read models in ${other.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} yet: status only reads`));
    const json = await run('status', '--store', store, '--read-models', `sqlite:${other}`, '--json');
    expect(JSON.parse(json.stdout) as StatusResult).toMatchObject({ tick: 5, readModels: [] });
    expect(existsSync(other)).toBe(false);
  });

  it("with read models that lag behind the log: the tick is still the log's, the lag is shown", async () => {
    const lagging = join(dir, 'lagging.db');
    expect((await run('people', '--store', store, '--read-models', `sqlite:${lagging}`, '--limit', '1')).code).toBe(0);
    expect((await run('simulate', '--store', store, '--ticks', '2', '--json')).code).toBe(0);
    const status = JSON.parse((await run('status', '--store', store, '--read-models', `sqlite:${lagging}`, '--json')).stdout) as StatusResult;
    expect(status.tick).toBe(7);
    expect(status.readModels.every((r) => r.lagEvents > 0)).toBe(true);
  });

  it('with a read model built by an older projection version: outdated, not current, until a query rebuilds it', async () => {
    const file = join(dir, 'outdated.db');
    expect((await run('simulate', '--store', `sqlite:${file}`, '--people', '50', '--grid', '20x20', '--ticks', '2', '--json')).code).toBe(0);
    const current = worldReadModels.find((p) => p.name === 'epidemic')!.version;
    // what a store written before epidemic's last version holds: its read model at the version before
    const db = new Database(file);
    db.prepare('UPDATE read_models SET version = ? WHERE name = ?').run(current - 1, 'epidemic');
    db.close();
    const status = JSON.parse((await run('status', '--store', `sqlite:${file}`, '--json')).stdout) as StatusResult;
    expect(status.readModels.find((r) => r.name === 'epidemic')).toMatchObject({ version: current - 1, projectionVersion: current, outdated: true });
    expect(status.readModels.filter((r) => r.outdated).map((r) => r.name)).toEqual(['epidemic']);
    const text = (await run('status', '--store', `sqlite:${file}`)).stdout;
    expect(text).toMatch(new RegExp(`epidemic +v${current - 1} .*outdated: built by v${current - 1}, this version is v${current} \\(the next query rebuilds it\\)`));
    expect(text).not.toMatch(/epidemic .*current/);
    // a query rebuilds it; status then says current
    expect((await run('stats', '--store', `sqlite:${file}`, '--json')).code).toBe(0);
    const after = JSON.parse((await run('status', '--store', `sqlite:${file}`, '--json')).stdout) as StatusResult;
    expect(after.readModels.find((r) => r.name === 'epidemic')).toMatchObject({ version: current, outdated: false, lagEvents: 0 });
  });

  it('--help names every read model (people, exposures, metrics, notifications, history, epidemic)', async () => {
    const help = (await run('status', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`The read models (${worldReadModels.map((p) => p.name).join(', ')})`);
    expect(worldReadModels.map((p) => p.name)).toEqual(['people', 'exposures', 'metrics', 'notifications', 'history', 'epidemic']);
  });
});
