/**
 * Fallback and mixed-device copies out of a device that reads asynchronously (a GPU): the call returns a
 * pending tensor at once, `await t.data()` gets its data, ops chained on it work, a sync read names what it
 * waits for, and the transfer/fallback events and counters are exact.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, type FallbackPolicy, type TransferEvent, type FallbackEvent } from '../src/index.js';
import { AsyncToyBackend, addKernel, castKernel, fullKernel, mulKernel, toyPlugin } from './toy-plugin.js';

/** A GPU-like device with add and full (no mul), and a CPU with mul, add and full. */
async function gpuAndCpu(policy: FallbackPolicy = 'allow') {
  const gpu = toyPlugin({ name: 'gpu-plugin', device: 'gpu', asyncRead: true, kernels: (d) => [addKernel(d), fullKernel(d), castKernel(d)] });
  const cpu = toyPlugin({ name: 'cpu-plugin', device: 'cpu', kernels: (d) => [mulKernel(d), addKernel(d), fullKernel(d), castKernel(d)] });
  const h = createHearth({ plugins: [gpu, cpu], backends: ['gpu', 'cpu'], fallback: policy });
  await h.ready();
  const transfers: TransferEvent[] = [];
  const fallbacks: FallbackEvent[] = [];
  h.on('transfer', (e) => transfers.push(e));
  h.on('fallback', (e) => fallbacks.push(e));
  return { h, transfers, fallbacks, gpuBackend: gpu.backends[0] as AsyncToyBackend };
}

describe('fallback out of a device that reads asynchronously', () => {
  it('returns a pending result at once; data, chained ops, events and counters are right', async () => {
    const { h, transfers, fallbacks } = await gpuAndCpu();
    const a = h.tensor([1, 2, 3]);
    expect(a.device).toBe('gpu:0');
    const sq = h.mul(a, a); // no mul on gpu: runs on cpu:0, comes back to gpu:0
    expect(sq.device).toBe('gpu:0');
    expect(sq.shape).toEqual([3]);
    const e = (() => {
      try {
        sq.dataSync();
      } catch (err) {
        return err as { code: string; message: string };
      }
    })();
    expect(e?.code).toBe('E_SYNC_READ');
    expect(e?.message).toContain('fallback of mul to cpu:0');
    const chained = sq.add(a); // a gpu kernel on a pending input
    expect(Array.from(await chained.data())).toEqual([2, 6, 12]);
    expect(Array.from(await sq.data())).toEqual([1, 4, 9]);
    expect(transfers).toEqual([
      { from: 'gpu:0', to: 'cpu:0', bytes: 12, reason: 'fallback' },
      { from: 'gpu:0', to: 'cpu:0', bytes: 12, reason: 'fallback' },
      { from: 'cpu:0', to: 'gpu:0', bytes: 12, reason: 'fallback' },
    ]);
    expect(fallbacks).toEqual([{ op: 'mul', dtype: 'float32', from: 'gpu:0', to: 'cpu:0', bytes: 36 }]);
    expect(h.stats()).toEqual({ fallbacks: 1, transfers: 3, bytesMoved: 36, fallbacksByOp: { "mul(float32) gpu:0 -> cpu:0": 1 } });
  });

  it('copies a GPU input of a CPU call asynchronously (cpuTensor.add(gpuTensor))', async () => {
    const { h, transfers } = await gpuAndCpu();
    const c = h.tensor([10, 20], { device: 'cpu' });
    const g = h.tensor([1, 2]);
    const r = c.add(g);
    expect(r.device).toBe('cpu:0');
    expect(() => r.dataSync()).toThrow(expect.objectContaining({ code: 'E_SYNC_READ', message: expect.stringContaining('a copy of #1 from gpu:0 to cpu:0') }));
    expect(Array.from(await r.data())).toEqual([11, 22]);
    expect(r.dataSync()).toEqual(new Float32Array([11, 22])); // settled: cpu reads synchronously again
    expect(transfers).toEqual([{ from: 'gpu:0', to: 'cpu:0', bytes: 8, reason: 'mixed-devices' }]);
  });

  it('keeps inputs the user disposes meanwhile, and leaks nothing once settled', async () => {
    const { h } = await gpuAndCpu();
    const kept = await h.scope(async () => {
      const a = h.tensor([1, 2]);
      const sq = h.mul(a, a);
      a.dispose();
      const r = sq.add(sq);
      sq.dispose();
      return r; // the scope disposes nothing the pending work needs
    });
    expect(Array.from(await kept.data())).toEqual([2, 8]);
    kept.dispose();
    expect(h.leaks()).toEqual([]);
    expect(h.memoryOf('gpu').bytes).toBe(0);
    expect(h.memoryOf('cpu').bytes).toBe(0);
  });

  it('rejects reads of a failed pending result and of ops chained on it with the coded error, without unhandled rejections', async () => {
    const { h, gpuBackend } = await gpuAndCpu();
    const a = h.tensor([1, 2]);
    gpuBackend.faults.read = async () => {
      throw new Error('device lost');
    };
    const sq = h.mul(a, a);
    const chained = sq.add(a);
    await expect(sq.data()).rejects.toMatchObject({ code: 'E_BACKEND', message: expect.stringContaining('device lost') });
    await expect(chained.data()).rejects.toMatchObject({ code: 'E_BACKEND' });
  });

  it('the error policy still refuses, and warn warns', async () => {
    const { h } = await gpuAndCpu('error');
    const a = h.tensor([1]);
    expect(() => h.mul(a, a)).toThrow(expect.objectContaining({ code: 'E_NO_KERNEL' }));
    expect(() => h.tensor([1], { device: 'cpu' }).add(a)).toThrow(expect.objectContaining({ code: 'E_DEVICE_MISMATCH' }));
  });
});

describe('the warn policy without a listener', () => {
  it('warns once per (op, device) on stderr', async () => {
    const { h } = await gpuAndCpu('warn');
    const lines: string[] = [];
    const orig = console.warn;
    console.warn = (m: string) => void lines.push(m);
    try {
      const a = h.tensor([1, 2]);
      for (let i = 0; i < 3; i++) await h.mul(a, a).data();
    } finally {
      console.warn = orig;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('mul');
  });
});
