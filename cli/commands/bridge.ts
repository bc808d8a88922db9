import { Flags } from '@oclif/core';
import { BaseCommand, InputError } from '../base.js';
import { busFlags, count } from '../flags.js';
import { counted } from '../../web/plural.js';
import { startBridge, takeLease } from '../bridgeRunner.js';
import { worldIdentity } from '../identity.js';
import { StatusLine } from '../progress.js';

/** What `bridge --json` returns. */
export interface BridgeCommandResult {
  published: number;
  /** The bridge's checkpoint (global position in the store) when it stopped. */
  position: number;
  notificationsPerSecond: number;
}

/** `stopcovid bridge`: publish the store's alerts to Kafka, from the bridge's checkpoint. */
export default class Bridge extends BaseCommand {
  static override summary = "Publish the store's alerts (exposed: get tested; released) to Kafka (the notification bridge).";
  static override description = `Reads the store from the bridge's checkpoint and publishes each alert to the Kafka topic as its person gets it: {notificationId, worldId, kind, phone, day, message}, with an opaque id and the day of the contact, never the source, the person's id, the tick or the minute (key: the world and an opaque key of the person, so one person's alerts stay in order). Each batch of alerts and the bridge's checkpoint commit in one Kafka transaction: a bridge killed at any moment and restarted leaves every alert exactly once on the topic for consumers that read committed messages (consume does). Alert ids carry the world's identity, so worlds sharing a topic never collide. One bridge at a time publishes a world's alerts: a second one (or simulate --bus beside a bridge) is refused while the first holds its lease (renewed every few seconds; a killed bridge's lease ends within 15 s).

It follows the store live until Ctrl-C; --until-caught-up stops once everything written so far is published. While Kafka is down it retries with backoff; the alerts stay in the store meanwhile. 'simulate --bus' runs the same bridge inside the simulation.`;

  static override examples = ['<%= config.bin %> bridge --bus kafka://127.0.0.1:9092', '<%= config.bin %> bridge --bus kafka://127.0.0.1:9092 --until-caught-up --json'];

  static override flags = {
    ...busFlags,
    'until-caught-up': Flags.boolean({ summary: 'Stop once every alert written so far is published.' }),
    'batch-size': count({ summary: 'Most alerts per Kafka request.', default: 2000, min: 1 }),
  };

  async run(): Promise<BridgeCommandResult> {
    const { flags } = await this.parse(Bridge);
    const bus = await this.bus(flags);
    if (!bus) throw new InputError('bridge needs a bus: --bus kafka://host:port (or STOPCOVID_BUS)');
    const store = await this.store(flags.store, false);
    const models = await this.readModels(store, flags);
    const status = new StatusLine(!this.jsonEnabled());
    const started = performance.now();
    const worldId = await worldIdentity(store);
    // the lease first: a bridge refused for another one running says only that
    const lease = await takeLease(store, flags.topic);
    let result;
    try {
      result = await startBridge(store, bus, {
        topic: flags.topic,
        follow: !flags['until-caught-up'],
        signal: AbortSignal.any([this.interrupted(), lease.lost]),
        worldId,
        batchSize: flags['batch-size'],
        // the checkpoint Kafka keeps, where the bridge resumes: the store's copy trails it after a crash between the two saves
        onStart: (from) => {
          if (!this.jsonEnabled()) this.log(`bridge from ${flags.store} (checkpoint ${from}) to ${flags.bus} topic ${flags.topic}`);
        },
        warn: (line) => process.stderr.write(`${line}\n`),
        onPublished: (batch) => models.markPublished(batch.map((n) => n.notificationId), new Date().toISOString()),
        onProgress: (published, position) => status.update(`published ${published} alerts, checkpoint ${position}, ${Math.round(published / ((performance.now() - started) / 1000))} alerts/s`),
      });
    } finally {
      status.done();
      await lease.release();
    }
    if (lease.lost.aborted) throw new Error(`this bridge lost its lease on ${flags.topic} to another one and stopped`);
    const seconds = (performance.now() - started) / 1000;
    const out: BridgeCommandResult = { ...result, notificationsPerSecond: seconds > 0 ? Math.round(result.published / seconds) : 0 };
    if (!this.jsonEnabled()) this.log(`published ${counted(out.published, 'alert')} (${out.notificationsPerSecond}/s); checkpoint ${out.position}`);
    return out;
  }
}
