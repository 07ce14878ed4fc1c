/**
 * What each mutant of the CPU plugin's kernels is run against: the conformance `core` profile, split into
 * one test per operator so that Stryker's per-test coverage runs only the operators a mutant can reach.
 */
import { describe, expect, it } from 'vitest';
import { OPSET_V1 } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { FAILING, runConformance } from '../src/index.js';

describe('the CPU plugin passes the core profile', () => {
  for (const op of OPSET_V1) {
    it(op.name, async () => {
      const run = await runConformance({ plugin: cpuPlugin, profile: 'core', queries: [`hearth:op,${op.name}:*`] });
      expect(run.results.filter((r) => FAILING.includes(r.status)).map((r) => r.id)).toEqual([]);
    });
  }
});
