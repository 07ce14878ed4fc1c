import { createHearth, type Hearth, type Tensor } from '@hearth/core';
import cudaPlugin from '@hearth/plugin-cuda';
import { formatTable } from '../table.js';
import { msPerCall } from './timing.js';

/** Runs `op` `reps` times back to back on the GPU and waits for the last one; returns ms per op. */
async function gpuMs(h: Hearth, op: () => Tensor, reps: number): Promise<number> {
  const total = await msPerCall(async () => {
    let last: Tensor | undefined;
    for (let r = 0; r < reps; r++) {
      last?.dispose();
      last = op();
    }
    const corner = h.reshape(last!, [-1]);
    const one = h.slice(corner, { starts: [0], ends: [1] });
    await one.data(); // a read waits for every launch queued before it
    for (const t of [one, corner, last!]) t.dispose();
  }, 5);
  return total / reps;
}

/**
 * `npm run bench -- cuda` (needs an NVIDIA GPU): matmul 1024 and 4096, add 1e7, softmax 4096x4096 and conv2d
 * 1x64x56x56 with 64 3x3 filters on the CUDA plugin; matmul with the plugin's own tiled kernel and with
 * cuBLAS SGEMM (when the machine has it) in the same run, and the ratio between them.
 */
export async function benchCuda(): Promise<void> {
  const h = createHearth({ plugins: [cudaPlugin], backends: ['cuda'] });
  try {
    await h.ready();
  } catch (e) {
    console.log(`cuda: skipped: ${(e as Error).message}`);
    return;
  }
  const device = 'cuda:0';
  const rand = (shape: number[]) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.random() - 0.5;
    return h.tensor(data, { shape, device });
  };
  const rows: string[][] = [];
  for (const n of [1024, 4096]) {
    const a = rand([n, n]);
    const b = rand([n, n]);
    const reps = n === 1024 ? 50 : 10;
    const flop = 2 * n ** 3;
    process.env['HEARTH_CUDA_CUBLAS'] = '0';
    const own = await gpuMs(h, () => h.matmul(a, b), reps);
    delete process.env['HEARTH_CUDA_CUBLAS'];
    const lib = await gpuMs(h, () => h.matmul(a, b), reps);
    rows.push([`matmul ${n}x${n} f32, Hearth tiled kernel`, own.toFixed(3), (flop / own / 1e9).toFixed(1), `${((lib / own) * 100).toFixed(0)}% of the cuBLAS row`]);
    rows.push([`matmul ${n}x${n} f32, cuBLAS SGEMM if present`, lib.toFixed(3), (flop / lib / 1e9).toFixed(1), '']);
    a.dispose();
    b.dispose();
  }
  const x = rand([1e7]);
  const y = rand([1e7]);
  const addMs = await gpuMs(h, () => h.add(x, y), 50);
  rows.push(['add 1e7 f32', addMs.toFixed(3), '', `${((3 * 4e7) / addMs / 1e6).toFixed(0)} GB/s`]);
  const s = rand([4096, 4096]);
  const smMs = await gpuMs(h, () => h.softmax(s), 20);
  rows.push(['softmax 4096x4096 f32 (last axis)', smMs.toFixed(3), '', `${((2 * 4 * 4096 * 4096) / smMs / 1e6).toFixed(0)} GB/s`]);
  const img = rand([1, 64, 56, 56]);
  const w = rand([64, 64, 3, 3]);
  const convMs = await gpuMs(h, () => h.conv2d(img, w, undefined, { padding: 1 }), 50);
  rows.push(['conv2d 1x64x56x56, 64 3x3 filters, pad 1', convMs.toFixed(3), ((2 * 64 * 56 * 56 * 64 * 9) / convMs / 1e9).toFixed(1), '']);
  const info = h.devices()[0]!.info;
  console.log(`cuda: ${info.name} (${String(info['library'])}), median of 5 timed batches`);
  console.log(formatTable(['case', 'ms/op', 'GFLOP/s', 'note'], rows));
  await h.dispose();
}
