/**
 * The scripted sequence of requests that the edge example must answer identically on every
 * runtime: ticks with exposures (a chain over two ticks), a tick with no report, and every kind
 * of bad request in between (which must not change the world).
 * @module
 */
import { DEFAULT_PARAMS, genesis } from 'stopcovid/core';

/** One request of the script. */
export interface ScriptedRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
}

/** What a runtime answered: status, content type and the body's text. */
export interface Answer {
  status: number;
  type: string | null;
  body: string;
}

/** The script for the example's default world (DEFAULT_PARAMS: 100 people, seed 1). */
export function edgeScript(): ScriptedRequest[] {
  const { state } = genesis(DEFAULT_PARAMS);
  const ids = (status: number) => [...state.status.keys()].filter((i) => state.status[i] === status);
  const [infected] = ids(2);
  const [suspicious] = ids(1);
  const [h1, h2, h3, h4] = ids(0);
  const post = (reports: unknown) => ({ method: 'POST' as const, path: '/positions', body: JSON.stringify({ reports }) });
  return [
    { method: 'GET', path: '/world' },
    post([{ personId: infected, x: 50, y: 50 }, { personId: h1, x: 50, y: 50 }, { personId: h2, x: 50, y: 50 }, { personId: suspicious, x: 10, y: 10 }, { personId: h3, x: 10, y: 10 }]),
    post([{ personId: h1, x: 20, y: 20 }, { personId: h4, x: 20, y: 20 }]),
    { method: 'POST', path: '/positions', body: '{"reports": [{"personId": 1,' },
    post([{ personId: 1, x: -1, y: 0 }]),
    post([{ personId: 1, x: 1, y: '2' }]),
    post([{ personId: 100, x: 1, y: 1 }]),
    post([{ personId: 1, x: 101, y: 1 }]),
    post([{ personId: 1, x: 1, y: 1 }, { personId: 1, x: 2, y: 2 }]),
    { method: 'POST', path: '/positions', body: '{"positions": []}' },
    { method: 'POST', path: '/positions', body: 'null' },
    { method: 'GET', path: '/positions' },
    { method: 'PUT', path: '/world' },
    { method: 'GET', path: '/nowhere' },
    post([]),
    { method: 'GET', path: '/world' },
  ];
}

/** Send `script` in order through `send` and collect the answers. */
export async function play(script: ScriptedRequest[], send: (request: Request) => Promise<Response>, base = 'http://edge.example/'): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const r of script) {
    const response = await send(new Request(new URL(r.path, base), { method: r.method, body: r.body, headers: r.body ? { 'content-type': 'application/json' } : {} }));
    answers.push({ status: response.status, type: response.headers.get('content-type'), body: await response.text() });
  }
  return answers;
}
