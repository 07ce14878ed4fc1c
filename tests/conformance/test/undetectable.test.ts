import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuPlugin, createCpuPlugin, CPU_KERNELS } from '@hearth/plugin-cpu';
import type { HearthPlugin, KernelTensor } from '@hearth/core';
import { runConformance } from '../src/index.js';
// @ts-expect-error: a plain JS fixture without types.
import { cheatingPlugin, fingerprint } from './cheats/cheat.mjs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const cheat = (name: string) => join(ROOT, 'tests/conformance/test/cheats', `${name}.mjs`);
const ADD = ['hearth:op,add:dtype=float32;case=basic', 'hearth:op,add:dtype=int32;case=basic'];

// The child process runs built code.
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tests/conformance', 'plugins/cpu'], { cwd: ROOT });
}, 120_000);

describe('nothing in the runner tells a plugin it is under test', () => {
  it.each(['ipc', 'argv', 'env'])('a plugin honest only when it sees the runner (%s) fails add in the child process', async (name) => {
    const run = await runConformance({ plugin: cheat(name), queries: ADD });
    expect(run.selection.isolation).toBe('child-process');
    expect(run.results.map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(run.results[0]!.message).toMatch(/out of bound/);
  });

  it('an honest plugin passes the same run in the child process', async () => {
    const run = await runConformance({ plugin: '@hearth/plugin-cpu', queries: ADD });
    expect(run.verdict).toBe('pass');
  });
});

describe('fresh draws: a plugin that knows the fixed inputs meets new ones', () => {
  const queries = ['hearth:op,add:*'];

  /** Records the fingerprint of every add input the fixed suite sends (what a cheater learns offline). */
  async function learnFixedInputs(): Promise<Set<string>> {
    const known = new Set<string>();
    const kernels = CPU_KERNELS.map((k) => (k.op === 'add' ? { ...k, run: (i: readonly KernelTensor[], o: KernelTensor, a: Readonly<Record<string, unknown>>, c: never) => (known.add(fingerprint(i) as string), k.run(i, o, a, c)) } : k));
    const run = await runConformance({ plugin: createCpuPlugin({ kernels, name: '@cheat/recorder' }), queries });
    expect(run.verdict).toBe('pass');
    return known;
  }

  it('passes the fixed suite, fails the fresh property draws, and the report records the seed', async () => {
    const known = await learnFixedInputs();
    const cheater = cheatingPlugin('@cheat/fingerprints', (inputs: readonly KernelTensor[]) => known.has(fingerprint(inputs) as string)) as HearthPlugin;
    const fixed = await runConformance({ plugin: cheater, queries });
    expect(fixed.verdict).toBe('pass');
    const rerun = await runConformance({ plugin: cheater, queries, freshSeed: 0x5eed_f00d });
    expect(rerun.suite.freshSeed).toBe(0x5eed_f00d);
    const failed = rerun.results.filter((r) => r.status === 'fail').map((r) => r.id);
    expect(failed.sort()).toEqual(['hearth:op,add:dtype=float32;case=fresh-property', 'hearth:op,add:dtype=int32;case=fresh-property']);
    expect(rerun.verdict).toBe('fail');
  });

  it('the fresh twins are the same properties: the honest CPU plugin passes them', async () => {
    const a = await runConformance({ plugin: cpuPlugin, queries, freshSeed: 7 });
    expect(a.verdict).toBe('pass');
    expect(a.results.filter((r) => r.id.includes('fresh-property'))).toHaveLength(2);
  });
});
