/**
 * An example store plugin: an append-only NDJSON file behind the URL scheme `ndjson:<path>`.
 * It adds a scheme to stopcovid's open registry from the outside (`registerNdjsonStore()`), and
 * passes the same contract suite as the built-in stores. One JSON object per line, only ever
 * appended:
 * - an event, exactly as `stopcovid export` writes it:
 *   `{"position","stream","revision","type","data","metadata"}`;
 * - `{"commit":<position>}` after the events of each append: lines after the last commit are a
 *   torn append (a crash mid-write) and are cut off when the file is opened;
 * - `{"checkpoint":<name>,"position":<n>}` for each saved checkpoint (the last one wins).
 * Reads, subscriptions and checkpoints are served by stopcovid's in-memory store, rebuilt from
 * the file on open. One process at a time may have a file open (there is no lock).
 * @module
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { checkExpectedRevision, StoreError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from 'stopcovid/core';
import { memoryStore } from 'stopcovid/adapters/memory';
import { registerStore, type OpenOptions } from 'stopcovid/registry';

/**
 * Register the store under `scheme` (default `ndjson`), so that `openStore('ndjson:./log.ndjson')`
 * (and `ndjson://./log.ndjson`) opens it.
 * @throws StoreError from `openStore` when the URL names no file.
 */
export function registerNdjsonStore(scheme = 'ndjson'): void {
  registerStore(scheme, (url, options) => {
    const path = url.slice(scheme.length + 1).replace(/^\/\//, '');
    if (!path) throw new StoreError(`store URL '${url}' names no file: use ${scheme}:<path>`);
    return ndjsonStore(path, options);
  });
}

type Line = { commit: number } | { checkpoint: string; position: number } | { position: number; stream: string; revision: number; type: string; data: unknown; metadata: unknown };

/**
 * Open (and with `create`, the default, create) the NDJSON store at `path`.
 * @throws StoreError when the file is missing and `create` is false, cannot be read, or holds a
 *   line that is not one of this store's (the message names the file and line number).
 */
export async function ndjsonStore(path: string, options: OpenOptions = {}): Promise<EventStore> {
  if (!existsSync(path)) {
    if (options.create === false) throw new StoreError(`no store at ${path}: the file does not exist`);
    write(path, '');
  }
  const memory = memoryStore();
  const revisions = new Map<string, number>();
  let size = await load(path, memory, revisions);
  let position = await memory.lastPosition();
  let closed = false;

  const append = async (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
    if (closed) throw new StoreError('the store is closed');
    const current = revisions.get(stream) ?? -1;
    checkExpectedRevision(stream, expected, current);
    if (events.length === 0) return { nextExpectedRevision: current, position };
    let text = '';
    events.forEach((e, i) => (text += `${JSON.stringify({ position: position + i + 1, stream, revision: current + i + 1, type: e.type, data: e.data, metadata: e.metadata })}\n`));
    text += `${JSON.stringify({ commit: position + events.length })}\n`;
    size = write(path, text, size);
    await memory.append(stream, events, 'any');
    position += events.length;
    revisions.set(stream, current + events.length);
    return { nextExpectedRevision: current + events.length, position };
  };

  return {
    append,
    readStream: (stream, fromRevision) => memory.readStream(stream, fromRevision),
    readAll: (options) => memory.readAll(options),
    subscribeAll: (options) => memory.subscribeAll(options),
    lastPosition: () => memory.lastPosition(),
    checkpoints: {
      load: (name) => memory.checkpoints.load(name),
      async save(name, at) {
        if (closed) throw new StoreError('the store is closed');
        size = write(path, `${JSON.stringify({ checkpoint: name, position: at })}\n`, size);
        await memory.checkpoints.save(name, at);
      },
    },
    async close() {
      closed = true;
      await memory.close();
    },
  };
}

/**
 * Append `text` to the file; on failure cut the file back to `size` bytes (no torn line stays).
 * @returns the new size in bytes.
 * @throws StoreError naming the file.
 */
function write(path: string, text: string, size = 0): number {
  try {
    appendFileSync(path, text);
    return size + Buffer.byteLength(text);
  } catch (error) {
    try {
      if (existsSync(path) && statSync(path).size > size) truncateSync(path, size);
    } catch {
      // the file is unusable; the next open will drop the uncommitted tail
    }
    throw new StoreError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Replay the file into `memory`; cut off a torn tail (events without their commit, an unfinished line).
 * @returns the size in bytes of the committed part.
 */
async function load(path: string, memory: EventStore, revisions: Map<string, number>): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new StoreError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let committed = 0; // bytes up to the end of the last commit or checkpoint line
  let pending: Extract<Line, { stream: string }>[] = [];
  let next = 1;
  let start = 0;
  for (let lineNo = 1; ; lineNo++) {
    const end = bytes.indexOf(0x0a, start);
    if (end < 0) break; // an unfinished last line: torn
    const where = `${path}:${lineNo}`;
    let line: Line;
    try {
      line = JSON.parse(bytes.subarray(start, end).toString('utf8')) as Line;
    } catch {
      throw new StoreError(`${where}: not a line of an ndjson store (invalid JSON)`);
    }
    start = end + 1;
    if ('commit' in line) {
      const stream = pending[0]?.stream;
      if (!stream || line.commit !== next - 1) throw new StoreError(`${where}: commit ${line.commit} does not close the events before it`);
      await memory.append(stream, pending, 'any');
      revisions.set(stream, pending[pending.length - 1]!.revision);
      pending = [];
      committed = start;
    } else if ('checkpoint' in line) {
      if (pending.length > 0) throw new StoreError(`${where}: checkpoint inside an uncommitted append`);
      await memory.checkpoints.save(line.checkpoint, line.position);
      committed = start;
    } else {
      const expectedRevision = pending.length > 0 ? pending[pending.length - 1]!.revision + 1 : (revisions.get(line.stream) ?? -1) + 1;
      if (line.position !== next || (pending.length > 0 && line.stream !== pending[0]!.stream) || line.revision !== expectedRevision)
        throw new StoreError(`${where}: event at position ${line.position}, ${line.stream}@${line.revision} is out of order (expected position ${next}, revision ${expectedRevision})`);
      pending.push(line);
      next++;
    }
  }
  if (committed < bytes.length) truncateSync(path, committed);
  return committed;
}
