import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { storeContract } from './storeContract.js';
import { memoryStore } from '../adapters/store/memory.js';
import { sqliteStore } from '../adapters/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'stopcovid-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('memory', async () => memoryStore(), { densePositions: true });
storeContract('sqlite (a real file, record batches)', async () => sqliteStore(join(dir, `store-${n++}.db`)), { densePositions: true });
storeContract('sqlite (a real file, one row per event: stores of earlier releases)', async () => sqliteStore(join(dir, `store-${n++}.db`), { layout: 'rows' }), { densePositions: true });
