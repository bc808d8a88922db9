/**
 * Two `stopcovid test` commands at once on a world with no simulate running, on a real SQLite
 * file: the second one's entry reaches the inbox while the first holds the writer's lease and is
 * writing its tick, so the second leaves it to the holder ("accepted"). The holder applies it
 * before it returns, instead of leaving it pending until some later writer comes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUpReadModels, openReadModels } from '../adapters/readmodels/open.js';
import { openStore } from '../adapters/registry.js';
import { submitCommand, type Submission } from '../cli/tickWriter.js';
import type { EventStore } from '../core/index.js';
import { run } from './inProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-concurrent-'));
const url = `sqlite:${join(dir, 'world.db')}`;
let phones: string[];

beforeAll(async () => {
  const r = await run('simulate', '--store', url, '--people', '100', '--grid', '20x20', '--seed', '4', '--ticks', '3', '--json');
  expect(r.code, r.stderr).toBe(0);
  phones = (JSON.parse((await run('people', '--store', url, '--status', '1', '--limit', '2', '--json')).stdout) as { phone: string }[]).map((p) => p.phone);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Submit a positive result for `phone` from a process of its own (a store and read models of its own). */
async function positive(store: EventStore, phone: string): Promise<Submission> {
  const models = openReadModels(store, url);
  try {
    await catchUpReadModels(store, models);
    return await submitCommand(store, models, { type: 'TestResultReported', data: { phone, result: 'positive' } }, { inline: false, verbose: false });
  } finally {
    models.close();
  }
}

describe('inbox commands from two writers at once', () => {
  it("an entry sent while another command's writer holds the lease is applied by that writer", async () => {
    const [first, second] = phones as [string, string];
    const store = await openStore(url);
    let racing: Submission | undefined;
    // the first writer's store: just before it appends its tick, the second command arrives
    const slowed = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (key !== 'append' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (stream: string, ...rest: unknown[]) => {
          if (stream.startsWith('stopcovid.tick-') && racing === undefined) {
            const other = await openStore(url);
            try {
              racing = await positive(other, second);
            } finally {
              await other.close();
            }
          }
          return (value as (...a: unknown[]) => unknown).call(target, stream, ...rest);
        };
      },
    });
    try {
      expect(await positive(slowed, first)).toMatchObject({ status: 'applied', revision: 0, tick: 4 });
    } finally {
      await store.close();
    }
    expect(racing).toEqual({ status: 'accepted', revision: 1 });
    for (const phone of [first, second]) {
      const trace = JSON.parse((await run('trace', phone, '--store', url, '--json')).stdout) as { status: number };
      expect(trace.status, phone).toBe(2);
    }
    const status = JSON.parse((await run('status', '--store', url, '--json')).stdout) as { tick: number };
    expect(status.tick).toBe(5);
  });
});
