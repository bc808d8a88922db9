import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { packageSources } from './test/packageSources.js';

// Unit tests sit beside their code (*.test.ts); tests that cross modules live in test/.
// CLI tests spawn the built binary, so `npm test` builds first.
export default defineConfig({
  // `stopcovid/core` & co. (package.json "exports") resolve to their sources, as examples/ import them
  resolve: {
    alias: [...packageSources(fileURLToPath(new URL('.', import.meta.url)))].map(([name, file]) => ({ find: new RegExp(`^${name}$`), replacement: file })),
  },
  test: {
    include: ['core/**/*.test.ts', 'events/**/*.test.ts', 'adapters/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'examples/**/*.test.ts', 'web/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
