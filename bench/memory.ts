/**
 * Benchmark 7: peak resident memory of a world of `people` people (a child process runs tick 0
 * and three ticks) and bytes per person (peak minus the process's resident memory before the
 * world, divided by the people).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Row } from './stats.js';

/** Run benchmark 7. */
export function benchMemory(people: number, log: (s: string) => void): Row[] {
  log(`memory: a world of ${people} people in a child process`);
  const out = JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, 'memoryChild.js'), String(people)], { encoding: 'utf8' })) as { peak: number; baseline: number; settled: number };
  const GiB = 1024 ** 3;
  return [
    { section: 'memory', case: `peak resident memory, ${people.toLocaleString('en-US')} people, tick 0 + 3 ticks`, ours: out.peak / 1024 ** 2, unit: 'MiB', target: '< 1 GiB at 1e6', met: out.peak < GiB, note: `process before the world: ${(out.baseline / 1024 ** 2).toFixed(0)} MiB` },
    { section: 'memory', case: 'bytes per person at the peak', ours: (out.peak - out.baseline) / people, unit: 'B/person', note: `after the ticks: ${((out.settled - out.baseline) / people).toFixed(0)} B/person (typed arrays: 9 B + the phone string)` },
  ];
}
