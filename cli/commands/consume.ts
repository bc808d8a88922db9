import { Flags } from '@oclif/core';
import { alertReader, alertsProjection, personAlert, readWorldClock, runProjection, type AlertKey, type NotificationBus, type PersonAlert, type WorldClock } from '../../core/index.js';
import { BaseCommand, InputError, noWorld } from '../base.js';
import { openStore } from '../../adapters/registry.js';
import { worldAlertKey, worldIdentity } from '../identity.js';
import { busFlags, count } from '../flags.js';
import { counted } from '../../web/plural.js';
import { sqliteLedger } from '../../adapters/ledger/sqlite.js';

/** `stopcovid consume`: read the alerts as a consumer group, as the alerted people get them. */
export default class Consume extends BaseCommand {
  static override summary = 'Read the alerts (exposed: get tested; released) as a consumer group.';
  static override description = `Each alert is printed as its person gets it: the day (the day of the contact, or of the release, in the world's time zone: UTC for simulations, --tz of ingest), the phone and a message; never the source, the person's id, the tick or the minute. Two kinds: 'exposure' (you were exposed, get tested) and 'released' (a negative test, or the end of the suspicion period). --json prints one JSON object per alert (NDJSON): {notificationId, worldId, kind, phone, day, message}; the id is opaque (<world>:<32 hex digits>) and the same every time the alert is read.

With --bus kafka://..., alerts are read from the Kafka topic as a member of a Kafka consumer group: members of one group share the partitions, each group sees every alert, offsets are committed only after an alert was printed, and duplicates (same notification id) are dropped.

With no broker configured, alerts are read straight from the event store, and the group's position is saved in the store after each tick's alerts were printed.

Either way, running again shows only new alerts, and a group with no saved position starts from the first alert.`;

  static override examples = [
    '<%= config.bin %> consume',
    '<%= config.bin %> consume --group sms-gateway --limit 3',
    '<%= config.bin %> consume --group sms-gateway --follow',
    '<%= config.bin %> consume --from-beginning --json',
    '<%= config.bin %> consume --bus kafka://127.0.0.1:9092 --group sms-gateway --follow',
  ];

  static override flags = {
    group: Flags.string({ summary: 'Consumer group name; each group keeps its own position.', default: 'stopcovid-cli' }),
    'from-beginning': Flags.boolean({ summary: "Ignore the group's saved position and read every alert again." }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep waiting for new alerts until Ctrl-C.' }),
    limit: count({ summary: "Print at most this many alerts, then stop; the group's position moves past those alone (reading from the store).", min: 1, helpValue: 'N' }),
    dedupe: Flags.string({ summary: 'Keep a ledger of handled alert ids in this SQLite file and never print an id twice, across runs and crashes (at most once per id).', helpValue: 'FILE' }),
    ...busFlags,
  };

  /** Alerts skipped because the --dedupe ledger had them. */
  private repeats = 0;

  async run(): Promise<undefined> {
    const { flags } = await this.parse(Consume);
    if (!flags.group.trim()) throw new InputError('--group needs a name');
    const ledger = flags.dedupe ? sqliteLedger(flags.dedupe.replace(/^sqlite:(\/\/)?/i, '')) : undefined;
    if (ledger) this.onFinally(() => ledger.close());
    // with --dedupe, an id already in the ledger prints nothing; a new one is recorded before it is printed
    const print = (alert: PersonAlert) => {
      if (ledger && !ledger.claim(alert.notificationId)) return (this.repeats++, '');
      return this.jsonEnabled() ? `${JSON.stringify(alert)}\n` : `${alert.day}  ${alert.phone}  ${alert.message}\n`;
    };
    if (flags.bus && !/^memory:$/i.test(flags.bus.trim()) && flags.limit !== undefined) throw new InputError('--limit reads from the store: with a Kafka bus, a consumer group commits whole fetched batches');
    const bus = await this.bus(flags);
    if (bus) return this.fromBus(bus, flags, print, await this.worldOf(flags.store));
    const store = await this.store(flags.store, false);
    if ((await store.lastPosition()) === 0) throw noWorld(flags.store);
    await this.readModels(store, flags); // refuses an unfinished ingestion
    const checkpoint = `consumer-group:${flags.group}`;
    const start = flags['from-beginning'] ? 0 : ((await store.checkpoints.load(checkpoint)) ?? 0);
    // the same alerts, ids and days as the bridge publishes to Kafka; read (or made) at the first alert, so a store without any is left as it was
    let key: AlertKey | undefined;
    let clock: WorldClock | undefined;
    let count = 0;
    let left = flags.limit ?? Infinity;
    // stops the run at Ctrl-C, or once --limit alerts are printed
    const stop = new AbortController();
    this.interrupted().addEventListener('abort', () => stop.abort(), { once: true });
    // the group's position moves only after the alerts were written out: a write that fails (a
    // closed stdout) keeps its batch's alerts for the next run; with --limit, it moves past the
    // last alert printed, not past the batch
    const printer = alertReader(start, async (all, last, events) => {
      let alerts = all;
      if (alerts.length > left) {
        // one alert per NotificationIssued, in order (alertsProjection)
        last = events.filter((e) => e.type === 'NotificationIssued')[left - 1]!.position;
        alerts = alerts.slice(0, left);
      }
      let out = '';
      if (alerts.length > 0) {
        key ??= await worldAlertKey(store);
        clock ??= await readWorldClock(store);
        if (!clock) throw new Error(`${flags.store} holds alerts but no SimulationStarted or WorldIngested: the days of its alerts cannot be told`);
      }
      // with --dedupe, an alert's id is claimed as its line is made: written DEDUPE_CHUNK lines at a
      // time, a reader that closes the pipe strands at most a chunk and what the pipe held, not the batch
      let lines = 0;
      for (const n of alerts) {
        out += print(personAlert(n, key!, clock!).alert);
        if (ledger && ++lines % DEDUPE_CHUNK === 0 && out) {
          await write(out);
          out = '';
        }
      }
      if (out) await write(out);
      count += alerts.length;
      left -= alerts.length;
      await store.checkpoints.save(checkpoint, last);
      if (left === 0) stop.abort();
    });
    await runProjection(store, alertsProjection, printer, { follow: flags.follow, signal: stop.signal, batchEvents: 10_000 });
    if (!this.jsonEnabled()) process.stderr.write(`${counted(count - this.repeats, 'alert')} for group ${flags.group}${ledger ? ` (${this.repeats} already in the ledger ${flags.dedupe}, skipped)` : ''}\n`);
    return undefined;
  }

  /**
   * The identity of the world in `url`, to read only its alerts from a topic that several worlds
   * may share; `undefined` (with a line on stderr) when there is no world there.
   */
  private async worldOf(url: string): Promise<string | undefined> {
    const store = await openStore(url, { create: false }).catch(() => undefined);
    const id = store && (await store.lastPosition()) > 0 ? await worldIdentity(store) : undefined;
    await store?.close();
    if (id === undefined) process.stderr.write(`no world in ${/^memory:$/i.test(url.trim()) ? 'the memory: store' : url}: reading the alerts of every world on the topic\n`);
    return id;
  }

  private async fromBus(bus: NotificationBus, flags: { group: string; 'from-beginning': boolean; follow: boolean; topic: string }, print: (alert: PersonAlert) => string, worldId: string | undefined): Promise<undefined> {
    let count = 0;
    let others = 0;
    await bus.consume({
      group: flags.group,
      fromBeginning: flags['from-beginning'],
      follow: flags.follow,
      signal: this.interrupted(),
      onStall: (line) => process.stderr.write(`${line}\n`),
      onAssigned: (partitions) => process.stderr.write(`joined group ${flags.group} on topic ${flags.topic}: partitions ${partitions.join(', ') || 'none'}\n`),
      onNotification: async (n) => {
        if (worldId !== undefined && n.worldId !== worldId) {
          others++; // another world's alert on a shared topic: not this group's to print
          return;
        }
        const line = print(n);
        if (line) await write(line);
        count++;
      },
    });
    if (!this.jsonEnabled()) process.stderr.write(`${counted(count - this.repeats, 'alert')} for group ${flags.group} from Kafka topic ${flags.topic}${worldId ? ` (world ${worldId}; ${others} alerts of other worlds skipped)` : ''}${this.repeats ? `; ${this.repeats} already in the --dedupe ledger, skipped` : ''}\n`);
    return undefined;
  }
}

/**
 * Alerts written at a time with `--dedupe`, whose ids are claimed before they are written (at
 * most once): a write that fails (the reader closed the pipe) leaves at most this many claimed
 * and unwritten, beside what the pipe had accepted (64 KiB on Linux).
 */
const DEDUPE_CHUNK = 16;

/**
 * Write `text` to stdout and resolve once it was handed to the output, so that an alert is
 * committed only after it was written.
 * @throws the write's error (EPIPE when the reader closed the pipe): the alert is then not committed.
 *   Alerts that a pipe accepted before its reader closed it (at most its buffer, 64 KiB on Linux)
 *   cannot be told apart from alerts read.
 */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
