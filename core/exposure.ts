/**
 * The exposure rule of the model, shared by the simulation (`stepTick`, `applyPositions`) and
 * ingestion of real data.
 * @module
 */
import type { DomainEvent, EventMetadata } from '../events/index.js';
import type { WorldState } from './world.js';

/** One contact of a tick, as {@link exposeContacts} reads it. */
export interface TickContact {
  contactId: string;
  a: number;
  b: number;
}

/**
 * The model's exposure rule (DESIGN.md), exactly as `stepTick` applies it: over the tick's contacts
 * in order, a contact between a person of status >= 1 and a person of status 0, both taken at the
 * START of the tick (`state.status`, not yet changed), makes the latter 1, once per tick, the first
 * such contact naming the source. Each 0 -> 1 gives a `HealthStatusChanged` (reason `contact`, with
 * the exposed person's cell from `x`/`y`) and a `NotificationIssued` with id `n-<tick>-<personId>`,
 * both caused by the contact. `exposed` is scratch of at least `people` zeroes; the exposed people's
 * entries are left at 1 for the caller to clear.
 */
export function exposeContacts(state: WorldState, contacts: readonly TickContact[], metadata: EventMetadata, x: (personId: number) => number, y: (personId: number) => number, exposed: Uint8Array): DomainEvent[] {
  const out: DomainEvent[] = [];
  const { status, phones } = state;
  for (const { contactId, a, b } of contacts) {
    const sa = status[a]!;
    const sb = status[b]!;
    if (sa >= 1 && sb === 0 && !exposed[b]) expose(b, a, contactId);
    else if (sb >= 1 && sa === 0 && !exposed[a]) expose(a, b, contactId);
  }
  return out;

  function expose(personId: number, sourcePersonId: number, contactId: string): void {
    exposed[personId] = 1;
    const cause = { ...metadata, causationId: contactId };
    out.push(
      { type: 'HealthStatusChanged', data: { personId, from: 0, to: 1, reason: 'contact', sourcePersonId, contactId, x: x(personId), y: y(personId) }, metadata: cause },
      { type: 'NotificationIssued', data: { notificationId: `n-${metadata.tick}-${personId}`, personId, phone: phones[personId]! }, metadata: cause },
    );
  }
}
