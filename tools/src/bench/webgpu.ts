import { createHearth, sizeOf, type Hearth, type Tensor } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { webgpuPlugin } from '@hearth/plugin-webgpu';
import { formatTable } from '../table.js';
import { msPerCall } from './timing.js';

interface Case {
  readonly name: string;
  readonly op: string;
  readonly shapes: readonly (readonly number[])[];
  readonly attrs?: Readonly<Record<string, unknown>>;
  /** Ops per timed call: the GPU result is read once per call, so this amortizes the read-back. */
  readonly reps: number;
}

const CASES: readonly Case[] = [
  { name: 'matmul 256', op: 'matmul', shapes: [[256, 256], [256, 256]], reps: 5 },
  { name: 'matmul 512', op: 'matmul', shapes: [[512, 512], [512, 512]], reps: 3 },
  { name: 'matmul 1024', op: 'matmul', shapes: [[1024, 1024], [1024, 1024]], reps: 1 },
  { name: 'add 1e6', op: 'add', shapes: [[1_000_000], [1_000_000]], reps: 10 },
  { name: 'softmax 1024x1024', op: 'softmax', shapes: [[1024, 1024]], reps: 3 },
  { name: 'conv2d 1x64x56x56, 64 3x3', op: 'conv2d', shapes: [[1, 64, 56, 56], [64, 64, 3, 3]], attrs: { padding: 1 }, reps: 2 },
];

function filled(h: Hearth, shape: readonly number[], device: string, seed: number): Tensor {
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37 + seed);
  return h.tensor(data, { shape, device });
}

/** ms per op on a device: `reps` ops, then one read of the last result (which waits for the GPU). */
async function time(h: Hearth, c: Case, device: string): Promise<number> {
  const inputs = c.shapes.map((s, i) => filled(h, s, device, i));
  try {
    const ms = await msPerCall(async () => {
      let last: Tensor | undefined;
      for (let r = 0; r < c.reps; r++) {
        last?.dispose();
        last = h.op(c.op, inputs, c.attrs);
      }
      await last!.data();
      last!.dispose();
    }, 3);
    return ms / c.reps;
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/**
 * `npm run bench -- webgpu`: the ops the WebGPU plugin is judged on, each beside the CPU plugin in the same
 * run, with the adapter named. On a software adapter the figures only guard against regressions.
 */
export async function benchWebGPU(): Promise<void> {
  const h = createHearth({ plugins: [webgpuPlugin, cpuPlugin], backends: ['webgpu', 'cpu'] });
  const report = await h.ready();
  const gpu = report.devices.find((d) => d.info.type === 'webgpu');
  if (!gpu) {
    console.log(`webgpu: no WebGPU device (${report.failed.map((f) => f.error.message).join('; ')})`);
    await h.dispose();
    return;
  }
  const i = gpu.info;
  console.log(`webgpu: adapter ${i.name} (${i['backend']}, vendor ${i.vendor || '?'}, ${i.software ? 'software' : 'hardware'}); ms per op, median of 3`);
  const rows: string[][] = [];
  for (const c of CASES) {
    const g = await time(h, c, gpu.name);
    const cpuOk = h.supports(c.op, c.shapes.map(() => 'float32'), 'cpu');
    const cpu = cpuOk ? await time(h, c, 'cpu:0') : undefined;
    rows.push([c.name, g.toFixed(2), cpu === undefined ? 'n/a (no CPU kernel)' : cpu.toFixed(2), cpu === undefined ? '-' : (g / cpu).toFixed(3)]);
  }
  console.log(formatTable(['op', 'webgpu ms', 'cpu ms', 'webgpu/cpu'], rows));
  const leaks = h.leaks().length;
  const stats = h.backendStats(gpu.name);
  console.log(`after the run: ${leaks} live tensors, ${stats?.liveAllocations ?? '?'} live GPU buffers, ${stats?.pooledBytes ?? 0} bytes pooled`);
  await h.dispose();
}
