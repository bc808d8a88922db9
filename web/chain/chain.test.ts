/**
 * The chain layout and renderers on a hand-made chain:
 *   A (index case, tick 0) -> B at tick 3 -> C at tick 5 (the traced person) -> D at tick 7, E at tick 9;
 *   D -> F at tick 12.
 */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../core/index.js';
import type { Chain } from '../source.js';
import { chainDot } from './dot.js';
import { chainFromTrace } from './fromTrace.js';
import { layoutChain } from './layout.js';
import { chainMermaid } from './mermaid.js';
import { chainSvg } from './svg.js';

const link = (personId: number, phone: string, tick: number, extra: object = {}) => ({ personId, phone, tick, at: `t${tick}`, cell: { x: tick, y: 1 }, sourceStatus: 1, exposedStatus: { from: 0, to: 1 }, ...extra });
const traced: Trace = {
  personId: 2,
  phone: '+33600000003',
  status: 1,
  indexCase: false,
  upstream: [link(1, '+33600000002', 5), link(0, '+33600000001', 3, { indexCase: true, sourceStatus: 2 })],
  upstreamTruncated: false,
  downstream: [link(3, '+33600000004', 7, { children: [link(5, '+33600000006', 12, { children: [] })] }), link(4, '+33600000005', 9, { children: [] })],
  downstreamCount: 3,
  downstreamTruncated: false,
};

describe('chainFromTrace', () => {
  it('turns upstream and downstream into people and source -> exposed links', () => {
    const chain = chainFromTrace(traced);
    expect(chain.links.map((l) => `${l.source}>${l.exposed}@${l.tick}`)).toEqual(['1>2@5', '0>1@3', '2>3@7', '3>5@12', '2>4@9']);
    expect(chain.nodes.map((n) => [n.personId, n.tick])).toEqual([[2, 5], [1, 3], [0, 3], [3, 7], [5, 12], [4, 9]]);
    expect(chain.nodes.find((n) => n.personId === 0)).toMatchObject({ indexCase: true, status: 2 });
    expect(chain.cut).toBe(false);
  });
});

describe('layoutChain', () => {
  it('one row per person, depth first from the index case, children by tick; columns are ticks', () => {
    const layout = layoutChain(chainFromTrace(traced));
    expect([...layout.rows.entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p)).toEqual([0, 1, 2, 3, 5, 4]);
    expect([layout.rowCount, layout.minTick, layout.maxTick]).toEqual([6, 3, 12]);
  });

  it('lays out a chain 20,000 people deep without recursion', () => {
    const n = 20_000;
    const chain: Chain = { personId: 0, cut: false, nodes: Array.from({ length: n }, (_, i) => ({ personId: i, phone: `+3360${i}`, status: 1, indexCase: i === 0, tick: i })), links: Array.from({ length: n - 1 }, (_, i) => ({ source: i, exposed: i + 1, tick: i + 1, at: '', x: 0, y: 0 })) };
    const layout = layoutChain(chain);
    expect([layout.rowCount, layout.rows.get(n - 1)]).toEqual([n, n - 1]);
  });
});

describe('renderers', () => {
  it('svg: every phone, every link with phones and tick, special characters escaped, a cut note', () => {
    const chain = chainFromTrace(traced);
    chain.nodes[0]!.sourceId = 'a<b>&"c';
    chain.cut = true;
    const svg = chainSvg(chain, { title: 'chain of <C>' });
    for (const n of chain.nodes) expect(svg).toContain(`data-phone="${n.phone}"`);
    expect([...svg.matchAll(/data-source="([^"]+)" data-exposed="([^"]+)" data-tick="(\d+)"/g)].length).toBe(5);
    expect(svg).toContain('(id a&#60;b&#62;&#38;&#34;c)');
    expect(svg).toContain('chain of &#60;C&#62;');
    expect(svg).not.toMatch(/<b>|a<b/);
    expect(svg).toContain('cut: more people');
    // a trace knows when the index case exposed someone, not when it became one: the dot says only when it enters the chain
    expect(svg).toContain('<title>+33600000001: infected, index case, in the chain from tick 3</title>');
  });

  it('dot and mermaid: a node per person, an edge per link', () => {
    const chain = chainFromTrace(traced);
    chain.nodes[0]!.sourceId = 'say "hi"';
    const dot = chainDot(chain);
    expect(dot.match(/ -> /g)).toHaveLength(5);
    expect(dot).toContain('label="+33600000003 (id say \\"hi\\")\\nsuspicious\\ntick 5"');
    const mermaid = chainMermaid(chain);
    expect(mermaid.match(/-->\|tick \d+\|/g)).toHaveLength(5);
    expect(mermaid).toContain('p2["+33600000003 id say #34;hi#34;<br/>suspicious"]:::s1');
  });

  it('a retroactive link (decided at tick 9 for a contact at tick 6) names both ticks in every renderer', () => {
    const retro: Trace = { ...traced, downstream: [link(3, '+33600000004', 7), link(4, '+33600000005', 9, { contactTick: 6 })] };
    const chain = chainFromTrace(retro);
    expect(chain.links.find((l) => l.exposed === 4)).toMatchObject({ tick: 9, contactTick: 6 });
    expect(chain.links.find((l) => l.exposed === 3)).not.toHaveProperty('contactTick');
    expect(chainDot(chain)).toContain('p2 -> p4 [label="tick 9 (contact at tick 6)"];');
    expect(chainDot(chain)).toContain('p2 -> p3 [label="tick 7"];');
    expect(chainMermaid(chain)).toContain('p2 -->|tick 9 #40;contact at tick 6#41;| p4');
    expect(chainSvg(chain)).toContain('<title>+33600000003 exposed +33600000005 at tick 9 (contact at tick 6), t9</title>');
    expect(chainSvg(chain)).toContain('<title>+33600000003 exposed +33600000004 at tick 7, t7</title>');
  });
});
