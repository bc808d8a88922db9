/**
 * The map: every person as a block of pixels coloured by status, drawn straight into one
 * ImageData (no DOM node per person), healthy first, then suspicious, then infected on top.
 * @module
 */
import { STATUS_COLOURS } from '../chain/palette.js';

/** People as `GET /api/people` sends them. */
export interface People {
  tick: number;
  xs: Int32Array;
  ys: Int32Array;
  status: Uint8Array;
}

/** Decode the binary of `GET /api/people` (header `[tick, n, 0, 0]` as Int32, then xs, ys, status). */
export function decodePeople(buffer: ArrayBuffer): People {
  const [tick, n] = new Int32Array(buffer, 0, 4);
  return { tick: tick!, xs: new Int32Array(buffer, 16, n), ys: new Int32Array(buffer, 16 + 4 * n!, n), status: new Uint8Array(buffer, 16 + 8 * n!, n) };
}

/** Background of the map, `#rrggbb`: a colour that is no status's. */
export const MAP_BACKGROUND = '#f4f4f4';

function abgr(hex: string): number {
  const v = parseInt(hex.slice(1), 16);
  return (0xff << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff);
}

/** The part of the plane a map shows: from (`x0`, `y0`), `width` x `height` units; `northUp` flips y (GPS metres grow north). */
export interface Extent {
  x0: number;
  y0: number;
  width: number;
  height: number;
  northUp: boolean;
}

/** Draws people on a canvas showing `extent` (cells, or metres at one scale on both axes). */
export class MapView {
  /** Pixels per unit of position. */
  readonly scale: number;
  /** Side of the square drawn for one person, pixels. */
  readonly block: number;
  private people: People | undefined;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    readonly extent: Extent,
    maxSide: number,
  ) {
    const { width, height } = extent;
    this.scale = maxSide / Math.max(width, height);
    canvas.width = Math.max(1, Math.round(width * this.scale));
    canvas.height = Math.max(1, Math.round(height * this.scale));
    // rounded, not floored: at 1.8 px per cell a 2 px dot reads better than 1 px, and blocks of
    // neighbouring cells still do not overlap by more than a rounding
    this.block = Math.max(1, Math.round(this.scale));
    canvas.dataset.block = String(this.block);
    const ctx = canvas.getContext('2d')!;
    this.image = ctx.createImageData(canvas.width, canvas.height);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Draw `people`; returns the milliseconds it took. */
  draw(people: People): number {
    const started = performance.now();
    this.people = people;
    const { xs, ys, status } = people;
    const w = this.canvas.width;
    const h = this.canvas.height;
    const px = this.pixels;
    px.fill(abgr(MAP_BACKGROUND));
    const scale = this.scale;
    const block = this.block;
    const { x0: ox, y0: oy, height, northUp } = this.extent;
    for (let s = 0; s < 3; s++) {
      const colour = abgr(STATUS_COLOURS[s]!);
      for (let i = 0; i < xs.length; i++) {
        if (status[i] !== s) continue;
        const x0 = Math.max(0, Math.min(w - block, Math.floor((xs[i]! - ox) * scale)));
        const y0 = Math.max(0, Math.min(h - block, Math.floor((northUp ? height - 1 - (ys[i]! - oy) : ys[i]! - oy) * scale)));
        if (block === 1) px[y0 * w + x0] = colour;
        else for (let y = y0; y < y0 + block; y++) px.fill(colour, y * w + x0, y * w + x0 + block);
      }
    }
    this.canvas.getContext('2d')!.putImageData(this.image, 0, 0);
    this.canvas.dataset.tick = String(people.tick);
    return performance.now() - started;
  }

  /** The person drawn nearest to the canvas point (`cx`, `cy`) within 6 pixels, highest status first on a tie. */
  personAt(cx: number, cy: number): number | undefined {
    const p = this.people;
    if (!p) return undefined;
    const { x0, y0, height, northUp } = this.extent;
    const x = cx / this.scale + x0;
    const y = northUp ? y0 + height - cy / this.scale : cy / this.scale + y0;
    const reach = Math.max(0.75, 6 / this.scale);
    let best: number | undefined;
    let bestD = reach * reach;
    for (let i = 0; i < p.xs.length; i++) {
      const dx = p.xs[i]! + 0.5 - x;
      const dy = p.ys[i]! + 0.5 - y;
      const d = dx * dx + dy * dy;
      if (d < bestD || (d === bestD && best !== undefined && p.status[i]! > p.status[best]!)) {
        best = i;
        bestD = d;
      }
    }
    return best;
  }
}
