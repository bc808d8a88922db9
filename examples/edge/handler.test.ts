import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, genesis } from 'stopcovid/core';
import { edgeScript, play } from '../../test/embedding/edgeScript.js';
import { createHandler, type TickAnswer, type WorldAnswer } from './handler.js';

describe('the edge example: a fetch handler over an in-memory world', () => {
  it('answers the scripted sequence: exposures and notifications per tick, one-line 400s that change nothing', async () => {
    const { state } = genesis(DEFAULT_PARAMS);
    const script = edgeScript();
    const answers = await play(script, createHandler());
    const body = <T>(i: number) => JSON.parse(answers[i]!.body) as T;

    expect(answers[0]).toMatchObject({ status: 200, type: 'application/json' });
    expect(body<WorldAnswer>(0)).toEqual({ tick: 0, people: 100, width: 101, height: 101, counts: { healthy: 77, suspicious: 20, infected: 3 }, stateHash: state.recordedHash });

    const [infected, h1, h2, suspicious, h3] = (JSON.parse(script[1]!.body!) as { reports: { personId: number }[] }).reports.map((r) => r.personId);
    const tick1 = body<TickAnswer>(1);
    expect(tick1).toMatchObject({ tick: 1, at: '2020-03-17T00:01:00.000Z', moves: 5 });
    // the order within a tick is the detector's bucket sweep: compare by person
    expect(tick1.exposures.map((e) => [e.personId, e.sourcePersonId, e.x, e.y]).sort((a, b) => a[0]! - b[0]!)).toEqual(
      [[h1, infected, 50, 50], [h2, infected, 50, 50], [h3, suspicious, 10, 10]].sort((a, b) => a[0]! - b[0]!),
    );
    expect(tick1.notifications.map((n) => n.personId)).toEqual(tick1.exposures.map((e) => e.personId));
    expect(tick1.notifications[0]).toEqual({ notificationId: `n-1-${tick1.exposures[0]!.personId}`, kind: 'exposure', personId: tick1.exposures[0]!.personId, phone: state.phones[tick1.exposures[0]!.personId], tick: 1, at: '2020-03-17T00:01:00.000Z' });
    expect(JSON.stringify(tick1.notifications)).not.toContain(`"sourcePersonId"`);
    expect(tick1.counts).toEqual({ healthy: 74, suspicious: 23, infected: 3 });

    const tick2 = body<TickAnswer>(2); // h1, exposed at tick 1, now exposes h4
    expect(tick2.exposures.map((e) => e.sourcePersonId)).toEqual([h1]);

    expect(answers.slice(3, 11).map((a) => [a.status, a.type, a.body])).toEqual([
      [400, 'text/plain; charset=utf-8', 'bad JSON: the body is not valid JSON\n'],
      [400, 'text/plain; charset=utf-8', 'report 0 fails the PersonMoved schema: x: Too small: expected number to be >=0\n'],
      [400, 'text/plain; charset=utf-8', 'report 0 fails the PersonMoved schema: y: Invalid input: expected number, received string\n'],
      [400, 'text/plain; charset=utf-8', 'report 0: person 100 is not in this world of 100 people (0..99)\n'],
      [400, 'text/plain; charset=utf-8', 'report 0: cell (101, 1) of person 1 is off the 101x101 grid\n'],
      [400, 'text/plain; charset=utf-8', 'report 1: person 1 is reported twice in one tick\n'],
      [400, 'text/plain; charset=utf-8', 'bad request: expected {"reports": [{"personId": <int>, "x": <int>, "y": <int>}, ...]}\n'],
      [400, 'text/plain; charset=utf-8', 'bad request: expected {"reports": [{"personId": <int>, "x": <int>, "y": <int>}, ...]}\n'],
    ]);
    expect(answers.slice(11, 14).map((a) => [a.status, a.body])).toEqual([
      [405, 'method not allowed: use POST\n'],
      [405, 'method not allowed: use GET\n'],
      [404, 'no route /nowhere: use POST /positions or GET /world\n'],
    ]);
    // the bad requests ran no tick: the empty report is tick 3
    expect(body<TickAnswer>(14)).toMatchObject({ tick: 3, moves: 0, exposures: [] });
    expect(body<WorldAnswer>(15)).toMatchObject({ tick: 3, stateHash: body<TickAnswer>(14).stateHash });
  });

  it('takes the world parameters it is given', async () => {
    const [answer] = await play([{ method: 'GET', path: '/world' }], createHandler({ people: 7, width: 5, height: 5 }));
    expect(JSON.parse(answer!.body)).toMatchObject({ tick: 0, people: 7, width: 5, height: 5 });
  });
});
