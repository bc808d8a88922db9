/**
 * The hops from the index case that people had at the start of the tick in progress, for the
 * exposures of that tick: a live exposure was decided on its source at the tick's start (DESIGN.md),
 * even when a positive test or a release of the same tick comes first in the log, and on a case
 * revoked in the tick as the revocation left it (policy/decide.ts). Kept only for people changed
 * other than by an exposure or an initial status: those expose nobody in that tick (a world of
 * 1,000,000 people has a hundred thousand exposures in a tick). Shared by `evolve` (tracing.ts) and
 * the epidemic read model, so that both count hops as the decision did.
 * @module
 */
import type { EventData } from '../../events/index.js';

/** A status change, as far as the hops rule reads it. */
type Change = Pick<EventData<'HealthStatusChanged'>, 'personId' | 'reason' | 'sourcePersonId' | 'contactTick'>;

/** The start-of-tick hops of the people changed in the tick so far; {@link clear} at each tick. */
export class StartHops {
  private readonly hops = new Map<number, number>();

  /** Before `change` is applied: remember `before`, its person's hops then, where a later exposure of the tick may count from them. */
  keep(change: Change, before: number): void {
    if (change.reason !== 'contact' && change.reason !== 'initial' && !this.hops.has(change.personId)) this.hops.set(change.personId, before);
  }

  /** After `change` is applied: a revoked case exposes in the tick at `after`, the hops the revocation left. */
  applied(change: Change, after: number): void {
    if (change.reason === 'test-revoked') this.hops.set(change.personId, after);
  }

  /**
   * The hops the exposure `change` counts from: for a live one, its source's at the start of the
   * tick when the source changed in it, else `current` (the source's now; a retroactive alert comes
   * from the case its positive result just made).
   */
  sourceOf(change: Change, current: number): number {
    return (change.contactTick === undefined ? this.hops.get(change.sourcePersonId!) : undefined) ?? current;
  }

  /** Forget them: the tick is over. */
  clear(): void {
    this.hops.clear();
  }
}
