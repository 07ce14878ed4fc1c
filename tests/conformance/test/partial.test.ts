import { describe, expect, it } from 'vitest';
import { CPU_KERNELS, createCpuPlugin, type CpuStorage } from '@hearth/plugin-cpu';
import { runConformance, missingBlock, missingPairs, validateResults } from '../src/index.js';
import { replaceKernel } from './broken-variants.js';

/** What accelerator vendors ship: matmul and add on the device, the rest elsewhere. */
const onlyMatmulAdd = CPU_KERNELS.filter((k) => k.op === 'matmul' || k.op === 'add');
const partial = createCpuPlugin({ name: 'acme-partial', kernels: onlyMatmulAdd });

describe('the core-partial profile', () => {
  it('certifies a plugin for exactly the (op, dtype) pairs it declares; core still refuses it', async () => {
    const run = await runConformance({ plugin: partial, profile: 'core-partial' });
    expect(run.reasons).toEqual([]);
    expect(run.verdict).toBe('pass');
    expect(validateResults(JSON.parse(JSON.stringify(run)))).toEqual([]);
    const passed = new Set(run.results.filter((r) => r.status === 'pass' && r.op).map((r) => `${r.op}:${r.dtype}`));
    expect([...passed].sort()).toEqual(['add:float32', 'add:int32', 'matmul:float32', 'matmul:int32']);

    const core = await runConformance({ plugin: partial, profile: 'core' });
    expect(core.verdict).toBe('fail');
    expect(core.reasons.join()).toMatch(/not supported: the core profile requires every op/);
  });

  it('judges a promotion case that needs an undeclared cast as not supported, naming the cast', async () => {
    const run = await runConformance({ plugin: partial, profile: 'core-partial', queries: ['hearth:op,add:dtype=float32;case=promote-int32'] });
    expect(run.results).toEqual([expect.objectContaining({ status: 'not-supported', message: 'needs cast(int32) on cpu, which the plugin does not declare' })]);
  });

  it('fails a declared kernel that is wrong', async () => {
    const addOffByOne = replaceKernel('add', ['float32'], ([a, b], out) => {
      const [x, y, o] = [a!, b!, out].map((t) => (t.storage as CpuStorage).data);
      for (let i = 0; i < o!.length; i++) o![i] = x![i % x!.length]! + y![i % y!.length]! + 1;
    }).filter((k) => k.op === 'add');
    const run = await runConformance({ plugin: createCpuPlugin({ name: 'acme-wrong-add', kernels: addOffByOne }), profile: 'core-partial', queries: ['hearth:op,add:*'] });
    expect(run.verdict).toBe('fail');
    expect(run.results.find((r) => r.id === 'hearth:op,add:dtype=float32;case=basic')?.status).toBe('fail');
  });

  it('refuses a plugin that declares no pair at all', async () => {
    const run = await runConformance({ plugin: createCpuPlugin({ name: 'acme-empty', kernels: [] }), profile: 'core-partial' });
    expect(run.verdict).toBe('fail');
    expect(run.reasons).toContain('the plugin declares no (op, dtype) pair of the core-partial profile: register at least one kernel');
  });
});

describe('the missing (op, dtype) pairs', () => {
  it('are the undeclared pairs, grouped in one compact block', async () => {
    const run = await runConformance({ plugin: partial, profile: 'core' });
    const missing = missingPairs(run.results);
    expect(missing.get('add')).toBeUndefined();
    expect(missing.get('matmul')).toBeUndefined();
    expect(missing.get('exp')).toEqual(['float32']);
    expect(missing.get('where')).toEqual(expect.arrayContaining(['float32', 'int32', 'bool']));
    const block = missingBlock(run, 100);
    const lines = block.split('\n');
    expect(lines[0]).toMatch(/^Missing: \d+ \(op, dtype\) pair\(s\) the core profile requires\./);
    expect(lines.length).toBeLessThan(15);
    expect(lines.every((l) => l.length <= 100 || l === lines[0])).toBe(true);
    expect(lines.find((l) => /^ {2}float32: /.test(l))).toMatch(/\bexp\b.*\blog\b/);
    expect(block).not.toMatch(/\b(add|matmul)\b/);
  });

  it('are none for a complete plugin', async () => {
    const run = await runConformance({ plugin: createCpuPlugin(), profile: 'core', queries: ['hearth:op,exp:*'] });
    expect(missingBlock(run)).toBe('');
  });
});
