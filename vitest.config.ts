import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['hearth-source'] },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.stryker-tmp*/**'],
    testTimeout: 60_000, // a shared 2-core CI machine runs the conformance-heavy tests side by side
  },
});
