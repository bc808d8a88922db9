import { Flags } from '@oclif/core';
import { alertReader, alertsProjection, runProjection, type NotificationBus } from '../../core/index.js';
import { BaseCommand, InputError } from '../base.js';
import { openStore } from '../../adapters/registry.js';
import { worldIdentity } from '../identity.js';
import { busFlags } from '../flags.js';
import { inZone, tz } from '../time.js';
import { sqliteLedger } from '../../adapters/ledger/sqlite.js';

/** The text of every alert. It never names the source person. */
export const ALERT_MESSAGE = 'You have been in contact with a person at risk of COVID-19. Please get tested and stay home until you have the result.';

/** One alert as `consume --json` prints it (one JSON object per line). */
export interface Alert {
  notificationId: string;
  /** The world of the alert (alerts read from Kafka). */
  worldId?: string;
  at: string;
  tick: number;
  phone: string;
  message: string;
}

/** `stopcovid consume`: read exposure alerts as a consumer group. */
export default class Consume extends BaseCommand {
  static override summary = 'Read the exposure alerts as a consumer group.';
  static override description = `With --bus kafka://..., alerts are read from the Kafka topic as a member of a Kafka consumer group: members of one group share the partitions, each group sees every alert, offsets are committed only after an alert was printed, and duplicates (same notification id) are dropped.

With no broker configured, alerts are read straight from the event store, and the group's position is saved in the store after each tick's alerts were printed.

Either way, running again shows only new alerts, and a group with no saved position starts from the first alert. --json prints one JSON object per alert (NDJSON).`;

  static override examples = [
    '<%= config.bin %> consume',
    '<%= config.bin %> consume --group sms-gateway --follow',
    '<%= config.bin %> consume --from-beginning --json',
    '<%= config.bin %> consume --bus kafka://127.0.0.1:9092 --group sms-gateway --follow',
  ];

  static override flags = {
    group: Flags.string({ summary: 'Consumer group name; each group keeps its own position.', default: 'stopcovid-cli' }),
    'from-beginning': Flags.boolean({ summary: "Ignore the group's saved position and read every alert again." }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep waiting for new alerts until Ctrl-C.' }),
    tz: tz({ summary: 'Show times in this time zone (IANA name, e.g. Europe/Paris); --json stays in UTC.' }),
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
    const print = (alert: Alert) => {
      if (ledger && !ledger.claim(alert.notificationId)) return (this.repeats++, '');
      return this.jsonEnabled() ? `${JSON.stringify(alert)}\n` : `${inZone(alert.at, flags.tz)}  ${alert.phone}  ${alert.message}\n`;
    };
    const bus = await this.bus(flags);
    if (bus) return this.fromBus(bus, flags, print, await this.worldOf(flags.store));
    const store = await this.store(flags.store, false);
    await this.readModels(store, flags); // refuses an unfinished ingestion
    const checkpoint = `consumer-group:${flags.group}`;
    const start = flags['from-beginning'] ? 0 : ((await store.checkpoints.load(checkpoint)) ?? 0);
    let count = 0;
    // the group's position moves only after the alerts were written out: a closed stdout keeps them for the next run
    const printer = alertReader(start, async (alerts, last) => {
      let out = '';
      for (const n of alerts) out += print({ notificationId: n.notificationId, at: n.at, tick: n.tick, phone: n.phone, message: ALERT_MESSAGE });
      if (out) await write(out);
      count += alerts.length;
      await store.checkpoints.save(checkpoint, last);
    });
    await runProjection(store, alertsProjection, printer, { follow: flags.follow, signal: this.interrupted(), batchEvents: 10_000 });
    if (!this.jsonEnabled()) process.stderr.write(`${count - this.repeats} alerts for group ${flags.group}${ledger ? ` (${this.repeats} already in the ledger ${flags.dedupe}, skipped)` : ''}\n`);
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
    if (id === undefined) process.stderr.write(`no world in ${url}: reading the alerts of every world on the topic\n`);
    return id;
  }

  private async fromBus(bus: NotificationBus, flags: { group: string; 'from-beginning': boolean; follow: boolean; topic: string }, print: (alert: Alert) => string, worldId: string | undefined): Promise<undefined> {
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
        const line = print({ notificationId: n.notificationId, ...(n.worldId ? { worldId: n.worldId } : {}), at: n.at, tick: n.tick, phone: n.phone, message: ALERT_MESSAGE });
        if (line) await write(line);
        count++;
      },
    });
    if (!this.jsonEnabled()) process.stderr.write(`${count - this.repeats} alerts for group ${flags.group} from Kafka topic ${flags.topic}${worldId ? ` (world ${worldId}; ${others} alerts of other worlds skipped)` : ''}${this.repeats ? `; ${this.repeats} already in the --dedupe ledger, skipped` : ''}\n`);
    return undefined;
  }
}

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
