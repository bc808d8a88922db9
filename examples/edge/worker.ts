/**
 * The edge example as a module worker for Cloudflare Workers / workerd: bundle it with esbuild
 * (`--bundle --format=esm --platform=neutral`) or let wrangler do it.
 * @module
 */
import { createHandler } from './handler.js';

const handle = createHandler();

/** The module worker: `fetch` answers every request with the example's handler. */
export default { fetch: (request: Request): Promise<Response> => handle(request) };
