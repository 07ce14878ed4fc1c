/**
 * Fallback and copies out of real WebGPU (Dawn; llvmpipe here), which reads only asynchronously. The GPU
 * plugin is given without its `mul` kernels, as a vendor with partial coverage would be: `mul` falls back
 * to the CPU, and the result comes back to the GPU as a pending tensor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type FallbackEvent, type Hearth, type HearthPlugin, type TransferEvent } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { webgpuPlugin } from '@hearth/plugin-webgpu';

/** The WebGPU plugin without some of its kernels (its manifest and backend unchanged). */
function without(plugin: HearthPlugin, ops: readonly string[]): HearthPlugin {
  return {
    manifest: plugin.manifest,
    register: (host) => plugin.register({ ...host, registerKernel: (spec) => (ops.includes(spec.op) ? undefined : host.registerKernel(spec)) }),
  };
}

let h: Hearth;
const transfers: TransferEvent[] = [];
const fallbacks: FallbackEvent[] = [];

beforeAll(async () => {
  h = createHearth({ plugins: [cpuPlugin, without(webgpuPlugin, ['mul'])], backends: ['webgpu', 'cpu'], fallback: 'allow' });
  await h.ready();
  h.on('transfer', (e) => transfers.push(e));
  h.on('fallback', (e) => fallbacks.push(e));
}, 60_000);
afterAll(async () => {
  await h?.dispose();
});

describe('fallback out of WebGPU', () => {
  it('returns a pending GPU tensor; data, chained GPU ops, E_SYNC_READ and events are right', async () => {
    transfers.length = fallbacks.length = 0;
    const before = h.stats();
    const a = h.tensor([1, 2, 3, 4]);
    expect(a.device).toBe('webgpu:0');
    const sq = a.mul(a);
    expect(sq.device).toBe('webgpu:0');
    expect(() => sq.dataSync()).toThrow(expect.objectContaining({ code: 'E_SYNC_READ', message: expect.stringContaining('fallback of mul to cpu:0') }));
    const plus = sq.add(a); // WebGPU kernels on a pending input
    const chained = plus.sum();
    expect(await chained.item()).toBe(1 + 4 + 9 + 16 + 1 + 2 + 3 + 4);
    expect(Array.from(await sq.data())).toEqual([1, 4, 9, 16]);
    expect(transfers).toEqual([
      { from: 'webgpu:0', to: 'cpu:0', bytes: 16, reason: 'fallback' },
      { from: 'webgpu:0', to: 'cpu:0', bytes: 16, reason: 'fallback' },
      { from: 'cpu:0', to: 'webgpu:0', bytes: 16, reason: 'fallback' },
    ]);
    expect(fallbacks).toEqual([{ op: 'mul', dtype: 'float32', from: 'webgpu:0', to: 'cpu:0', bytes: 48 }]);
    const after = h.stats();
    expect(after.bytesMoved - before.bytesMoved).toBe(48);
    expect(after.fallbacks - before.fallbacks).toBe(1);
    for (const t of [a, sq, plus, chained]) t.dispose();
  });

  it('adds a GPU tensor to a CPU tensor (cpuTensor.add(gpuTensor)) and leaks nothing', async () => {
    transfers.length = 0;
    const c = h.tensor([10, 20], { device: 'cpu' });
    const g = h.tensor([1, 2]);
    const r = c.add(g);
    g.dispose(); // the pending copy keeps what it needs
    expect(r.device).toBe('cpu:0');
    expect(Array.from(await r.data())).toEqual([11, 22]);
    expect(transfers).toEqual([{ from: 'webgpu:0', to: 'cpu:0', bytes: 8, reason: 'mixed-devices' }]);
    c.dispose();
    r.dispose();
    expect(h.leaks()).toEqual([]);
  });
});
