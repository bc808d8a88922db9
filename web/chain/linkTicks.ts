/**
 * How a chain's link names its ticks, the same in every renderer (SVG, Graphviz, Mermaid).
 * @module
 */
import type { ChainLink } from '../source.js';

/**
 * `tick 15` for an exposure decided at the contact; `tick 15 (contact at tick 10)` for a
 * retroactive one, decided when the source tested positive, ticks after the contact.
 */
export function linkTicks(link: Pick<ChainLink, 'tick' | 'contactTick'>): string {
  return link.contactTick === undefined ? `tick ${link.tick}` : `tick ${link.tick} (contact at tick ${link.contactTick})`;
}
