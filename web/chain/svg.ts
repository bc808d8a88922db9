/**
 * A contact chain as one SVG document (a string): time axis in ticks left to right, one row per
 * person, each a dot coloured by status with their phone beside it, each exposure an elbow down
 * from the source and across to the exposed person at the exposure's tick. Pure string building: used
 * by the page, `trace --format svg` and `report`.
 * @module
 */
import type { Chain } from '../source.js';
import { layoutChain } from './layout.js';
import { STATUS_COLOURS, STATUS_NAMES } from './palette.js';
import { linkTicks } from './linkTicks.js';

/** Options of {@link chainSvg}. */
export interface SvgOptions {
  /** Widest drawing, pixels (default 1100); ticks are spread up to 24 px apart within it. */
  maxWidth?: number;
  /** Title at the top (default none). */
  title?: string;
}

const ROW = 18;
const LEFT = 16;
const TOP = 40;
const LABEL = 230;

/** Escape text for SVG/XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Render `chain` as a standalone SVG document. Every person appears with their phone (and input
 * id); every link carries `data-source`, `data-exposed` (phones) and `data-tick` attributes.
 */
export function chainSvg(chain: Chain, options: SvgOptions = {}): string {
  const layout = layoutChain(chain);
  const span = Math.max(1, layout.maxTick - layout.minTick);
  const maxWidth = options.maxWidth ?? 1100;
  const perTick = Math.min(24, Math.max(0.05, (maxWidth - LEFT - LABEL) / span));
  const x = (tick: number) => LEFT + (tick - layout.minTick) * perTick;
  const y = (row: number) => TOP + row * ROW;
  const width = Math.ceil(x(layout.maxTick) + LABEL);
  const height = TOP + Math.max(1, layout.rowCount) * ROW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11" class="chain">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (options.title) out.push(`<text x="${LEFT}" y="14" font-size="13" font-weight="600">${escapeXml(options.title)}</text>`);
  // time axis: about 8 labelled ticks
  const stepTicks = niceStep(span / 8);
  const first = Math.ceil(layout.minTick / stepTicks) * stepTicks;
  out.push(`<g class="axis" fill="#555" stroke="#ddd">`);
  for (let t = first; t <= layout.maxTick; t += stepTicks) out.push(`<line x1="${r(x(t))}" y1="${TOP - 14}" x2="${r(x(t))}" y2="${height}"/><text x="${r(x(t))}" y="${TOP - 18}" stroke="none" text-anchor="middle">${t}</text>`);
  out.push(`<text x="${r(x(layout.maxTick) + 22)}" y="${TOP - 18}" stroke="none">tick</text></g>`);
  const phone = (id: number) => layout.nodes.get(id)?.phone ?? '?';
  out.push(`<g class="links" fill="none" stroke="#777" stroke-width="1.2">`);
  for (const l of chain.links) {
    const rs = layout.rows.get(l.source);
    const re = layout.rows.get(l.exposed);
    const src = layout.nodes.get(l.source);
    if (rs === undefined || re === undefined || !src) continue;
    out.push(`<path d="M${r(x(src.tick))},${y(rs)}V${y(re)}H${r(x(l.tick))}" data-source="${escapeXml(phone(l.source))}" data-exposed="${escapeXml(phone(l.exposed))}" data-tick="${l.tick}"><title>${escapeXml(`${phone(l.source)} exposed ${phone(l.exposed)} at ${linkTicks(l)}, ${l.at}`)}</title></path>`);
  }
  out.push(`</g><g class="people">`);
  for (const n of chain.nodes) {
    const row = layout.rows.get(n.personId);
    if (row === undefined) continue;
    const label = `${n.phone}${n.sourceId !== undefined ? ` (id ${n.sourceId})` : ''}`;
    const ring = n.personId === chain.personId ? ` stroke="#000" stroke-width="2"` : n.indexCase ? ` stroke="#000" stroke-width="1" stroke-dasharray="2 1"` : '';
    out.push(
      `<g data-person="${n.personId}" data-phone="${escapeXml(n.phone)}"><circle cx="${r(x(n.tick))}" cy="${y(row)}" r="5" fill="${STATUS_COLOURS[n.status] ?? '#999'}"${ring}><title>${escapeXml(`${label}: ${STATUS_NAMES[n.status] ?? '?'}${n.indexCase ? ', index case' : ''}, in the chain from tick ${n.tick}`)}</title></circle><text x="${r(x(n.tick) + 8)}" y="${y(row) + 4}"${n.personId === chain.personId ? ' font-weight="700"' : ''}>${escapeXml(label)}</text></g>`,
    );
  }
  out.push(`</g>`);
  if (chain.cut) out.push(`<text x="${LEFT}" y="${height - 6}" fill="#b00">… cut: more people beyond this chain's bound</text>`);
  out.push(`</svg>`);
  return out.join('\n');
}

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** 1, 2, 5, 10, 20, 50, ... at least `raw`. */
function niceStep(raw: number): number {
  let step = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (step * m >= raw) return step * m;
    step *= 10;
  }
}
