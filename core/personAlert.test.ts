import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from './params.js';
import { genesis, stepTick } from './simulation.js';
import { toNotification } from './bridge.js';
import { alertDay, dayOf, worldClock, type WorldClock } from './alertDay.js';
import { ALERT_MESSAGES, parsePersonAlert, personAlert } from './personAlert.js';
import type { AlertKey } from './alertId.js';
import type { Notification } from './ports.js';
import type { StoredEvent } from '../events/index.js';

const key: AlertKey = { worldId: 'w00abc12345', secret: new Uint8Array(18).fill(9) };
const simulated: WorldClock = { tickMs: 60_000, buckets: false };

describe('the day an alert names', () => {
  it('a simulated tick: the UTC day of its time; a retroactive exposure: the day of its contact tick', () => {
    // 2020-03-17T00:00Z + 1439 minutes is 23:59 the same day; 1440 is the next midnight
    expect(alertDay(simulated, { tick: 1439, at: '2020-03-17T23:59:00.000Z' })).toBe('2020-03-17');
    expect(alertDay(simulated, { tick: 1440, at: '2020-03-18T00:00:00.000Z' })).toBe('2020-03-18');
    // a positive test at tick 4000 (2020-03-19) alerts a contact of tick 100 (2020-03-17)
    expect(alertDay(simulated, { tick: 4000, at: '2020-03-19T18:40:00.000Z', contactTick: 100 })).toBe('2020-03-17');
  });

  it('an ingested day bucket (midnight, next midnight] in Paris is that Paris day, not the next one', () => {
    const paris: WorldClock = { tickMs: 86_400_000, buckets: true, timeZone: 'Europe/Paris' };
    // tick 1 ends at 2010-12-07T00:00+01:00 (23:00Z): its contacts were on Monday 6 December in Paris
    expect(alertDay(paris, { tick: 1, at: '2010-12-06T23:00:00.000Z' })).toBe('2010-12-06');
    // 20 s buckets in UTC: the bucket ending 00:00:20 is the new day
    expect(alertDay({ tickMs: 20_000, buckets: true }, { tick: 5, at: '2013-12-03T00:00:20.000Z' })).toBe('2013-12-03');
    expect(dayOf(Date.parse('2013-12-02T23:30:00Z'), 'Europe/Paris')).toBe('2013-12-03');
    expect(dayOf(Date.parse('2013-12-02T23:30:00Z'))).toBe('2013-12-02');
  });

  it("a world's clock comes from its first event", () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 10 });
    expect(worldClock(world.events[0]!)).toEqual({ tickMs: 60_000, buckets: false });
    expect(worldClock(world.events[1]!)).toBeUndefined();
  });
});

describe('the person-facing alert', () => {
  const exposure: Notification = { notificationId: 'n-4000-123456', kind: 'exposure', personId: 123456, phone: '+33699887766', tick: 4000, at: '2020-03-19T18:40:00.000Z', contactTick: 100 };

  it('carries id, world, kind, phone, day and message: no person id, tick, minute or time', () => {
    const { key: messageKey, alert } = personAlert(exposure, key, simulated);
    expect(Object.keys(alert).sort()).toEqual(['day', 'kind', 'message', 'notificationId', 'phone', 'worldId']);
    expect(alert).toMatchObject({ worldId: key.worldId, kind: 'exposure', phone: '+33699887766', day: '2020-03-17' });
    expect(alert.message).toBe(ALERT_MESSAGES.exposure('2020-03-17'));
    expect(alert.message).toMatch(/get tested/);
    const wire = JSON.stringify(alert) + messageKey;
    for (const secret of ['123456', '4000', 'n-4000', '18:40', 'T18', '2020-03-19', 'personId', 'tick', '"at"']) expect(wire).not.toContain(secret);
  });

  it('the published payload of a simulated world names no source and no time finer than the day', () => {
    const world = genesis({ ...DEFAULT_PARAMS, people: 400, width: 20, height: 20, seed: 3 });
    const events = stepTick(world.state).events;
    const alerts = events.filter((e) => e.type === 'NotificationIssued');
    expect(alerts.length).toBeGreaterThan(5);
    for (const e of alerts) {
      const n = toNotification({ ...e, stream: 'stopcovid.tick-1', revision: 0, position: 1 } as StoredEvent);
      const source = events.find((c) => c.type === 'HealthStatusChanged' && c.data.personId === n.personId)!.data as { sourcePersonId: number };
      const { key: messageKey, alert } = personAlert(n, key, simulated);
      const wire = JSON.stringify(alert);
      expect(alert.day).toBe('2020-03-17');
      expect(wire).not.toMatch(/T\d\d:\d\d|personId|sourcePersonId|"tick"|"at"/);
      expect(wire).not.toContain(world.state.phones[source.sourcePersonId]!);
      // small person ids may turn up among 32 random hex digits by chance: check the shape, not the digits
      expect(messageKey).toMatch(/^w00abc12345:[0-9a-f]{32}$/);
      expect(alert.notificationId).not.toContain(n.notificationId);
    }
  });

  it('a release says so, on its own day, with an id of its own', () => {
    const released: Notification = { notificationId: 'r-4000-123456', kind: 'released', personId: 123456, phone: '+33699887766', tick: 4000, at: '2020-03-19T18:40:00.000Z' };
    const { alert } = personAlert(released, key, simulated);
    expect(alert).toMatchObject({ kind: 'released', day: '2020-03-19', message: ALERT_MESSAGES.released('2020-03-19') });
    expect(alert.message).toMatch(/lifted/);
    expect(alert.notificationId).not.toBe(personAlert(exposure, key, simulated).alert.notificationId);
    // the same key: both alerts of one person go to one partition, in order
    expect(personAlert(released, key, simulated).key).toBe(personAlert(exposure, key, simulated).key);
  });

  it('parsing a payload: an alert as published; an alert of an earlier release read as an exposure on its UTC day; anything else is no alert', () => {
    const { alert } = personAlert(exposure, key, simulated);
    expect(parsePersonAlert(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
    const old = { notificationId: 'w00abc12345:n-3-1', worldId: 'w00abc12345', personId: 1, phone: '+33699887766', tick: 3, at: '2020-03-17T00:03:00.000Z' };
    expect(parsePersonAlert(old)).toEqual({ notificationId: old.notificationId, worldId: old.worldId, kind: 'exposure', phone: old.phone, day: '2020-03-17', message: ALERT_MESSAGES.exposure('2020-03-17') });
    for (const bad of [null, 3, 'x', {}, { notificationId: 'a', phone: '+33699887766', kind: 'other', day: '2020-03-17', message: 'm' }, { ...alert, day: 'monday' }]) expect(parsePersonAlert(bad)).toBeUndefined();
  });
});
