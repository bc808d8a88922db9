/**
 * A Kafka URL that points at a host which accepts connections and never answers (a firewall, a
 * service that is not Kafka): one line within --connect-timeout; at a server that speaks Kafka's
 * protocol but is not a broker (a KRaft controller): one line that says so. In process (see
 * test/inProcess.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './inProcess.js';

let server: Server;
let port = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = createServer((socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('a broker that never answers', () => {
  it('bridge and consume say "cannot reach Kafka" within --connect-timeout, not after kafkajs gave up its request (5 s)', async () => {
    for (const command of ['bridge', 'consume']) {
      const started = performance.now();
      const r = await run(command, '--store', 'memory:', '--bus', `kafka://127.0.0.1:${port}`, '--connect-timeout', '1000');
      const seconds = (performance.now() - started) / 1000;
      expect(r.code, command).toBe(1);
      expect(r.stderr).toBe(`Error: cannot reach Kafka at 127.0.0.1:${port} within 1000 ms\n`);
      // about 1 s; 5 s and more before (the request timeout of the connection left open)
      expect(seconds, command).toBeLessThan(3);
    }
  }, 30_000);
});

/**
 * A server that answers Kafka's ApiVersions request (v1 and v2 share the response's layout) with
 * ApiVersions alone, as a KRaft controller answers a client without Metadata: the port it listens on.
 */
async function apiVersionsOnly(): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const correlationId = buffered.readInt32BE(8); // size, api key (int16), api version (int16), correlation id
        buffered = buffered.subarray(4 + buffered.readInt32BE(0));
        // correlation id, error 0, [ApiVersions (18) versions 0..2], throttle time 0
        const body = Buffer.alloc(4 + 2 + 4 + 6 + 4);
        body.writeInt32BE(correlationId, 0);
        body.writeInt16BE(0, 4);
        body.writeInt32BE(1, 6);
        body.writeInt16BE(18, 10);
        body.writeInt16BE(0, 12);
        body.writeInt16BE(2, 14);
        body.writeInt32BE(0, 16);
        const size = Buffer.alloc(4);
        size.writeInt32BE(body.length);
        socket.write(Buffer.concat([size, body]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a server that speaks Kafka but is not a broker (a KRaft controller)', () => {
  it('is one line saying so, exit 2 (the URL must change), at once', async () => {
    const fake = await apiVersionsOnly();
    try {
      for (const command of ['bridge', 'consume']) {
        const started = performance.now();
        const r = await run(command, '--store', 'memory:', '--bus', `kafka://127.0.0.1:${fake.port}`, '--connect-timeout', '5000');
        // it said 'cannot reach Kafka at ...: The Kafka server does not support the requested API version'
        expect(r.stderr, command).toBe(`Error: 127.0.0.1:${fake.port} answers but is not a Kafka broker (it does not serve the Metadata request: a KRaft controller's port?)\n`);
        expect(r.code, command).toBe(2);
        expect(performance.now() - started, command).toBeLessThan(3000);
      }
    } finally {
      await fake.close();
    }
  }, 30_000);
});
