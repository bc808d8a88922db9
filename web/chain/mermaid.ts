/**
 * A contact chain as a Mermaid flowchart (GitHub and many editors render it in Markdown):
 * one node per person (phone, status), one arrow per exposure labelled with its tick.
 * @module
 */
import type { Chain } from '../source.js';
import { STATUS_COLOURS, STATUS_NAMES } from './palette.js';
import { linkTicks } from './linkTicks.js';

/** Mermaid label text: quotes and brackets replaced by their HTML entities. */
function label(text: string): string {
  return text.replace(/["[\]{}()<>|]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Render `chain` as a `flowchart LR`, with one class per status. */
export function chainMermaid(chain: Chain): string {
  const out = ['flowchart LR'];
  for (const n of chain.nodes) {
    const text = `${label(`${n.phone}${n.sourceId !== undefined ? ` id ${n.sourceId}` : ''}`)}<br/>${STATUS_NAMES[n.status] ?? '?'}${n.indexCase ? ', index case' : ''}`;
    out.push(`  p${n.personId}["${text}"]:::s${n.status}`);
  }
  for (const l of chain.links) out.push(`  p${l.source} -->|${label(linkTicks(l))}| p${l.exposed}`);
  if (chain.cut) out.push(`  cut["... cut: more people beyond this chain's bound"]`);
  STATUS_COLOURS.forEach((c, s) => out.push(`  classDef s${s} fill:${c},stroke:#333`));
  out.push(`  style p${chain.personId} stroke-width:3px`);
  return `${out.join('\n')}\n`;
}
