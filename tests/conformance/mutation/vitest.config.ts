import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Stryker runs this in a sandbox copy of the repository; the alias makes the mutated copy of the CPU
// plugin's sources the code under test (the workspace link in node_modules points at the unmutated
// original, and at its built dist/).
export default defineConfig({
  resolve: {
    conditions: ['hearth-source'],
    alias: { '@hearth/plugin-cpu': fileURLToPath(new URL('../../../plugins/cpu/src/index.ts', import.meta.url)) },
  },
  test: { include: ['tests/conformance/mutation/*.mutation.ts'], testTimeout: 60_000 },
});
