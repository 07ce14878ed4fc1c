import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['hearth-source'] },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.stryker-tmp*/**'],
    // Vitest's default (cores - 1) runs one file at a time on a 2-core machine, while many files wait on
    // child processes, servers and npm: two at a time keeps both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000, // a shared 2-core CI machine runs the conformance-heavy tests side by side
  },
});
