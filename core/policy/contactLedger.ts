/**
 * The contact ledger of a policy with a minimum contact time or retroactive alerts: each pair's
 * recent contact ticks (to add up contact time within the window) and the risky contacts of the
 * retroactive window (to alert a new case's past contacts). `evolve` fills it from
 * `ContactDetected` events, so replay and a live run hold the same ledger.
 * @module
 */
import type { PolicyTicks } from './durations.js';

/** A risky contact kept for retroactive alerts. */
export interface RiskyContact {
  tick: number;
  a: number;
  b: number;
  contactId: string;
}

/** Recent contacts of a world under one policy (see the module). */
export class ContactLedger {
  /** pair key `a * people + b` -> the ticks of its last `minContacts - 1` contacts, oldest first (a tick once per contact). */
  private readonly pairs = new Map<number, number[]>();
  /** Risky contacts by tick, oldest first, for `2 * retroactiveTicks` ticks. */
  private readonly history: { tick: number; contacts: RiskyContact[] }[] = [];
  private lastPrune = 0;

  /**
   * @param people the world's size (pair keys are `a * people + b`)
   * @param ticks the policy's durations in ticks
   * @param radius the policy's contact radius (world units), `null`: every detected contact
   */
  constructor(
    private readonly people: number,
    private readonly ticks: PolicyTicks,
    private readonly radius: number | null,
  ) {}

  /** True when a policy needs a ledger (a minimum contact time, or retroactive alerts). */
  static needed(ticks: PolicyTicks): boolean {
    return ticks.minContacts > 1 || ticks.retroactiveTicks > 0;
  }

  /**
   * True when a contact of `a` and `b` at `tick`, `distance` apart, is risky under the policy:
   * within its radius, and with this contact the pair's contact time within the window reaches
   * the minimum. Contacts recorded before come from the ledger; `earlier` counts the pair's
   * contacts of this tick before this one that are not recorded yet (a contact list's bucket
   * holds many records of a pair).
   */
  risky(tick: number, a: number, b: number, distance: number, earlier = 0): boolean {
    if (this.radius !== null && distance > this.radius) return false;
    const need = this.ticks.minContacts - 1 - earlier;
    if (need <= 0) return true;
    const seen = this.pairs.get(a * this.people + b);
    if (!seen || seen.length < need) return false;
    return seen[seen.length - need]! > tick - this.ticks.windowTicks;
  }

  /** Record a contact of `tick` (after the tick's decisions, from `evolve`). */
  record(tick: number, a: number, b: number, contactId: string, distance: number): void {
    if (this.radius !== null && distance > this.radius) return;
    const risky = this.risky(tick, a, b, distance);
    const need = this.ticks.minContacts - 1;
    if (need > 0) {
      const key = a * this.people + b;
      let seen = this.pairs.get(key);
      if (!seen) this.pairs.set(key, (seen = []));
      seen.push(tick);
      if (seen.length > need) seen.shift();
    }
    if (risky && this.ticks.retroactiveTicks > 0) {
      let last = this.history[this.history.length - 1];
      if (!last || last.tick !== tick) this.history.push((last = { tick, contacts: [] }));
      last.contacts.push({ tick, a, b, contactId });
    }
  }

  /**
   * The risky contacts of `person` from tick `from` on, newest first.
   */
  contactsOf(person: number, from: number): RiskyContact[] {
    const out: RiskyContact[] = [];
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.tick >= from; i--)
      for (const c of this.history[i]!.contacts) if (c.a === person || c.b === person) out.push(c);
    return out;
  }

  /** Forget what no decision after `tick` can need (from `evolve` on `TickCompleted`). */
  prune(tick: number): void {
    const keep = tick - 2 * this.ticks.retroactiveTicks;
    while (this.history.length > 0 && this.history[0]!.tick < keep) this.history.shift();
    if (tick - this.lastPrune < this.ticks.windowTicks) return;
    this.lastPrune = tick;
    for (const [key, seen] of this.pairs) if (seen[seen.length - 1]! <= tick - this.ticks.windowTicks) this.pairs.delete(key);
  }
}
