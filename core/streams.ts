/**
 * Stream names. A world's log is one stream per tick, `stopcovid.tick-<t>`; every stream of ours
 * starts with `stopcovid.` so a store can filter them from other applications' streams.
 * @module
 */

/** Prefix shared by all of stopcovid's streams. */
export const STREAM_PREFIX = 'stopcovid.';

/** The stream that holds every event of `tick` (tick 0: the world's creation). */
export function tickStream(tick: number): string {
  return `${STREAM_PREFIX}tick-${tick}`;
}

/**
 * The inbox: commands from outside (`stopcovid test`, `policy set`), appended by any process with
 * expected revision `any`; the tick writer applies them in revision order and records how far it
 * read with `CommandsApplied` (DESIGN.md, "Architecture").
 */
export const INBOX_STREAM = `${STREAM_PREFIX}inbox`;
