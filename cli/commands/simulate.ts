import { Flags } from '@oclif/core';
import { conflictingParams, DEFAULT_PARAMS, genesisColumnar, isAppendAbortedError, isSeedPolicy, policyMismatch, scratch, stepTickColumnar, eventCount, isEventRun, type WorldParams, type WorldParamsInput, type WorldState } from '../../core/index.js';
import { loadPolicy } from '../../adapters/policy/file.js';
import { BaseCommand, InputError } from '../base.js';
import { catchUpReadModels, isSqliteStore } from '../../adapters/readmodels/open.js';
import { AppendSignal } from '../../adapters/store/catchUp.js';
import { busFlags, count, grid } from '../flags.js';
import { startBridge, takeLease } from '../bridgeRunner.js';
import { writerLease } from '../lease.js';
import { appendTick, currentWorld, pendingCommands } from '../tickWriter.js';
import { worldIdentity } from '../identity.js';
import { counted } from '../../web/plural.js';
import { StatusLine } from '../progress.js';
import { nodeSha256Hex } from '../../adapters/hash/nodeSha256.js';

/** What `simulate --json` returns. */
export interface SimulateResult {
  params: WorldParams;
  /** Ticks run by this invocation, and the world's last completed tick. */
  ticksRun: number;
  lastTick: number;
  /** True when this run created the world (tick 0). */
  created: boolean;
  people: { healthy: number; suspicious: number; infected: number };
  events: number;
  contacts: number;
  exposures: number;
  eventsPerSecond: number;
  /** Test results recorded by this run's ticks (reported and simulated), positives among them, and released alerts. */
  tests: number;
  positives: number;
  releases: number;
  /** Inbox commands this run read, and those it refused (each said on stderr with its reason). */
  commands: number;
  rejected: number;
  /** The policy in force at the end (its name). */
  policy: string;
  stateHash: string;
  /** Why the run stopped: `ticks` reached, or a `signal`. */
  stoppedBy: 'ticks' | 'signal';
  /** With --bus: alerts published to the bus by this run's bridge. */
  published?: number;
}

/** `stopcovid simulate`: run the world, one transaction per tick, until --ticks or Ctrl-C. */
export default class Simulate extends BaseCommand {
  static override summary = 'Run the contact-tracing simulation on the event store.';
  static override description = `People move on a grid; after each tick's moves, people within --radius cells are in contact, and a contact between a suspicious or infected person and a healthy one makes the healthy one suspicious and notifies them. Every move, contact, status change and notification is an event; each tick is written in one transaction.

Running it again on the same store continues the same world from the next tick. World parameters (--people, --grid, --step, --radius, --seed) are fixed when the world is created; asking for different ones on an existing world is an error.

Ctrl-C (SIGINT) or SIGTERM prints 'stopping after the last whole tick' and exits 0 within a second or two: a small tick being written is finished, a large one (over 20,000 events) is written in steps and rolled back if Ctrl-C comes during them; a second Ctrl-C stops at once (exit 130). Either way the store is consistent: each tick is one transaction, whole or absent.`;

  static override examples = [
    '<%= config.bin %> simulate',
    '<%= config.bin %> simulate --store sqlite:./big.db --ticks 20 --people 100000 --grid 1000x1000',
    '<%= config.bin %> simulate --store sqlite:./paris.db --radius 1 --seed 7 --ticks 100 --json',
  ];

  static override flags = {
    people: count({ summary: 'Number of people. [default: 100]', min: 1, max: 50_000_000 }),
    grid: grid(),
    step: count({ summary: 'Largest move per tick on each axis, in cells. [default: 5]', min: 0 }),
    radius: count({ summary: 'Contact distance in cells (Euclidean); 0 means the same cell. [default: 0]', min: 0 }),
    seed: count({ summary: 'Seed of the random generator. [default: 1]', min: 0, max: 2 ** 32 - 1 }),
    'tick-minutes': count({ summary: 'Simulated minutes per tick (the policy counts its durations in minutes). [default: 1]', min: 1, max: 10_080 }),
    policy: Flags.string({
      summary: 'Tracing policy of a new world: a preset (seed, tousanticovid) or a JSON/YAML file. [default: seed]',
      description: "Fixed when the world is created; change it later with 'stopcovid policy set'. See README, 'Tracing policies'.",
    }),
    ticks: count({ summary: 'Ticks to run, then stop. [default: run until interrupted]', min: 1 }),
    'tick-ms': count({ summary: 'Pause between ticks, milliseconds. [default: 0 with --ticks, else 200]', min: 0 }),
    ...busFlags,
    'drain-timeout': count({ summary: 'With --bus: at the end, wait this long for the bridge to publish every alert, milliseconds.', default: 60_000, min: 0, helpGroup: 'BUS' }),
  };

  async run(): Promise<SimulateResult> {
    const { flags } = await this.parse(Simulate);
    const requested: WorldParamsInput = {
      people: flags.people,
      width: flags.grid?.width,
      height: flags.grid?.height,
      step: flags.step,
      radius: flags.radius,
      seed: flags.seed,
      tickMs: flags['tick-minutes'] === undefined ? undefined : flags['tick-minutes'] * 60_000,
    };
    const policy = flags.policy === undefined ? undefined : loadPolicy(flags.policy);
    for (const key of Object.keys(requested) as (keyof WorldParamsInput)[]) if (requested[key] === undefined) delete requested[key];
    const tickMs = flags['tick-ms'] ?? (flags.ticks ? 0 : 200);
    const verbose = !this.jsonEnabled();
    const bus = await this.bus(flags); // first: an unreachable bus must not leave an empty store behind
    const store = await this.store(flags.store, true);

    // the read models: inline with the SQLite store (same transaction as each tick), else caught up after each tick
    const models = await this.readModels(store, flags, { inline: true });
    const inline = isSqliteStore(store) && !flags['read-models'];
    // one tick writer a world: a 'test' writing its tick holds the lease for a moment, a simulate for its whole run
    const writer = await takeWriterLease(store);
    this.onFinally(() => writer.release());
    let state: WorldState = await currentWorld(store, models, verbose);
    if (state.ingest) throw new InputError(`${flags.store} holds a world ingested from ${state.ingest.inputs.map((i) => i.file).join(', ')} (${state.ingest.source}), not a simulation: simulate cannot continue it; use another --store`);
    let created = false;
    let events = 0;
    if (!state.params) {
      const params: WorldParams = { ...DEFAULT_PARAMS, ...requested };
      const mismatch = policy && policyMismatch(policy.policy, params.radius);
      if (mismatch) throw new InputError(`${flags.policy}: ${mismatch}`);
      const world = genesisColumnar(params, policy, nodeSha256Hex);
      await appendTick(store, 0, world.events);
      if (!inline) await catchUpReadModels(store, models);
      state = world.state;
      created = true;
      events += eventCount(world.events);
    } else {
      const conflicts = conflictingParams(state.params, requested);
      if (conflicts.length > 0) throw new InputError(`this store holds a world with other parameters: ${conflicts.join(', ')}; use another --store or omit them`);
      if (policy && JSON.stringify(policy.policy) !== JSON.stringify(state.tracing.policy) && !(isSeedPolicy(policy.policy) && isSeedPolicy(state.tracing.policy)))
        throw new InputError(
          `this world follows ${state.tracing.policy.name === policy.policy.name ? `another version of the policy '${policy.policy.name}'` : `the policy '${state.tracing.policy.name}', not '${policy.policy.name}'`}: change it with 'stopcovid policy set ${flags.policy}', or omit --policy`,
        );
    }
    const params = state.params!;

    // Ctrl-C / SIGTERM, or a bridge that gave up, stop the loop after the current tick
    const stop = new AbortController();
    const interrupted = this.interrupted('stopping after the last whole tick (a tick still being written is rolled back)');
    interrupted.addEventListener('abort', () => stop.abort(), { once: true });
    const status = new StatusLine(verbose);
    const buffers = scratch(nodeSha256Hex);
    // the notification bridge runs beside the simulation, following the store live
    const bridgeStop = new AbortController();
    let bridged = { published: 0, position: 0 };
    let bridgeError: unknown;
    const progressed = new AppendSignal(); // released each time the bridge moves its checkpoint
    // one bridge at a time publishes a world's alerts: when another holds the lease, it delivers them
    const worldId = await worldIdentity(store);
    const lease = bus
      ? await takeLease(store, flags.topic).catch((error: Error) => {
          process.stderr.write(`${error.message.replace(/: stop it first.*$/, '')}; it delivers this world's alerts, this simulate publishes none\n`);
          return undefined;
        })
      : undefined;
    const bridge = bus && lease
      ? startBridge(store, bus, {
          worldId,
          topic: flags.topic,
          follow: true,
          signal: AbortSignal.any([bridgeStop.signal, lease.lost]),
          warn: (line) => process.stderr.write(`\n${line}\n`),
          onProgress: (published, position) => {
            bridged = { published, position };
            progressed.notify();
          },
          onPublished: (batch) => models.markPublished(batch.map((n) => n.notificationId), new Date().toISOString()),
        }).catch((error: unknown) => {
          bridgeError = error;
          stop.abort();
          progressed.notify();
          return bridged;
        })
      : undefined;
    let ticksRun = 0;
    let contacts = 0;
    let exposures = 0;
    const tested = { tests: 0, positives: 0, releases: 0, commands: 0, rejected: 0 };
    const started = performance.now();
    if (verbose)
      this.log(
        `${created ? 'created' : 'continuing'} a world of ${counted(params.people, 'person', 'people')} on ${params.width}x${params.height} cells (step ${params.step}, radius ${params.radius}, seed ${params.seed}) at tick ${state.tick} in ${flags.store}`,
      );
    // the last tick in the store: a tick given up on Ctrl-C while being written is not
    let written = { tick: state.tick, counts: [...state.counts], hash: state.recordedHash };
    let rolledBack: number | undefined;
    try {
      while (!stop.signal.aborted && (flags.ticks === undefined || ticksRun < flags.ticks)) {
        const commands = await pendingCommands(store, state);
        const { events: tickEvents, summary } = stepTickColumnar(state, buffers, commands);
        // let Ctrl-C in between computing and writing: a second one then stops before this write
        await new Promise((resolve) => setImmediate(resolve));
        // a large tick is written in steps; Ctrl-C during them rolls it back, so that the first Ctrl-C stops within a second or two
        try {
          await appendTick(store, summary.tick, tickEvents, stop.signal);
        } catch (error) {
          if (!isAppendAbortedError(error)) throw error;
          rolledBack = summary.tick;
          break;
        }
        written = { tick: summary.tick, counts: [...summary.counts], hash: summary.stateHash };
        if (!inline) await catchUpReadModels(store, models);
        ticksRun++;
        events += eventCount(tickEvents);
        contacts += summary.contacts;
        exposures += summary.exposures;
        tested.tests += summary.tests;
        tested.positives += summary.positives;
        tested.releases += summary.releases;
        tested.commands += commands.length;
        // a command the tick refused (a phone unknown by then, nothing to revoke): its sender only learns it here
        for (const e of tickEvents)
          if (!isEventRun(e) && e.type === 'CommandsApplied')
            for (const r of e.data.rejected) {
              tested.rejected++;
              process.stderr.write(`${verbose ? '\n' : ''}tick ${summary.tick} refused inbox entry ${r.revision}: ${r.reason}\n`);
            }
        const seconds = (performance.now() - started) / 1000;
        const [h, s, i] = summary.counts;
        const testing = tested.tests + tested.releases + tested.commands > 0 ? `  tests ${tested.tests} (${tested.positives} positive)  released ${tested.releases}` : '';
        status.update(
          `tick ${summary.tick}  healthy ${h}  suspicious ${s}  infected ${i}  contacts ${summary.contacts}  new exposures ${summary.exposures}${testing}  ${Math.round(events / seconds)} events/s`,
          tickMs >= 100 || commands.length > 0,
        );
        // pause, or at least yield to the event loop so that Ctrl-C is seen between ticks
        if (tickMs > 0) await sleep(tickMs, stop.signal);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      if (bridge && !bridgeError && !lease?.lost.aborted) {
        // stopped by Ctrl-C: the bridge drains as long as it makes progress, but a second without a
        // checkpoint (Kafka down) ends the wait instead of the whole drain timeout; Ctrl-C during the drain ends it too
        const idleMs = interrupted.aborted ? STOP_IDLE_MS : Infinity;
        const drained = await this.drain(store, () => bridged.position, () => bridgeError !== undefined, flags['drain-timeout'], progressed, interrupted, idleMs);
        if (!drained && !interrupted.aborted) throw new Error(`Kafka did not acknowledge every alert within ${flags['drain-timeout']} ms; they are safe in the store: run 'stopcovid bridge' to deliver them`);
        if (!drained) process.stderr.write(`${verbose ? '\n' : ''}stopped before Kafka acknowledged every alert; they are safe in the store: the next 'simulate --bus' or 'stopcovid bridge' delivers them\n`);
      }
    } finally {
      status.done();
      bridgeStop.abort();
      await bridge;
      await lease?.release();
    }
    if (bridgeError) throw bridgeError;
    const seconds = (performance.now() - started) / 1000;
    const [healthy, suspicious, infected] = written.counts as [number, number, number];
    const result: SimulateResult = {
      params,
      ticksRun,
      lastTick: written.tick,
      created,
      people: { healthy, suspicious, infected },
      events,
      contacts,
      exposures,
      eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : 0,
      ...tested,
      policy: state.tracing.policy.name,
      stateHash: written.hash!,
      stoppedBy: stop.signal.aborted ? 'signal' : 'ticks',
      ...(bus ? { published: bridged.published } : {}),
    };
    if (verbose) {
      this.log(`stopped at tick ${written.tick} (${result.stoppedBy === 'signal' ? `interrupted${rolledBack !== undefined ? `; tick ${rolledBack}, being written, was rolled back` : ''}` : counted(ticksRun, 'tick')}): healthy ${healthy}, suspicious ${suspicious}, infected ${infected}`);
      this.log(`${counted(events, 'event')} written, ${counted(contacts, 'contact')}, ${counted(exposures, 'new exposure')}, ${result.eventsPerSecond} events/s; state hash ${result.stateHash}`);
      if (tested.tests + tested.releases + tested.commands > 0)
        this.log(`policy ${result.policy}: ${counted(tested.tests, 'test')} (${tested.positives} positive), ${tested.releases} released, ${counted(tested.commands - tested.rejected, 'inbox command')} applied${tested.rejected ? `, ${tested.rejected} refused` : ''}`);
      if (bridge) this.log(`${counted(bridged.published, 'alert')} published to Kafka topic ${flags.topic}`);
    }
    return result;
  }

  /**
   * Wait until the bridge's checkpoint reaches the end of the log, at most `timeoutMs`
   * milliseconds, and at most `idleMs` without the checkpoint moving, or until `signal` aborts
   * (when it had not yet). False when it did not get there: the alerts are safe in the store,
   * `stopcovid bridge` delivers them.
   */
  private async drain(store: { lastPosition(): Promise<number> }, position: () => number, failed: () => boolean, timeoutMs: number, progressed: AppendSignal, signal: AbortSignal, idleMs: number): Promise<boolean> {
    const end = await store.lastPosition();
    const deadline = performance.now() + timeoutMs;
    const aborted = signal.aborted;
    let moved = performance.now();
    let at = position();
    while (position() < end && !failed()) {
      const now = performance.now();
      if (position() !== at) [at, moved] = [position(), now];
      const left = Math.min(deadline - now, moved + idleMs - now);
      if (left <= 0 || (!aborted && signal.aborted)) return false;
      await progressed.wait(left, signal); // woken by the bridge's next checkpoint, not by polling
    }
    return true;
  }
}

/** How long a simulate stopped by Ctrl-C waits for the bridge's checkpoint to move before it leaves the last ticks' alerts to the next run, milliseconds. */
const STOP_IDLE_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The writer's lease, waiting up to 5 s for a `test` or `policy set` that writes its one tick. */
async function takeWriterLease(store: Parameters<typeof writerLease>[0]): ReturnType<typeof writerLease> {
  for (let waited = 0; ; waited += 100) {
    try {
      return await writerLease(store);
    } catch (error) {
      if (waited >= 5000) throw Object.assign(new Error(`${(error as Error).message}: only one simulate may run on a store`), { code: 'INPUT' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
