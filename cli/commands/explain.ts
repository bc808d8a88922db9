import { Args, Flags } from '@oclif/core';
import { explain, internalAlertId, OUTWARD_ALERT_ID, type EventStore, type ExplainedChange, type ExplainLink, type Explanation } from '../../core/index.js';
import { alertSecret } from '../alertSecret.js';
import { worldIdentity } from '../identity.js';
import { count } from '../flags.js';
import { BaseCommand, InputError, noWorld } from '../base.js';
import { personQuery } from '../phone.js';
import { inZone, tz } from '../time.js';
import { placeless, placeOf, who, type Place } from './trace.js';
import { counted } from '../../web/plural.js';

const STATUS = ['healthy', 'suspicious', 'infected'];
const REASON: Record<string, string> = {
  initial: 'initial status',
  contact: 'exposed by a contact',
  'test-positive': 'positive test',
  'test-negative': 'negative test',
  expired: 'end of the suspicion period',
};

/** An alert id as the event log has it: `n-<tick>-<personId>` (exposure) or `r-<tick>-<personId>` (release). */
const ALERT_ID = /^[nr]-\d+-\d+$/;

/** `stopcovid explain <phone|notification id>`: why an alert was sent, back to the index case. */
export default class ExplainCommand extends BaseCommand {
  static override summary = 'Explain why an alert was sent: each contact back to the index case, with the events that prove it.';
  static override description = `The tracer's view of one alert (the person-facing alert never names the source). From the alert back to the index case, each link shows the contact (the tick it happened and the tick it was decided, the exposed person's cell, the distance, the contact rule of the policy in force), the source's status at that moment and the change that gave it to them, and the global position of every event named: ContactDetected, HealthStatusChanged, NotificationIssued, PolicyAdopted, TestResultRecorded ('stopcovid export' lists them by position). The chain ends at the index case: an initial status or a positive test.

The alert is named by its notification id as the log has it (n-<tick>-<personId> for an exposure, r-<tick>-<personId> for a release), by the opaque id its consumers got (<worldId>:<32 hex digits>, from 'consume --json' or a Kafka message: found by trying each alert of the world with its secret), or by a phone: that person's latest alert. A released alert is explained by its reason (negative test, expiry) and the exposure it ended.

Duration: the read models keep, for each alert, the one contact that triggered it, not every contact of the pair; under a contact rule with a minimum duration, that contact completed the pair's minimum within the window. It reads read models and the single contact events named, never the whole log.`;

  static override examples = ['<%= config.bin %> explain n-4-32', '<%= config.bin %> explain 0672129940', '<%= config.bin %> explain +33672129940 --json'];

  static override args = {
    alert: Args.string({ description: 'A notification id (n-<tick>-<personId>, r-<tick>-<personId>), an opaque alert id as consumers get it (<worldId>:<32 hex digits>) or a phone number (its latest alert).', required: true }),
  };

  static override flags = {
    depth: count({ summary: 'Most links to follow back towards the index case.', min: 1, default: 1000 }),
    region: Flags.string({ summary: 'Country for national phone forms (ISO code).', default: 'FR', env: 'STOPCOVID_REGION' }),
    tz: tz({ summary: 'Show times in this time zone (IANA name, e.g. Europe/Paris); JSON output stays in UTC. [default: the zone an ingested world was bucketed in (ingest --tz), else UTC]' }),
  };

  async run(): Promise<Explanation> {
    const { args, flags } = await this.parse(ExplainCommand);
    const outward = OUTWARD_ALERT_ID.exec(args.alert.trim());
    const byId = outward !== null || ALERT_ID.test(args.alert);
    let query: ReturnType<typeof personQuery> | undefined;
    try {
      query = byId ? undefined : personQuery(args.alert, flags.region);
    } catch (error) {
      // neither an alert id nor a phone: say what is accepted
      if (error instanceof InputError) throw new InputError(`${error.message}, nor an alert id (n-<tick>-<personId>, r-<tick>-<personId> or <worldId>:<32 hex digits>)`);
      throw error;
    }
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags);
    const world = models.world();
    if (world.tick < 0) throw noWorld(flags.store);
    const place = placeOf(world);
    const alert = query ? { personId: this.person(models, query) } : { notificationId: outward ? await this.internalId(store, models, outward[0], outward[1]!) : args.alert };
    let result: Explanation;
    try {
      result = await explain(models.explainSource(store), alert, flags.depth);
    } catch (error) {
      if ((error as { code?: string }).code === 'UNKNOWN_ALERT') throw new InputError((error as Error).message);
      throw error;
    }
    const contactMs = world.ingest?.contactMs;
    if (!this.jsonEnabled()) this.log(render(result, place, flags.tz ?? world.ingest?.timeZone ?? 'UTC', (world.params?.tickMs ?? world.ingest?.tickMs ?? 60_000) / 60_000, contactMs === undefined ? undefined : contactMs / 60_000).join('\n'));
    return placeless(result, place);
  }

  /**
   * The internal id of the alert whose opaque id is `outward`, of world `worldId`.
   * @throws InputError when the store holds another world, or no alert of it has that id.
   */
  private async internalId(store: EventStore, models: { notificationIds(): Iterable<string> }, outward: string, worldId: string): Promise<string> {
    const own = await worldIdentity(store, false);
    if (own !== worldId) throw new InputError(`alert ${outward} is of world ${worldId}; this store holds ${own ? `world ${own}` : 'a world that never sent an alert out'}`);
    // a world made before alert ids were opaque has no secret until its alerts are first sent out
    const secret = await alertSecret(store, false);
    const internal = secret && internalAlertId({ worldId, secret }, outward, models.notificationIds());
    if (internal === undefined) throw new InputError(`no alert ${outward} in this world`);
    return internal;
  }
}

function at(position: number): string {
  return `@${position}`;
}

function change(c: ExplainedChange, zone: string): string {
  return `${STATUS[c.to]} since tick ${c.tick} (${inZone(c.at, zone)}): ${REASON[c.reason] ?? c.reason} [HealthStatusChanged ${at(c.position)}]`;
}

function where(l: ExplainLink, place: Place): string {
  const cell = place === 'cell' ? ` in cell (${l.cell.x},${l.cell.y})` : place === 'metres' ? ` at (${l.cell.x} m, ${l.cell.y} m)` : '';
  const unit = place === 'metres' ? 'm' : 'cells';
  return `${cell}${l.distance !== undefined && place !== 'none' ? `, ${l.distance} ${unit} apart` : ''}`;
}

/**
 * Render an explanation as text lines; `zone` (IANA) shows times, `tickMinutes` turns ticks into
 * minutes; `recordMinutes`: the contact time of one record of a contact list (`WorldIngested.contactMs`),
 * which a contact then counts for instead of a tick.
 */
export function render(e: Explanation, place: Place = 'cell', zone = 'UTC', tickMinutes = 1, recordMinutes?: number): string[] {
  const lines = [`alert ${e.notificationId} (${e.kind === 'released' ? 'released' : 'exposure, get tested'}) to ${who(e.phone, e.sourceId)} (person ${e.personId})${e.notificationPosition !== undefined ? ` [NotificationIssued ${at(e.notificationPosition)}]` : ''}`];
  if (e.release) {
    const t = e.release.test;
    lines.push(`released at tick ${e.release.change.tick}: ${REASON[e.release.change.reason] ?? e.release.change.reason} [HealthStatusChanged ${at(e.release.change.position)}]${t ? `, test ${t.result} sampled at tick ${t.sampledTick} [TestResultRecorded ${at(t.position)}]` : ''}`);
    if (e.chain.length > 0) lines.push('it ended this exposure:');
  }
  e.chain.forEach((l, i) => {
    const when = l.retroactive ? `at tick ${l.contactTick}${where(l, place)} (alerted retroactively at tick ${l.tick}, ${inZone(l.at, zone)}, when the source tested positive)` : `at tick ${l.tick} (${inZone(l.at, zone)})${where(l, place)}`;
    const rule = l.rule
      ? `policy '${l.rule.policy}': ${l.rule.minMinutes > 0 ? `at least ${l.rule.minMinutes} min of contact within ${l.rule.windowMinutes} min` : 'any contact'}${l.rule.radius !== null ? `, within ${place === 'metres' ? `${l.rule.radius} m` : place === 'cell' ? counted(l.rule.radius, 'cell') : l.rule.radius}` : ''} [PolicyAdopted ${at(l.rule.position)}]`
      : 'seed policy, any contact';
    lines.push(`${i + 1}. ${who(l.source.phone, l.source.sourceId)} (person ${l.source.personId}) exposed ${who(l.exposed.phone, l.exposed.sourceId)} (person ${l.exposed.personId})${l.hops !== undefined ? `, hop ${l.hops}` : ''}`);
    const minutes = recordMinutes ?? tickMinutes;
    const length = Number.isInteger(minutes) ? `${minutes} min` : `${Math.round(minutes * 60)} s`;
    lines.push(`   contact ${l.contactId} ${when}, one ${recordMinutes !== undefined ? 'record' : 'tick'} of ${length} [ContactDetected ${l.contactPosition > 0 ? at(l.contactPosition) : 'not found'}]; rule: ${rule}`);
    lines.push(`   ${who(l.exposed.phone, l.exposed.sourceId)} healthy -> suspicious [HealthStatusChanged ${at(l.statusPosition)}]${l.notificationId ? `, alert ${l.notificationId} [NotificationIssued ${at(l.notificationPosition!)}]` : ''}`);
    lines.push(`   source ${who(l.source.phone, l.source.sourceId)} then: ${l.sourceChange ? change(l.sourceChange, zone) : STATUS[l.sourceStatus]}`);
  });
  if (e.indexCase) {
    const c = e.indexCase;
    const t = c.test;
    lines.push(`index case: ${who(c.phone, c.sourceId)} (person ${c.personId}), ${change(c.change, zone)}${t ? `; test ${t.result} (${t.source}) sampled at tick ${t.sampledTick} [TestResultRecorded ${at(t.position)}]` : ''}`);
  }
  if (e.note) lines.push(`(${e.note})`);
  return lines;
}
