/**
 * A contact chain in Graphviz DOT: one node per person (phone, status, tick), one edge per
 * exposure labelled with its tick, left to right. Render with `dot -Tsvg chain.dot > chain.svg`.
 * @module
 */
import type { Chain } from '../source.js';
import { STATUS_COLOURS, STATUS_NAMES } from './palette.js';
import { linkTicks } from './linkTicks.js';

/** Quote `text` as a DOT string. */
function q(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Render `chain` as a DOT digraph named `chain`. */
export function chainDot(chain: Chain): string {
  const out = ['digraph chain {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=10];', '  edge [fontname="sans-serif", fontsize=9];'];
  for (const n of chain.nodes) {
    const label = `${n.phone}${n.sourceId !== undefined ? ` (id ${n.sourceId})` : ''}\n${STATUS_NAMES[n.status] ?? '?'}${n.indexCase ? ', index case' : ''}\ntick ${n.tick}`;
    out.push(`  p${n.personId} [label=${q(label)}, fillcolor=${q(STATUS_COLOURS[n.status] ?? '#999999')}${n.personId === chain.personId ? ', penwidth=2.5' : ''}];`);
  }
  for (const l of chain.links) out.push(`  p${l.source} -> p${l.exposed} [label=${q(linkTicks(l))}];`);
  if (chain.cut) out.push(`  cut [shape=plaintext, style="", label="... cut: more people beyond this chain's bound"];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
