import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from './progress.js';

afterEach(() => vi.restoreAllMocks());

describe('progressBar', () => {
  it('on a terminal, draws without hiding the cursor (Ctrl-C may end the process while no code can show it again)', () => {
    const tty = process.stderr.isTTY;
    let written = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((written += String(chunk)), true));
    process.stderr.isTTY = true;
    try {
      const bar = progressBar('replay', 100, true);
      bar.update(50);
      bar.stop();
    } finally {
      process.stderr.isTTY = tty;
    }
    expect(written).toContain('replay [');
    expect(written).not.toContain('\x1b[?25l'); // DECTCEM: hide cursor
  });
});
