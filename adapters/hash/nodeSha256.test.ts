import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, genesis, scratch, sha256Hex, stateHash, stepTick } from '../../core/index.js';
import { nodeSha256Hex } from './nodeSha256.js';

describe("Node's native SHA-256", () => {
  it('gives the state hashes of the pure TypeScript one, so recorded hashes do not change', () => {
    const { state } = genesis({ ...DEFAULT_PARAMS, people: 5000, width: 70, height: 70, seed: 6 });
    const native = genesis({ ...DEFAULT_PARAMS, people: 5000, width: 70, height: 70, seed: 6 }).state;
    const pure = scratch();
    const fast = scratch(nodeSha256Hex);
    for (let t = 1; t <= 4; t++) {
      const a = stepTick(state, pure).summary.stateHash;
      const b = stepTick(native, fast).summary.stateHash;
      expect(b).toBe(a);
      expect(stateHash(native, nodeSha256Hex)).toBe(stateHash(state));
    }
    expect(nodeSha256Hex([new TextEncoder().encode('abc')])).toBe(sha256Hex([new TextEncoder().encode('abc')]));
    expect(nodeSha256Hex([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
