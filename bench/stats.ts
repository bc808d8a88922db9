/**
 * Timing helpers for benchmarks: warm-up, then the median of repetitions (milliseconds).
 * @module
 */

/** Median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The `p`-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Run `fn` once to warm up, then `reps` times; return the median wall time in milliseconds.
 * `setup` runs before each repetition, outside the clock.
 */
export async function timeMedian<S>(reps: number, fn: (s: S) => unknown, setup: () => S | Promise<S> = () => undefined as S): Promise<number> {
  await fn(await setup());
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = await setup();
    const t0 = performance.now();
    await fn(s);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** One row of the results table. */
export interface Row {
  section: string;
  case: string;
  /** Our figure, in `unit`. */
  ours: number;
  unit: string;
  baseline?: string;
  /** The baseline's figure, same unit. */
  base?: number;
  /** ours / baseline as the target states it (a speed ratio: > 1 is better for rates, < 1 for times). */
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

/** Format a number for the table: 3 significant digits, thousands separated. */
export function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(3)).toString();
}
