import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { dashboardApp, listen, LISTEN_ERROR } from '../../web/server.js';
import { BaseCommand, InputError } from '../base.js';
import { count } from '../flags.js';
import { isRegion, personQuery } from '../phone.js';
import { counted } from '../../web/plural.js';

/** What `serve --json` prints when it stops. */
export interface ServeResult {
  url: string;
  host: string;
  port: number;
  /** The last completed tick when the server stopped. */
  tick: number;
}

/** The built page, beside the compiled web server (dist/web/assets). */
const ASSETS = join(import.meta.dirname, '..', '..', 'web', 'assets');

/** `stopcovid serve`: the live dashboard of one world. */
export default class Serve extends BaseCommand {
  static override summary = 'Serve a live dashboard of the world: map, epidemic curve, contact chains, alerts.';
  static override description = `Opens the world in the store and serves a web page, on 127.0.0.1 by default: a map of every person coloured by status, the epidemic curve (people per status per tick, new exposures and alerts per tick), the contact chain of a person (type a phone in any form 'trace' takes, or click a person on the map) and the last alerts. The page follows the world live while 'stopcovid simulate' or 'stopcovid ingest' writes to the same store from another process. Everything is served by this command; the page needs no network. Ctrl-C stops it.`;

  static override examples = ['<%= config.bin %> serve', '<%= config.bin %> serve --port 9000 --store sqlite:./big.db', '<%= config.bin %> serve --host 0.0.0.0 --port 8080'];

  static override flags = {
    port: count({ summary: 'TCP port to listen on (0: any free port).', default: 8080, min: 0, max: 65535 }),
    host: Flags.string({
      summary: 'Address to listen on (0.0.0.0: every interface; mind that the page shows phone numbers).',
      default: '127.0.0.1',
      // an empty host would listen on every interface, and say so nowhere (`--host "$HOST"` with HOST unset)
      parse: async (input) => {
        if (input.trim() === '') throw new InputError(`expected an address such as 127.0.0.1 (0.0.0.0: every interface); got '${input}'`);
        return input;
      },
    }),
    region: Flags.string({ summary: 'Country for national phone forms typed in the search box (ISO code).', default: 'FR', env: 'STOPCOVID_REGION' }),
  };

  async run(): Promise<ServeResult> {
    const { flags } = await this.parse(Serve);
    const region = flags.region.toUpperCase();
    if (!isRegion(region)) throw new InputError(`unknown region '${flags.region}': use an ISO country code such as FR`);
    const store = await this.store(flags.store, false);
    // building the read models first (a store written before them, another --read-models file) only reads the log and
    // commits batch by batch: Ctrl-C then stops at once, as in every command that reads
    const source = await this.dashboardSource(store, flags);
    const signal = this.interrupted();
    try {
      const app = dashboardApp({ source, parseQuery: (q) => personQuery(q, region), assets: existsSync(join(ASSETS, 'index.html')) ? ASSETS : undefined });
      const server = await listen(app, flags.host, flags.port).catch((error: Error & { code?: string }) => {
        throw error.code === LISTEN_ERROR ? new InputError(error.message) : error;
      });
      process.stderr.write(`dashboard of ${flags.store} (tick ${source.info().tick}, ${counted(source.info().people, 'person', 'people')}) on ${server.url} (Ctrl-C stops)\n`);
      if (!this.jsonEnabled()) this.log(server.url);
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await server.close();
      return { url: server.url, host: flags.host, port: server.port, tick: source.info().tick };
    } finally {
      await source.close();
    }
  }
}
