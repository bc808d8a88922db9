/** workerd entry of the three-runtime test: `GET /?people=N&ticks=T` answers a {@link SeededLog} as JSON. */
import { seededLog } from '../seededLog.js';

export default {
  async fetch(request: Request): Promise<Response> {
    const query = new URL(request.url).searchParams;
    return new Response(JSON.stringify(await seededLog(Number(query.get('people')), Number(query.get('ticks')))), { headers: { 'content-type': 'application/json' } });
  },
};
