import { describe, expect, it } from 'vitest';
import { createCpuPlugin, type CpuStorage } from '@hearth/plugin-cpu';
import { describeFailure, runConformance, ulpHistogram, validateResults, type RunResult } from '../src/index.js';
import { replaceKernel } from './broken-variants.js';

/** An add whose element `at` is `value` instead of the sum (NaN, an infinity, or a number where NaN belongs). */
function addWith(name: string, value: (sum: number) => number) {
  const kernels = replaceKernel('add', ['float32'], ([a, b], out) => {
    const [x, y, o] = [a!, b!, out].map((t) => (t.storage as CpuStorage).data);
    for (let i = 0; i < o!.length; i++) o![i] = x![i % x!.length]! + y![i % y!.length]!;
    o![0] = value(o![0]!);
  }).filter((k) => k.op === 'add');
  return createCpuPlugin({ name, kernels });
}

async function basicCase(plugin: ReturnType<typeof addWith>, id = 'hearth:op,add:dtype=float32;case=basic'): Promise<{ run: RunResult; text: string }> {
  const run = await runConformance({ plugin, profile: 'core-partial', queries: [id] });
  const r = run.results.find((x) => x.id === id)!;
  expect(r.status).toBe('fail');
  return { run, text: describeFailure(run, r) };
}

describe('the accuracy line of a failure with NaN or an infinity', () => {
  it('says what was expected where NaN came, instead of "max abs 0 ... max 0 ULP"', async () => {
    const { run, text } = await basicCase(addWith('acme-nan-add', () => NaN));
    const line = text.split('\n').find((l) => l.startsWith('  accuracy:'))!;
    expect(line).toMatch(/at \[0\] expected -?[0-9.e+-]+, got NaN \(NaN positions differ\)/);
    expect(line).toMatch(/over the other elements, max abs/);
    expect(line).not.toMatch(/^ {2}accuracy: max abs 0\b/);
    // The figures survive JSON (NaN as "NaN") and the schema, and the histogram puts the case with the worst.
    const back = JSON.parse(JSON.stringify(run, (_k, v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v))) as RunResult;
    expect(validateResults(back)).toEqual([]);
    expect(describeFailure(back, back.results[0]!)).toContain('got NaN (NaN positions differ)');
    expect(ulpHistogram(run.results).get('add')!.at(-1)).toBe(1);
  });

  it('names an infinity where a finite value belongs', async () => {
    const { text } = await basicCase(addWith('acme-inf-add', () => Infinity));
    expect(text).toMatch(/accuracy: 1 element is NaN or infinite where the reference differs, at \[0\] expected -?[0-9.e+-]+, got Infinity;/);
    expect(text).not.toMatch(/NaN positions differ/);
  });

  it('names a number where NaN was expected', async () => {
    // The special-values case starts with NaN + NaN.
    const { text } = await basicCase(addWith('acme-no-nan', (s) => (Number.isNaN(s) ? 0 : s)), 'hearth:op,add:dtype=float32;case=special-values');
    expect(text).toMatch(/at \[0\] expected NaN, got 0 \(NaN positions differ\)/);
  });
});
