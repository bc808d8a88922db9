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

/**
 * Draws people on a canvas showing `extent` (cells, or metres at one scale on both axes), whole
 * at zoom 1; {@link zoomAt} and {@link panBy} show a part of it, larger.
 */
export class MapView {
  private readonly baseScale: number;
  private zoom = 1;
  /** The view's top-left corner, in units from the extent's top-left. */
  private left = 0;
  private top = 0;
  private people: People | undefined;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    readonly extent: Extent,
    maxSide: number,
  ) {
    const { width, height } = extent;
    this.baseScale = maxSide / Math.max(width, height);
    canvas.width = Math.max(1, Math.round(width * this.baseScale));
    canvas.height = Math.max(1, Math.round(height * this.baseScale));
    const ctx = canvas.getContext('2d')!;
    this.image = ctx.createImageData(canvas.width, canvas.height);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Pixels per unit of position at the current zoom. */
  get scale(): number {
    return this.baseScale * this.zoom;
  }

  /**
   * Side of the square drawn for one person, pixels: the scale rounded (at 1.8 px per cell a 2 px
   * dot reads better than 1 px; neighbouring cells' dots overlap by a rounding at most).
   */
  get block(): number {
    return Math.max(1, Math.round(this.scale));
  }

  /** Draw `people` (or the last people again); returns the milliseconds it took. */
  draw(people: People | undefined = this.people): number {
    const started = performance.now();
    if (!people) return 0;
    this.people = people;
    const { xs, ys, status } = people;
    const w = this.canvas.width;
    const h = this.canvas.height;
    const px = this.pixels;
    px.fill(abgr(MAP_BACKGROUND));
    const scale = this.scale;
    const block = this.block;
    const { x0: ox, y0: oy, height, northUp } = this.extent;
    // unit (x, y) -> pixel: ((x - ox - left) * scale, (row(y) - top) * scale)
    const ax = -(ox + this.left) * scale;
    const ay = northUp ? (oy + height - 1 - this.top) * scale : -(oy + this.top) * scale;
    const sy = northUp ? -scale : scale;
    for (let s = 0; s < 3; s++) {
      const colour = abgr(STATUS_COLOURS[s]!);
      for (let i = 0; i < xs.length; i++) {
        if (status[i] !== s) continue;
        const fx = Math.floor(xs[i]! * scale + ax);
        const fy = Math.floor(ys[i]! * sy + ay);
        if (fx < -block || fy < -block || fx >= w || fy >= h) continue;
        const x0 = Math.max(0, Math.min(w - block, fx));
        const y0 = Math.max(0, Math.min(h - block, fy));
        if (block === 1) px[y0 * w + x0] = colour;
        else for (let y = y0; y < y0 + block; y++) px.fill(colour, y * w + x0, y * w + x0 + block);
      }
    }
    this.canvas.getContext('2d')!.putImageData(this.image, 0, 0);
    this.canvas.dataset.tick = String(people.tick);
    this.canvas.dataset.block = String(block);
    this.canvas.dataset.zoom = String(this.zoom);
    return performance.now() - started;
  }

  /** Zoom by `factor` keeping the canvas point (`cx`, `cy`) in place; zoom 1 shows everything, at most 64 px per unit. */
  zoomAt(cx: number, cy: number, factor: number): void {
    const u = this.left + cx / this.scale;
    const v = this.top + cy / this.scale;
    this.zoom = Math.min(Math.max(1, 64 / this.baseScale), Math.max(1, this.zoom * factor));
    this.left = u - cx / this.scale;
    this.top = v - cy / this.scale;
    this.clamp();
    this.draw();
  }

  /** Move the view by (`dx`, `dy`) canvas pixels. */
  panBy(dx: number, dy: number): void {
    this.left -= dx / this.scale;
    this.top -= dy / this.scale;
    this.clamp();
    this.draw();
  }

  /** Back to the whole extent. */
  reset(): void {
    this.zoom = 1;
    this.left = this.top = 0;
    this.draw();
  }

  private clamp(): void {
    const { width, height } = this.extent;
    this.left = Math.min(Math.max(0, this.left), width - width / this.zoom);
    this.top = Math.min(Math.max(0, this.top), height - height / this.zoom);
  }

  /** The person drawn nearest to the canvas point (`cx`, `cy`) within 6 pixels, highest status first on a tie. */
  personAt(cx: number, cy: number): number | undefined {
    const p = this.people;
    if (!p) return undefined;
    const { x0, y0, height, northUp } = this.extent;
    const x = x0 + this.left + cx / this.scale;
    const row = this.top + cy / this.scale;
    const y = northUp ? y0 + height - row : y0 + row;
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
