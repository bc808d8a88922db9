import { Args, Flags } from '@oclif/core';
import { BaseCommand, InputError, noWorld } from '../base.js';
import { personQuery } from '../phone.js';
import { isSqliteStore } from '../../adapters/readmodels/open.js';
import { submitCommand } from '../tickWriter.js';
import { counted } from '../../web/plural.js';
import { policyTicks } from '../../core/index.js';
import type { DomainEvent } from '../../events/index.js';

const STATUS = ['healthy', 'suspicious', 'infected'];

/** What `stopcovid test --json` returns. */
export interface TestResultOutput {
  phone: string;
  personId: number;
  result: 'positive' | 'negative' | 'revoked';
  /** `applied` in a tick of its own (no simulate was running), or `accepted` into the inbox for the running simulate's next tick. */
  status: 'applied' | 'accepted';
  /** The command's revision in the world's inbox. */
  inboxRevision: number;
  /** The tick that applied it (`applied` only). */
  tick?: number;
  /** The person's status before and after it (equal when it changed nothing), and how many past contacts its retroactive alerts reached (`applied` only). */
  statusBefore?: number;
  statusAfter?: number;
  alerted?: number;
  /** Whether the person was sent a "released" alert by it (`applied` only). */
  releasedAlert?: boolean;
  /** A revocation: the people it returned to 0 (their every route to exposure ran through this case). */
  retracted?: number;
  /** A revocation: the person's positive results that still stand after it; while one does, the person stays infected and nothing else changed (0: the case was undone). */
  positivesStanding?: number;
}

/** `stopcovid test <phone> positive|negative`: a test result enters the world through its inbox. */
export default class TestCommand extends BaseCommand {
  static override summary = 'Report a test result for a person: positive makes them a confirmed case, negative releases them.';
  static override description = `The result enters the world's inbox (a stream any process may append to). While a 'simulate' runs on the store, its next tick applies it; when none runs, this command applies it at once as a tick of its own (nobody moves in it). Either way it is applied exactly once, even if the simulate is killed: a tick records which inbox entries it applied.

positive: the person becomes infected (2) and an index case; under a policy with a retroactive window, everyone healthy who met them within that window before the sample gets an exposure alert. negative: a suspicious person (1) returns to healthy (0) and gets a "released" alert. See README, "Tracing policies".

revoked: a positive result recorded earlier was wrong. A revocation withdraws one positive result: a person tested positive more than once stays infected while another of their positive results stands (nothing else changes; the output says how many stand), and the revocation that withdraws the last one undoes the case. Its effects are undone by compensating events, never by editing the log: the person returns to the status they had before it (1 when another route to exposure stands, else 0), and everyone whose every route to exposure ran through that case (directly or further downstream) returns to 0 with a "released" alert; people also exposed by someone else stay. The log keeps both the original exposures and their retraction.

A result for a phone nobody has, (when the policy requires it) for a person never alerted, or a revocation for a person without a standing positive result, is refused and nothing is written.`;

  static override examples = ['<%= config.bin %> test 0672129940 positive', '<%= config.bin %> test 0672129940 revoked', '<%= config.bin %> test +33672129940 negative --sampled-at 2020-03-17T00:10:00Z', '<%= config.bin %> test +33672129940 positive --json'];

  static override args = {
    phone: Args.string({ description: 'Phone number of the person tested.', required: true }),
    result: Args.string({ description: 'The result; `revoked` withdraws a positive result recorded earlier.', options: ['positive', 'negative', 'revoked'], required: true }),
  };

  static override flags = {
    'sampled-at': Flags.string({ summary: 'When the sample was taken (ISO-8601 simulated time with a zone: Z or an offset); the retroactive window counts back from it. [default: the tick that applies it]' }),
    region: Flags.string({ summary: 'Country for national phone forms (ISO code).', default: 'FR', env: 'STOPCOVID_REGION' }),
  };

  async run(): Promise<TestResultOutput> {
    const { args, flags } = await this.parse(TestCommand);
    const result = args.result as 'positive' | 'negative' | 'revoked';
    const query = personQuery(args.phone, flags.region);
    if (!('phone' in query)) throw new InputError(`a test result names a person by phone, not by input id ('${args.phone}')`);
    let sampledAt: string | undefined;
    if (flags['sampled-at'] !== undefined) {
      const ms = Date.parse(flags['sampled-at']);
      if (!/^\d{4}-\d\d-\d\dT/.test(flags['sampled-at']) || Number.isNaN(ms)) throw new InputError(`--sampled-at '${flags['sampled-at']}' is not an ISO-8601 time such as 2020-03-17T02:00:00Z`);
      // without a zone, Date.parse reads the time in the machine's zone (TZ): the log would depend on where the command ran
      if (!/(Z|[+-]\d\d(:?\d\d)?)$/i.test(flags['sampled-at'])) throw new InputError(`--sampled-at '${flags['sampled-at']}' has no time zone: end it with Z or an offset, such as 2020-03-17T02:00:00Z or 2020-03-17T03:00:00+01:00`);
      sampledAt = new Date(ms).toISOString();
    }
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags, { inline: true });
    const world = models.world();
    if (world.tick < 0) throw noWorld(flags.store);
    const personId = this.person(models, query);
    if (sampledAt !== undefined) {
      // a sample is taken within the world's time: from its start to the tick that applies the result
      const clock = (world.params ?? world.ingest)!;
      const now = Date.parse(clock.start) + (world.tick + 1) * clock.tickMs;
      if (Date.parse(sampledAt) < Date.parse(clock.start) || Date.parse(sampledAt) > now)
        throw new InputError(`--sampled-at ${sampledAt} is outside the world's time: from ${new Date(Date.parse(clock.start)).toISOString()} to ${new Date(now).toISOString()} (tick ${world.tick + 1}, the next one)`);
      // the world keeps a new case's contacts for twice the retroactive window (core/policy/contactLedger.ts, prune): a sample
      // taken longer ago than the window would lose the contacts of its window before the sample, and alert only later ones
      const policy = models.policy();
      const back = policyTicks(policy, clock.tickMs).retroactiveTicks;
      const sampledTick = Math.ceil((Date.parse(sampledAt) - Date.parse(clock.start)) / clock.tickMs);
      if (result === 'positive' && back > 0 && policy.exposingStatuses.includes(2) && sampledTick < world.tick + 1 - back)
        throw new InputError(
          `--sampled-at ${sampledAt} is more than the policy's retroactive window (${policy.retroactiveMinutes} min) before tick ${world.tick + 1}, the tick that applies the result: the contacts of its window are no longer kept, so its retroactive alerts would miss them; give a sample time after ${new Date(Date.parse(clock.start) + (world.tick - back) * clock.tickMs).toISOString()}`,
        );
    }
    if (result === 'revoked') {
      // positive results stand from the one that made the person infected, while nothing changed their status since (core/policy/retraction.ts, standingPositives)
      const last = models.lastChange(personId);
      if (models.history().standingPositives(personId) === 0)
        throw new InputError(`${query.phone} has no standing positive result to revoke${last?.to === 2 ? ` (infected since tick ${last.tick} by reason '${last.reason}'${last.reason === 'test-positive' ? ', every positive result since revoked' : ', not by a positive test'})` : ''}`);
    } else if (models.policy().testing.requireAlert && !models.alerted(personId)) throw new InputError(`${query.phone} was never alerted, and the world's policy '${models.policy().name}' accepts results only from alerted people`);
    const inline = isSqliteStore(store) && !flags['read-models'];
    const done = await submitCommand(store, models, { type: 'TestResultReported', data: { phone: query.phone, result, ...(sampledAt ? { sampledAt } : {}) } }, { inline, verbose: !this.jsonEnabled() });
    if (done.status === 'rejected') throw new InputError(`tick ${done.tick} refused the result: ${done.reason}`);
    const out: TestResultOutput = { phone: query.phone, personId, result, status: done.status, inboxRevision: done.revision };
    if (done.status === 'applied') {
      // the tick may also apply other pending inbox entries (one a simulate accepted and never applied), simulated tests, expiries and their alerts: only this result's own events count
      const own = ownEvents(done.events, done.revision);
      const change = own.find((e) => e.type === 'HealthStatusChanged' && e.data.personId === personId);
      const changed = change?.type === 'HealthStatusChanged' ? change.data : undefined;
      // the exposures this result caused: the retroactive alerts of the case it made, decided at the end of the tick
      const alerted = changed?.reason === 'test-positive' ? done.events.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'contact' && e.data.sourcePersonId === personId).length : 0;
      const retracted = own.filter((e) => e.type === 'HealthStatusChanged' && e.data.reason === 'retracted' && e.metadata.causationId === `revoked-${personId}`).length;
      const statusAfter = changed ? changed.to : models.traceSource().statusOf(personId);
      const statusBefore = changed ? changed.from : statusAfter;
      const releasedAlert = own.some((e) => e.type === 'NotificationIssued' && e.data.kind === 'released' && e.data.personId === personId);
      const standing = result === 'revoked' ? models.history().standingPositives(personId) : 0;
      Object.assign(out, { tick: done.tick, statusBefore, statusAfter, alerted, releasedAlert, ...(result === 'revoked' ? { retracted, positivesStanding: standing } : {}) });
      // a revocation that left another positive result standing changed nothing but the record
      const kept = result === 'revoked' && changed === undefined && standing > 0;
      if (!this.jsonEnabled())
        this.log(
          kept
            ? `tick ${done.tick}: ${query.phone} positive result revoked: still infected, ${counted(standing, 'other positive result stands', 'other positive results stand')} (each revocation withdraws one; the last one undoes the case)`
            : `tick ${done.tick}: ${query.phone} ${result === 'revoked' ? 'positive result revoked' : `tested ${result}`}${changed ? `: ${STATUS[statusBefore]} -> ${STATUS[statusAfter]}` : ' (status unchanged)'}${alerted > 0 ? `; ${counted(alerted, 'past contact')} alerted` : ''}${releasedAlert ? '; released alert sent' : ''}${result === 'revoked' ? `; ${counted(retracted, 'person', 'people')} exposed only through this case released` : ''}`,
        );
    } else if (!this.jsonEnabled()) this.log(`accepted as inbox entry ${done.revision}: the running simulate applies it at its next tick`);
    return out;
  }
}

/**
 * The events that applying inbox entry `revision` wrote in its tick: from its `TestResultRecorded`
 * up to the next command's (or the end of the tick's inbox commands). A tick applies its pending
 * entries in order, each one's events together; a person changes status at most once a tick.
 */
function ownEvents(events: readonly DomainEvent[], revision: number): DomainEvent[] {
  const start = events.findIndex((e) => e.type === 'TestResultRecorded' && e.data.source === 'reported' && e.data.inboxRevision === revision);
  if (start < 0) return [];
  const end = events.findIndex((e, i) => i > start && (e.type === 'TestResultRecorded' || e.type === 'PolicyAdopted'));
  return events.slice(start + 1, end < 0 ? undefined : end);
}
