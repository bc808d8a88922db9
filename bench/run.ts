/**
 * `npm run bench`: every figure paired with a baseline measured in the same run, on the same data,
 * after a warm-up, as the median of repetitions. Prints a table, writes a JSON file per run
 * (bench/results/), with node version, CPU model and core count. Targets are reported as met or
 * short, never as failures.
 *
 *   npm run bench -- --people 1e3,1e4,1e5,1e6 --reps 5 --only detection,kernel
 * @module
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDetection } from './detection.js';
import { benchKernel } from './kernel.js';
import { benchStore } from './store.js';
import { benchStorage } from './storage.js';
import { benchKafka } from './kafka.js';
import { benchTrace } from './trace.js';
import { benchMemory } from './memory.js';
import { benchWhatIf } from './whatif.js';
import { benchReadModels } from './readModels.js';
import { benchDashboard } from './dashboard.js';
import { fmt, type Row } from './stats.js';

const SECTIONS = ['detection', 'kernel', 'simulate', 'storage', 'readmodels', 'whatif', 'kafka', 'trace', 'memory', 'dashboard'] as const;

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '1e3,1e4,1e5,1e6' },
    reps: { type: 'string', default: '5' },
    'kernel-people': { type: 'string', default: '1e5' },
    'sim-people': { type: 'string', default: '1e5' },
    'sim-ticks': { type: 'string', default: '5' },
    'rm-ticks': { type: 'string', default: '10' },
    'whatif-people': { type: 'string', default: '1e4' },
    'whatif-ticks': { type: 'string', default: '168' },
    'storage-people': { type: 'string', default: '1e5' },
    'storage-ticks': { type: 'string', default: '20' },
    'big-people': { type: 'string', default: '1e6' },
    'big-ticks': { type: 'string', default: '100' },
    'huge-people': { type: 'string', default: '1e7' },
    'trace-events': { type: 'string', default: '1e7' },
    'trace-people': { type: 'string', default: '1e6' },
    'memory-people': { type: 'string', default: '1e6' },
    'dashboard-people': { type: 'string', default: '1e5,1e6' },
    alerts: { type: 'string', default: '20000' },
    'batch-size': { type: 'string', default: '2000' },
    kafka: { type: 'string', default: process.env.STOPCOVID_KAFKA_URL ?? 'kafka://127.0.0.1:9092' },
    only: { type: 'string', default: SECTIONS.join(',') },
    out: { type: 'string' },
  },
});

function num(name: keyof typeof values): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`Error: --${name} expects a positive number, got '${values[name]}'\n`);
    process.exit(2);
  }
  return Math.round(v);
}

/** A count that may be 0 (a part skipped). */
function count(name: keyof typeof values): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < 0) {
    process.stderr.write(`Error: --${name} expects a number >= 0, got '${values[name]}'\n`);
    process.exit(2);
  }
  return Math.round(v);
}

const sizes = String(values.people)
  .split(',')
  .map((s) => Number(s));
if (sizes.some((n) => !Number.isFinite(n) || n < 2)) {
  process.stderr.write(`Error: --people expects a comma-separated list of sizes like 1e3,1e4, got '${values.people}'\n`);
  process.exit(2);
}
const only = new Set(String(values.only).split(','));
for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) (process.stderr.write(`Error: unknown section '${s}': use ${SECTIONS.join(', ')}\n`), process.exit(2));
const reps = num('reps');
const log = (s: string) => process.stderr.write(`${s}\n`);

function reachable(url: string): Promise<boolean> {
  const address = url.replace(/^kafka:\/\//, '').split(',')[0]!;
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)), timeout: 1000 }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const started = performance.now();
const rows: Row[] = [];
const skipped: string[] = [];
if (only.has('detection')) rows.push(...(await benchDetection(sizes.map(Math.round), reps, log)));
if (only.has('kernel')) rows.push(...(await benchKernel(num('kernel-people'), 5, reps, log)));
if (only.has('simulate')) rows.push(...(await benchStore(num('sim-people'), num('sim-ticks'), reps, log)));
if (only.has('storage')) rows.push(...(await benchStorage(num('storage-people'), num('storage-ticks'), count('big-people'), count('big-ticks'), count('huge-people'), reps, log)));
if (only.has('readmodels')) rows.push(...(await benchReadModels(num('sim-people'), num('rm-ticks'), Math.min(reps, 3), log)));
if (only.has('whatif')) rows.push(...(await benchWhatIf(num('whatif-people'), num('whatif-ticks'), Math.min(reps, 3), log)));
if (only.has('kafka')) {
  if (await reachable(String(values.kafka))) rows.push(...(await benchKafka(String(values.kafka), num('alerts'), num('batch-size'), reps, log)));
  else skipped.push(`kafka: no broker at ${values.kafka} (npm run kafka:start)`);
}
if (only.has('trace')) rows.push(...(await benchTrace(num('trace-events'), num('trace-people'), 1000, log)));
if (only.has('memory')) rows.push(...benchMemory(num('memory-people'), log));
if (only.has('dashboard')) {
  const people = String(values['dashboard-people']).split(',').map((s) => Math.round(Number(s)));
  if (people.some((n) => !Number.isFinite(n) || n < 2)) (process.stderr.write(`Error: --dashboard-people expects sizes like 1e5,1e6, got '${values['dashboard-people']}'\n`), process.exit(2));
  const dashboard = await benchDashboard(people, Math.min(reps, 3), log);
  if (dashboard.length === 0) skipped.push('dashboard: no /usr/bin/chromium (apt-get install -y chromium)');
  rows.push(...dashboard);
}

const header = ['section', 'case', 'ours', 'unit', 'baseline', 'baseline value', 'ratio', 'target', 'status', 'note'];
const table = [header, ...rows.map((r) => [r.section, r.case, fmt(r.ours), r.unit, r.baseline ?? '', fmt(r.base), r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.target ?? '', r.met === undefined ? '' : r.met ? 'met' : 'short', r.note ?? ''])];
const md = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...table.slice(1).map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${process.platform}-${process.arch}` };
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`\n${md}\n\n${machine.node}, ${machine.cpu}, ${machine.cores} cores; ${reps} repetitions after a warm-up, medians; ${seconds.toFixed(0)} s${skipped.length ? `\nskipped: ${skipped.join('; ')}` : ''}\n`);
const dir = join(import.meta.dirname, '..', '..', 'bench', 'results');
const file = values.out ?? join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dir, { recursive: true });
writeFileSync(file, JSON.stringify({ machine, reps, seconds, skipped, options: values, rows }, null, 2));
log(`results written to ${file}`);
