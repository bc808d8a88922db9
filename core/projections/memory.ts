/**
 * A read-model store held in memory: the projection's `Tx` is a plain object (a world state, a
 * list), and the checkpoint lives beside it. For folds that need no persistence (replay, verify).
 * @module
 */
import { evolveItems, type StoredItem, type Checkpoint, type Projection, type ReadModelStore } from './projection.js';

/** An in-memory {@link ReadModelStore} around `tx`; `saved` is its checkpoint. */
export function inMemory<Tx>(tx: Tx): ReadModelStore<Tx> & { saved: Checkpoint | undefined } {
  const self = {
    saved: undefined as Checkpoint | undefined,
    async checkpoint() {
      return self.saved;
    },
    async commit(projection: Projection<Tx>, events: readonly StoredItem[], position: number) {
      evolveItems(projection, tx, events, self.saved?.position ?? 0);
      self.saved = { position: Math.max(position, self.saved?.position ?? 0), version: projection.version };
    },
  };
  return self;
}
