/**
 * A Kafka URL that points at a host which accepts connections and never answers (a firewall, a
 * service that is not Kafka): one line within --connect-timeout, in process (see test/inProcess.ts).
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
