/**
 * A Web-standard `fetch` handler (Request -> Response) around stopcovid's core, for edge runtimes
 * (Cloudflare Workers / workerd, Deno Deploy, any runtime with `Request` and `Response`). It keeps
 * one world in memory and runs one tick per position report: people report their cells, the
 * core's contact detection and exposure rules run (`applyPositions`, the rules of `stepTick`),
 * and the answer lists the tick's exposures and notifications.
 *
 * Routes:
 * - `POST /positions` with `{"reports": [{"personId": 3, "x": 10, "y": 42}, ...]}`: one tick;
 *   each report has the shape of a `PersonMoved` event's data; unreported people stay put.
 *   200 with {@link TickAnswer}. Bad JSON, a report failing the `PersonMoved` schema or not
 *   fitting the world (unknown person, cell off the grid, a person twice): 400 with a one-line
 *   plain-text reason, and the world is unchanged.
 * - `GET /world`: 200 with {@link WorldAnswer}.
 * Other paths are 404, other methods 405. The world is an isolate's memory: a demo, not a store.
 * @module
 */
import { applyPositions, DEFAULT_PARAMS, genesis, isPositionError, scratch, type Notification, type PositionReport, type WorldParamsInput, type WorldState } from 'stopcovid/core';
import { PersonMoved } from 'stopcovid/events';

/** One exposure of a tick: `personId` went 0 -> 1 through a contact with `sourcePersonId` at cell (`x`, `y`). */
export interface ExposureAnswer {
  personId: number;
  sourcePersonId: number;
  contactId: string;
  x: number;
  y: number;
}

/** The answer to `POST /positions`: what the tick did. */
export interface TickAnswer {
  tick: number;
  /** Simulated time of the tick, ISO-8601. */
  at: string;
  moves: number;
  contacts: number;
  exposures: ExposureAnswer[];
  /** One alert per exposure, as a notification bus carries it (it never names the source). */
  notifications: Notification[];
  counts: { healthy: number; suspicious: number; infected: number };
  /** Hex SHA-256 of positions and statuses after the tick. */
  stateHash: string;
}

/** The answer to `GET /world`. */
export interface WorldAnswer {
  tick: number;
  people: number;
  width: number;
  height: number;
  counts: { healthy: number; suspicious: number; infected: number };
  stateHash: string;
}

/** A fetch handler, as `export default { fetch }` and `Deno.serve` take it. */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * A handler over a new world made with `params` (defaults: DEFAULT_PARAMS, i.e. 100 people on
 * 101 x 101 cells, seed 1), created by `genesis` on the first request.
 */
export function createHandler(params: WorldParamsInput = {}): FetchHandler {
  let world: WorldState | undefined;
  const buffers = scratch();
  const state = () => (world ??= genesis({ ...DEFAULT_PARAMS, ...params }).state);

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/world') return request.method === 'GET' ? json(worldAnswer(state())) : notAllowed('GET');
    if (pathname !== '/positions') return text(404, `no route ${pathname}: use POST /positions or GET /world`);
    if (request.method !== 'POST') return notAllowed('POST');

    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return text(400, 'bad JSON: the body is not valid JSON');
    }
    const list = (body as { reports?: unknown } | null)?.reports;
    if (!Array.isArray(list)) return text(400, 'bad request: expected {"reports": [{"personId": <int>, "x": <int>, "y": <int>}, ...]}');
    const reports: PositionReport[] = [];
    for (const [i, report] of list.entries()) {
      const parsed = PersonMoved.safeParse(report);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return text(400, `report ${i} fails the PersonMoved schema: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
      }
      reports.push(parsed.data);
    }
    try {
      return json(tickAnswer(state(), applyPositions(state(), reports, buffers).events));
    } catch (error) {
      if (isPositionError(error)) return text(400, error.message);
      throw error;
    }
  };
}

function tickAnswer(state: WorldState, events: ReturnType<typeof applyPositions>['events']): TickAnswer {
  const answer: TickAnswer = { tick: state.tick, at: '', moves: 0, contacts: 0, exposures: [], notifications: [], counts: counts(state), stateHash: state.recordedHash! };
  for (const event of events) {
    answer.at = event.metadata.at;
    if (event.type === 'PersonMoved') answer.moves++;
    else if (event.type === 'ContactDetected') answer.contacts++;
    else if (event.type === 'HealthStatusChanged' && event.data.reason === 'contact') {
      const { personId, sourcePersonId, contactId, x, y } = event.data;
      answer.exposures.push({ personId, sourcePersonId: sourcePersonId!, contactId: contactId!, x: x!, y: y! });
    } else if (event.type === 'NotificationIssued') {
      const { notificationId, personId, phone, kind = 'exposure' } = event.data;
      answer.notifications.push({ notificationId, kind, personId, phone, tick: event.metadata.tick, at: event.metadata.at });
    }
  }
  return answer;
}

function worldAnswer(state: WorldState): WorldAnswer {
  const { people, width, height } = state.params!;
  return { tick: state.tick, people, width, height, counts: counts(state), stateHash: state.recordedHash! };
}

function counts(state: WorldState): { healthy: number; suspicious: number; infected: number } {
  const [healthy, suspicious, infected] = state.counts;
  return { healthy, suspicious, infected };
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}

function text(status: number, reason: string): Response {
  return new Response(`${reason}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function notAllowed(allow: string): Response {
  return new Response(`method not allowed: use ${allow}\n`, { status: 405, headers: { allow, 'content-type': 'text/plain; charset=utf-8' } });
}
