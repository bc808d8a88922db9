import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, genesis, isStoreError, loadWorld, stepTick, tickStream } from 'stopcovid/core';
import { openStore, storeSchemes } from 'stopcovid/registry';
import { storeContract } from '../../test/storeContract.js';
import { ndjsonStore, registerNdjsonStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-ndjson-'));
let n = 0;
const file = () => join(dir, `store-${n++}.ndjson`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('ndjson example plugin', async () => ndjsonStore(file()));

const ev = (n: number) => ({ type: 'A', data: { n }, metadata: { tick: 0, at: '2020-03-17T00:00:00.000Z', schemaVersion: 1 } });

describe('the ndjson example plugin through the open registry', () => {
  it('openStore knows ndjson: only after registerNdjsonStore, and a world written there reloads with its state hash', async () => {
    const path = file();
    await expect(openStore(`ndjson:${path}`)).rejects.toThrow(/unknown store scheme 'ndjson:'/);
    registerNdjsonStore();
    expect(storeSchemes()).toContain('ndjson');

    const writer = await openStore(`ndjson:${path}`, { create: true });
    const world = genesis({ ...DEFAULT_PARAMS, people: 200, width: 20, height: 20 });
    await writer.append(tickStream(0), world.events, 'no_stream');
    for (let t = 1; t <= 3; t++) await writer.append(tickStream(t), stepTick(world.state).events, 'no_stream');
    await writer.checkpoints.save('sms', 42);
    await writer.close();

    const reader = await openStore(`ndjson://${path}`, { create: false });
    const { state } = await loadWorld(reader);
    expect(state.tick).toBe(3);
    expect(state.recordedHash).toBe(world.state.recordedHash);
    expect(await reader.checkpoints.load('sms')).toBe(42);
    await reader.close();
    await expect(openStore('ndjson:')).rejects.toThrow("store URL 'ndjson:' names no file: use ndjson:<path>");
  });

  it('writes each event as the line stopcovid export writes, then a commit line', async () => {
    const path = file();
    const store = await ndjsonStore(path);
    await store.append('s-1', [ev(1), ev(2)], 'no_stream');
    await store.close();
    expect(readFileSync(path, 'utf8').split('\n')).toEqual([
      '{"position":1,"stream":"s-1","revision":0,"type":"A","data":{"n":1},"metadata":{"tick":0,"at":"2020-03-17T00:00:00.000Z","schemaVersion":1}}',
      '{"position":2,"stream":"s-1","revision":1,"type":"A","data":{"n":2},"metadata":{"tick":0,"at":"2020-03-17T00:00:00.000Z","schemaVersion":1}}',
      '{"commit":2}',
      '',
    ]);
  });

  it('cuts off a torn append (events without their commit, an unfinished line) and continues after the last commit', async () => {
    const path = file();
    const first = await ndjsonStore(path);
    await first.append('s-1', [ev(1)], 'no_stream');
    await first.close();
    const good = readFileSync(path, 'utf8');
    appendFileSync(path, '{"position":2,"stream":"s-1","revision":1,"type":"A","data":{"n":2},"metadata":{}}\n{"posit');

    const store = await ndjsonStore(path);
    expect(await store.lastPosition()).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(good);
    await expect(store.append('s-1', [ev(3)], 0)).resolves.toEqual({ nextExpectedRevision: 1, position: 2 });
    await store.close();
  });

  it('refuses a missing file without create, and a foreign line naming file and line', async () => {
    const missing = join(dir, 'missing.ndjson');
    const error = await ndjsonStore(missing, { create: false }).catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toBe(`no store at ${missing}: the file does not exist`);

    const foreign = file();
    writeFileSync(foreign, '{"commit":0}\nhello\n');
    await expect(ndjsonStore(foreign)).rejects.toThrow(`${foreign}:1: commit 0 does not close the events before it`);
    writeFileSync(foreign, 'hello\n');
    await expect(ndjsonStore(foreign)).rejects.toThrow(`${foreign}:1: not a line of an ndjson store (invalid JSON)`);
  });
});
