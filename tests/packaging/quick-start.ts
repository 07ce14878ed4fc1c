import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

// The quick start's program (README, docs/quick-start.md): y = relu(x·x + 1) in a scope, on the default
// device, for the quick start's x and for a larger one; then once more on a tensor made on cpu:0 by name.
// With `partial`, the quick start's fallback example's plugin comes first: an "npu" that has matmul only.

/** The quick start's x, and a 24×24 one of float32 values in [-1, 1] from a formula. */
const INPUTS: number[][][] = [
  [[1, 2], [3, 4]],
  Array.from({ length: 24 }, (_, i) => Array.from({ length: 24 }, (_, j) => Math.fround(Math.cos(i * 0.9 - j * 1.7)))),
];

const NPU = `
import { CpuBackend, CPU_KERNELS } from '@hearth/plugin-cpu';
const npuPlugin = {
  manifest: { name: 'example-npu', version: '0.1.0', vendor: 'Example', deviceTypes: ['npu'], coreApi: '^1.0.0', priority: 20 },
  register(host) {
    host.registerBackend({ type: 'npu', create: () => Object.assign(new CpuBackend(), { info: { type: 'npu', name: 'example NPU', vendor: 'Example' } }) });
    for (const k of CPU_KERNELS.filter((k) => k.op === 'matmul')) host.registerKernel({ ...k, device: 'npu' });
  },
};`;

function program(partial: boolean): string {
  return `import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
${partial ? NPU : ''}
const hearth = createHearth({ plugins: [${partial ? 'npuPlugin, ' : ''}cpuPlugin, wasmPlugin] });
const report = await hearth.ready();
const results = [];
const inputs = ${JSON.stringify(INPUTS)};
for (const [i, m] of [...inputs, inputs[0]].entries()) {
  const x = hearth.tensor(m, i === inputs.length ? { device: 'cpu:0' } : {});
  const y = hearth.scope(() => x.matmul(x).add(1).relu()); // intermediates are freed with the scope
  results.push({ device: y.device, value: await y.array() });
  x.dispose();
  y.dispose();
}
console.log(JSON.stringify({ defaultDevice: report.defaultDevice, results, fallbacksByOp: hearth.stats().fallbacksByOp, leaks: hearth.leaks().length }));
await hearth.dispose();
`;
}

/** What the program prints. */
export interface QuickStartRun {
  defaultDevice: string;
  results: { device: string; value: number[][] }[];
  fallbacksByOp: Record<string, number>;
  leaks: number;
}

/** relu(x·x + 1) in float64, with the bound of a float32 evaluation in any summation order: (k + 2)·2^-24·Σ|terms|. */
function reference(x: number[][]): { want: number[][]; bound: number[][] } {
  const n = x.length;
  const want = x.map((_, i) => x.map((_, j) => Math.max(0, 1 + x.reduce((s, _r, k) => s + x[i]![k]! * x[k]![j]!, 0))));
  const bound = x.map((_, i) => x.map((_, j) => (n + 2) * 2 ** -24 * (1 + x.reduce((s, _r, k) => s + Math.abs(x[i]![k]! * x[k]![j]!), 0))));
  return { want, bound };
}

export const quickStartRuns = {
  /** Writes the program into `project`; returns its path. */
  write(project: string, partial: boolean): string {
    const file = join(project, partial ? 'quick-start-partial.mjs' : 'quick-start.mjs');
    writeFileSync(file, program(partial));
    return file;
  },

  /** The quick start's answer exactly ([[8, 11], [16, 23]], twice), the larger one within its bound, and no leak. */
  expectAnswers(run: QuickStartRun): void {
    expect(run.results[0]!.value).toEqual([[8, 11], [16, 23]]);
    expect(run.results[2]!.value).toEqual([[8, 11], [16, 23]]);
    const { want, bound } = reference(INPUTS[1]!);
    run.results[1]!.value.forEach((row, i) => row.forEach((g, j) => expect(Math.abs(g - want[i]![j]!), `[${i}][${j}]`).toBeLessThanOrEqual(bound[i]![j]!)));
    expect(run.leaks).toBe(0);
  },
};
