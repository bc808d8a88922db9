import { defineConfig } from 'vitest/config';

// Unit tests sit beside their code (*.test.ts); tests that cross modules live in test/.
// CLI tests spawn the built binary, so `npm test` builds first.
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'events/**/*.test.ts', 'adapters/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
