/**
 * The stopcovid domain: world, model rules, contact detection, projections, trace queries and
 * ports. Pure TypeScript: no Node built-ins, no I/O, no clock, no Math.random.
 * @module
 */
export * from './ports.js';
export * from './eventRun.js';
export * from './params.js';
export * from './random.js';
export * from './world.js';
export * from './contacts.js';
export * from './hash.js';
export * from './evolve.js';
export * from './streams.js';
export * from './policy/presets.js';
export * from './policy/durations.js';
export * from './policy/contactLedger.js';
export * from './policy/tracing.js';
export * from './policy/decide.js';
export * from './simulation.js';
export * from './replay.js';
export * from './projections/contactGraph.js';
export * from './trace.js';
export * from './bridge.js';
export * from './alertId.js';
export * from './alertDay.js';
export * from './personAlert.js';
export * from './geo.js';
export * from './ingest.js';
export * from './verify.js';
export * from './projections/projection.js';
export * from './projections/runner.js';
export * from './projections/memory.js';
export * from './projections/world.js';
export * from './projections/readModels.js';
export * from './projections/history.js';
export * from './projections/epidemic.js';
export * from './timeTravel.js';
export * from './explain.js';
export * from './projections/committedTicks.js';
export * from './queries/whatif.js';
export * from './queries/runWhatIf.js';
export * from './policy/rules.js';
export * from './policy/retraction.js';
