/**
 * The dashboard's HTTP server (Hono on @hono/node-server): the page, a small JSON and binary API
 * over a {@link DashboardSource}, and server-sent events for live ticks. Every bad request gets a
 * 4xx with a one-line reason; no request can bring the server down.
 *
 * | route | answer |
 * | --- | --- |
 * | `GET /` | the page |
 * | `GET /assets/app.js`, `/assets/app.css` | its script and style (bundled at build time) |
 * | `GET /api/world` | {@link WorldInfo} |
 * | `GET /api/people` | binary: Int32 header `[tick, n, 0, 0]`, then `xs` (n Int32), `ys` (n Int32), `status` (n Uint8), little-endian |
 * | `GET /api/curve` | the curve, by column: `{tick: [...], at: [...], healthy: [...], ...}` |
 * | `GET /api/chain?phone=P` or `?person=ID`, `&max=N` (<= 10,000) | {@link Chain} with phones |
 * | `GET /api/alerts?limit=N` (<= 1,000) | the last alerts, newest first |
 * | `GET /api/lag` | {@link Lag} |
 * | `GET /api/events` | `text/event-stream`: `tick` events `{row, alerts, lag}` after each new tick |
 * @module
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { DashboardSource, PersonQuery } from './source.js';

/** Most people in a chain the server sends. */
export const MAX_CHAIN_NODES = 10_000;

/** What the dashboard app needs. */
export interface DashboardOptions {
  source: DashboardSource;
  /**
   * Read the search box: a phone in any common form (or `id:<id>`) as a {@link PersonQuery}.
   * @throws Error whose message (one line) tells what is wrong with the input.
   */
  parseQuery: (input: string) => PersonQuery;
  /** Folder of the built page (`index.html`, `app.js`, `app.css`); without it, `/` says the page is not built. */
  assets?: string;
  /** Seconds between keep-alive comments on the event stream (default 15). */
  keepAliveSeconds?: number;
}

/** A 4xx answer with a one-line reason. */
class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const TYPES: Record<string, string> = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

/** The dashboard as a Hono app (`app.fetch` serves it; `app.request()` tests it without a socket). */
export function dashboardApp(options: DashboardOptions): Hono {
  const { source } = options;
  const files = new Map<string, string>();
  if (options.assets) for (const name of Object.keys(TYPES)) files.set(name, readFileSync(join(options.assets, name), 'utf8'));
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof BadRequest) return c.text(`${error.message}\n`, error.status);
    return c.text(`${oneLine(error.message || String(error))}\n`, 500);
  });
  // a page that exists, asked with another method than GET (or HEAD): 405 and what is allowed (RFC 9110, 15.5.6)
  app.notFound((c) =>
    c.req.method !== 'GET' && c.req.method !== 'HEAD' && app.routes.some((r) => r.method === 'GET' && r.path === c.req.path)
      ? c.text(`${c.req.method} is not allowed on ${c.req.path}: the dashboard only reads (GET)\n`, 405, { Allow: 'GET, HEAD' })
      : c.text(`no such page: ${c.req.path}\n`, 404),
  );

  const file = (name: string) => (c: Context) => {
    const text = files.get(name);
    if (text === undefined) return c.text(`the dashboard page is not built: run 'npm run build'\n`, 404);
    return c.body(text, 200, { 'content-type': TYPES[name]!, 'cache-control': 'no-cache' });
  };
  app.get('/', file('index.html'));
  app.get('/assets/app.js', file('app.js'));
  app.get('/assets/app.css', file('app.css'));
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/api/world', (c) => c.json(source.info()));
  app.get('/api/lag', async (c) => c.json(await source.lag()));

  app.get('/api/people', (c) => {
    const { xs, ys, status, tick } = source.people();
    const n = xs.length;
    const buffer = new ArrayBuffer(16 + 9 * n);
    new Int32Array(buffer, 0, 4).set([tick, n, 0, 0]);
    new Int32Array(buffer, 16, n).set(xs);
    new Int32Array(buffer, 16 + 4 * n, n).set(ys);
    new Uint8Array(buffer, 16 + 8 * n, n).set(status);
    return c.body(new Uint8Array(buffer), 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  });

  app.get('/api/curve', (c) => {
    const rows = source.curve();
    const columns = ['tick', 'at', 'healthy', 'suspicious', 'infected', 'contacts', 'exposures', 'notifications'] as const;
    return c.json(Object.fromEntries(columns.map((k) => [k, rows.map((r) => r[k])])));
  });

  app.get('/api/chain', (c) => {
    const phone = c.req.query('phone');
    const person = c.req.query('person');
    if ((phone === undefined) === (person === undefined)) throw new BadRequest(400, 'give one of phone=<phone> or person=<id>');
    const max = integer(c.req.query('max'), 'max', 1, MAX_CHAIN_NODES, MAX_CHAIN_NODES);
    let personId: number | undefined;
    if (phone !== undefined) {
      if (phone.trim() === '') throw new BadRequest(400, 'type a phone number');
      let query: PersonQuery;
      try {
        query = options.parseQuery(phone);
      } catch (error) {
        throw new BadRequest(400, oneLine((error as Error).message));
      }
      personId = source.findPerson(query);
      if (personId === undefined) throw new BadRequest(404, 'phone' in query ? `no person with phone ${query.phone} in this world` : `no person with id '${query.sourceId}' in this world`);
    } else {
      personId = integer(person, 'person', 0, source.info().people - 1, 0);
    }
    return c.json(source.chain(personId, { maxNodes: max }));
  });

  app.get('/api/alerts', (c) => c.json(source.lastAlerts(integer(c.req.query('limit'), 'limit', 1, 1000, 20))));

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      const send = (event: string, data: unknown) => {
        queue = queue.then(() => stream.writeSSE({ event, data: JSON.stringify(data) })).catch(() => undefined);
      };
      const stop = source.subscribe(
        (update) => {
          queue = queue.then(async () => {
            const lag = await source.lag().catch(() => undefined);
            await stream.writeSSE({ event: 'tick', data: JSON.stringify({ ...update, lag }) });
          }).catch(() => undefined);
        },
        (error) => send('failure', { message: oneLine(error.message) }),
      );
      send('hello', { tick: source.info().tick });
      const keepAlive = setInterval(() => {
        queue = queue.then(() => stream.write(': keep-alive\n\n')).then(() => undefined, () => undefined);
      }, (options.keepAliveSeconds ?? 15) * 1000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(keepAlive);
      stop();
    }),
  );
  return app;
}

/** Read an optional integer query parameter within [min, max]. @throws BadRequest (400) otherwise. */
function integer(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new BadRequest(400, `${name} must be an integer from ${min} to ${max}, got '${text.slice(0, 40)}'`);
  return value;
}

function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
}

/** Error code of {@link ListenError}. */
export const LISTEN_ERROR = 'LISTEN';

/** The server could not listen: the port is in use, the host is not this machine's, or not allowed. */
export class ListenError extends Error {
  readonly code = LISTEN_ERROR;
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** A listening dashboard. */
export interface Listening {
  /** `http://host:port/` */
  url: string;
  port: number;
  /** Stop listening and drop open connections (event streams included). */
  close(): Promise<void>;
}

/**
 * Serve `app` on `host`:`port` (0: a free port).
 * @throws ListenError with a one-line reason when it cannot listen.
 */
export async function listen(app: Hono, host: string, port: number): Promise<Listening> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') reject(new ListenError(`port ${port} on ${host} is in use: stop what uses it or choose another with --port`));
      else if (error.code === 'EACCES') reject(new ListenError(`not allowed to listen on ${where}: choose a port above 1023 with --port`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') reject(new ListenError(`cannot listen on ${host}: not an address of this machine`));
      else reject(new ListenError(`cannot listen on ${where}: ${error.message}`));
    });
    server.listen(port, host, () => resolve());
  });
  server.on('error', (error) => process.stderr.write(`dashboard server: ${oneLine(error.message)}\n`));
  const actual = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}/`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
