// Vitest global setup: one fresh folder per test run, where test files share results that are costly to
// compute (see once-per-run.ts). It is removed when the run ends, so nothing outlives the run that made it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder private to this test run, shared by its test files. */
    runCacheDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-run-cache-'));
  project.provide('runCacheDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
