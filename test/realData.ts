/**
 * Helpers of the real-data ingest tests (test/ingest.sociopatterns.test.ts,
 * test/ingest.cabspotting.test.ts): `stopcovid ingest` on data nobody on the team wrote, the
 * SocioPatterns contact lists and the five San Francisco taxi traces in ../shared/data (beside the
 * repository; CI puts a copy of shared/ there). Without that folder those tests are skipped with a notice.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, expect } from 'vitest';
import { cli, json, type Run } from './cli.js';
import { storedEvents } from './storedLog.js';

export { cli, json, type Run };

const ROOT = join(import.meta.dirname, '..');
/** The shared data sets: `../shared/data` from the repository root. */
export const DATA = join(ROOT, '..', 'shared', 'data');
/** True when the data folder is there; otherwise the caller's tests are skipped and this says so once per file. */
export const available = existsSync(DATA);
if (!available) console.warn(`Real-data ingest tests SKIPPED: no data folder at ${DATA} (../shared/data beside the repository).`);

/** A temporary folder for the test file's stores, removed after it. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stopcovid-realdata-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type Logged = { type: string; data: Record<string, unknown>; metadata: { tick: number; at: string } };
export async function exportText(store: string): Promise<string> {
  const run = await cli('export', '--store', store);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}
/** The events of the types a check needs, in log order, read straight from the SQLite file (faster than `export` for 200,000 events). */
export function events(store: string, types = ['PersonRegistered', 'ContactDetected', 'HealthStatusChanged', 'PersonMoved']): Logged[] {
  return storedEvents(store.slice('sqlite:'.length), types).map((r) => ({ type: r.type, data: r.data, metadata: r.metadata as Logged['metadata'] }));
}
export interface Result {
  rows: number;
  skipped: number;
  people: number;
  ticks: number;
  contacts: number;
  exposures: number;
  seconds: number;
  rowsPerSecond: number;
  stateHash: string;
}

/** The rows `t i j` of a SocioPatterns file, read here on their own (not by the ingester). */
export function sociopatterns(file: string): { t: number; i: string; j: string }[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [t, i, j] = l.trim().split(/\s+/);
      return { t: Number(t), i: i!, j: j! };
    });
}

/**
 * Earliest exposure of every person reachable from `index` by a time-respecting path, as the end
 * (seconds) of the bucket `(b(k-1), bk]` of length `b` where it happened: a contact passes exposure
 * from a person exposed in a strictly earlier bucket (index cases: always).
 */
export function timeRespecting(rows: { t: number; i: string; j: string }[], index: string, b: number): Map<string, number> {
  const exposed = new Map<string, number>([[index, -Infinity]]);
  for (let k = 0; k < rows.length; ) {
    const end = Math.ceil(rows[k]!.t / b) * b;
    const now: string[] = [];
    for (; k < rows.length && Math.ceil(rows[k]!.t / b) * b === end; k++) {
      const { i, j } = rows[k]!;
      if (exposed.has(i) && exposed.get(i)! < end && !exposed.has(j)) now.push(j);
      if (exposed.has(j) && exposed.get(j)! < end && !exposed.has(i)) now.push(i);
    }
    for (const p of now) if (!exposed.has(p)) exposed.set(p, end);
  }
  exposed.delete(index);
  return exposed;
}

/** Every exposure names a contact of its tick with a source exposed earlier or an index case. */
export function checkPaths(log: Logged[]): number {
  const contacts = new Map<string, { tick: number; a: number; b: number }>();
  const exposedAt = new Map<number, number>();
  const index = new Set<number>();
  let checked = 0;
  for (const e of log) {
    if (e.type === 'ContactDetected') contacts.set(e.data.contactId as string, { tick: e.metadata.tick, a: e.data.a as number, b: e.data.b as number });
    if (e.type !== 'HealthStatusChanged') continue;
    const { personId, sourcePersonId, contactId, reason, to } = e.data as { personId: number; sourcePersonId: number; contactId: string; reason: string; to: number };
    if (reason === 'initial' && to >= 1) index.add(personId);
    if (reason !== 'contact') continue;
    const contact = contacts.get(contactId)!;
    expect(contact.tick).toBe(e.metadata.tick);
    expect([contact.a, contact.b].sort()).toEqual([personId, sourcePersonId].sort());
    expect(index.has(sourcePersonId) || exposedAt.get(sourcePersonId)! < e.metadata.tick, `source ${sourcePersonId} of ${personId} at tick ${e.metadata.tick}`).toBe(true);
    expect(exposedAt.has(personId)).toBe(false);
    exposedAt.set(personId, e.metadata.tick);
    checked++;
  }
  return checked;
}

/** Great-circle distance in metres (haversine, sphere of 6,371,008.8 m), written here apart from core's. */
export function metres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

