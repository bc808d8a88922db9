/**
 * The seeded simulation that the three-runtime test runs on Node, Deno and workerd: a world in
 * the in-memory store, its log exported as `stopcovid export` writes it, and the SHA-256 of
 * that export (Web Crypto, present on all three). Runtime-neutral: no Node API.
 * @module
 */
import { DEFAULT_PARAMS, genesis, scratch, stepTick, tickStream } from 'stopcovid/core';
import { memoryStore } from 'stopcovid/adapters/memory';

/** What one run produced. */
export interface SeededLog {
  people: number;
  ticks: number;
  /** Events in the log, and bytes of its NDJSON export. */
  events: number;
  bytes: number;
  /** Hex SHA-256 of the NDJSON export. */
  sha256: string;
  /** The state hash `TickCompleted` recorded for the last tick. */
  stateHash: string;
}

/** Run `people` people for `ticks` ticks (seed defaults otherwise), one append per tick, and hash the export. */
export async function seededLog(people: number, ticks: number): Promise<SeededLog> {
  const store = memoryStore();
  const world = genesis({ ...DEFAULT_PARAMS, people });
  await store.append(tickStream(0), world.events, 'no_stream');
  const buffers = scratch();
  for (let t = 1; t <= ticks; t++) await store.append(tickStream(t), stepTick(world.state, buffers).events, 'no_stream');
  let text = '';
  let events = 0;
  for await (const e of store.readAll()) {
    text += `${JSON.stringify({ position: e.position, stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata })}\n`;
    events++;
  }
  await store.close();
  const bytes = new TextEncoder().encode(text);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return { people, ticks, events, bytes: bytes.length, sha256, stateHash: world.state.recordedHash! };
}
