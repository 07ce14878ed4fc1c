import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['hearth-source'] },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.stryker-tmp*/**'],
    testTimeout: 30_000,
  },
});
