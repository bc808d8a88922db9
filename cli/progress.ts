/**
 * Progress output on stderr: a live line rewritten in place on a terminal, a line per second
 * otherwise; a cli-progress bar for work of known size.
 * @module
 */
import { SingleBar, Presets } from 'cli-progress';

/** A status line that rewrites itself on a TTY and prints at most once per `everyMs` elsewhere. */
export class StatusLine {
  private last = 0;
  private shown = false;
  constructor(
    private readonly enabled: boolean,
    private readonly everyMs = 1000,
  ) {}

  /** Show `text` (throttled unless `force`). */
  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (process.stderr.isTTY) {
      if (!force && now - this.last < 100) return;
      // one terminal row: a wrapped line could not be rewritten in place
      const width = process.stderr.columns || 80;
      process.stderr.write(`\r\x1b[2K${text.length >= width ? `${text.slice(0, width - 2)}…` : text}`);
      this.shown = true;
    } else {
      if (!force && now - this.last < this.everyMs) return;
      process.stderr.write(`${text}\n`);
    }
    this.last = now;
  }

  /** End the line (on a TTY, move to the next one). */
  done(): void {
    if (this.shown && process.stderr.isTTY) process.stderr.write('\n');
    this.shown = false;
  }
}

/**
 * A progress bar over `total` units on stderr, shown only on a terminal. It leaves the cursor
 * visible: Ctrl-C ends a command that is reading (replay, trace) at once, with exit code 130,
 * while no JavaScript can run to show a hidden cursor again.
 */
export function progressBar(label: string, total: number, enabled: boolean): { update(value: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY || total <= 0) return { update() {}, stop() {} };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left`, hideCursor: false, stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return {
    update: (value) => bar.update(Math.min(value, total)),
    stop: () => {
      bar.update(total);
      bar.stop();
    },
  };
}
