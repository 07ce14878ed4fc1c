/**
 * What each mutant of the CPU plugin's kernels is run against: the conformance `core` profile, and the
 * `float64` profile the plugin also declares, split into one test per operator so that Stryker's per-test
 * coverage runs only the operators a mutant can reach. Every case must pass: `not-supported` (a kernel
 * list or dtype list emptied by a mutant) kills a mutant as surely as a wrong value.
 */
import { describe, expect, it } from 'vitest';
import { OPSET_V1 } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { runConformance } from '../src/index.js';

describe('the CPU plugin passes the core and float64 profiles', () => {
  for (const op of OPSET_V1) {
    it(op.name, async () => {
      for (const profile of ['core', 'float64']) {
        const run = await runConformance({ plugin: cpuPlugin, profile, queries: [`hearth:op,${op.name}:*`] });
        expect(run.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status}`)).toEqual([]);
      }
    });
  }
});
