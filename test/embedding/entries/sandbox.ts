/**
 * Exercises core/ and events/ end to end without any store or runtime API: a world, seeded and
 * reported ticks, decoding every event, replay through `loadWorld`, the contact graph and a
 * trace. test/neutral.test.ts runs its bundle in a bare ECMAScript realm (no `process`, timers,
 * `console`, Web APIs) where the clock and `Math.random` throw.
 * @module
 */
import { applyPositions, ContactGraph, DEFAULT_PARAMS, genesis, loadWorld, stepTick, tickStream, trace, type EventStore } from 'stopcovid/core';
import { decode, type RawEvent } from 'stopcovid/events';

/** Run it; the summary is plain data. */
export async function run(): Promise<{ tick: number; events: number; stateHash: string; replayedHash: string; exposed: number; traced: number }> {
  const world = genesis({ ...DEFAULT_PARAMS, people: 500, width: 30, height: 30, radius: 1 });
  const ticks = [world.events];
  for (let t = 1; t <= 5; t++) ticks.push(stepTick(world.state).events);
  ticks.push(applyPositions(world.state, [{ personId: 0, x: 1, y: 1 }, { personId: 1, x: 1, y: 2 }]).events);
  const log: RawEvent[] = [];
  ticks.forEach((events, tick) => events.forEach((e, revision) => log.push({ ...e, stream: tickStream(tick), revision, position: log.length + 1 })));
  const graph = new ContactGraph();
  for (const raw of log) graph.evolve(decode(JSON.parse(JSON.stringify(raw)) as RawEvent));
  const store = { async *readAll() { yield* log; } } as unknown as EventStore;
  const replayed = await loadWorld(store);
  const exposed = log.filter((e) => e.type === 'NotificationIssued').length;
  const someone = log.find((e) => e.type === 'NotificationIssued')!.data as { personId: number };
  const chain = trace(graph, someone.personId, 'both', 10);
  return { tick: world.state.tick, events: log.length, stateHash: world.state.recordedHash!, replayedHash: replayed.state.recordedHash!, exposed, traced: chain.upstream!.length };
}
