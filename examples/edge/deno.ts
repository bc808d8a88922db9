/**
 * The edge example on Deno: serves it on 127.0.0.1, port `PORT` (default 8000; `0` picks a free
 * one), and prints `listening on http://127.0.0.1:<port>/`. From a checkout, after `npm run build`:
 * `deno run --sloppy-imports --allow-net=127.0.0.1 --allow-env=PORT examples/edge/deno.ts`
 * (sloppy imports let Deno find `./handler.ts` behind `./handler.js`); or bundle it with esbuild
 * (`--bundle --format=esm --platform=neutral`) and run the bundle.
 * @module
 */
import { createHandler } from './handler.js';

/** The part of Deno's API this file uses (Deno's own types are not installed in this project). */
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(options: { hostname: string; port: number; onListen(address: { hostname: string; port: number }): void }, handler: (request: Request) => Promise<Response>): unknown;
};

Deno.serve(
  { hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000), onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}/`) },
  createHandler(),
);
