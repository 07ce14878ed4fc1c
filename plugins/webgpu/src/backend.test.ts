import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, isHearthError, type Hearth } from '@hearth/core';
import { gpuRuntime, tensor, values } from '../test/gpu-runtime.js';
import { createWebGPUPlugin, webgpuPlugin, WebGPUBackend, BufferPool } from './index.js';

let hearth: Hearth;
let backend: WebGPUBackend;
beforeAll(async () => ({ hearth, backend } = await gpuRuntime()));
afterAll(() => hearth.dispose());

async function rejectsWith(p: Promise<unknown> | (() => unknown), code: string): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isHearthError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return (e as Error).message;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('the adapter', () => {
  it('names the adapter it took in the device info', () => {
    const info = hearth.devices()[0]!.info;
    expect(info.type).toBe('webgpu');
    expect(typeof info['backend']).toBe('string');
    expect(typeof info.software).toBe('boolean');
    expect(info.name.length).toBeGreaterThan(0);
    // The adapter's limits were requested, not the defaults (compatibility mode defaults to 128).
    expect(backend.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
  });

  it('is the preferred backend when several plugins are given', () => {
    expect(webgpuPlugin.manifest.priority).toBeGreaterThan(0);
    expect(webgpuPlugin.manifest.deviceTypes).toEqual(['webgpu']);
  });
});

describe('errors a user can cause', () => {
  it('a shape too large for one binding is E_OUT_OF_MEMORY naming the limit', async () => {
    const n = backend.limits.maxStorageBufferBindingSize / 4 + 1;
    const msg = await rejectsWith(() => hearth.op('full', [], { shape: [n] }), 'E_OUT_OF_MEMORY');
    expect(msg).toMatch(/maxStorageBufferBindingSize/);
    expect(hearth.leaks()).toEqual([]);
  });

  it('float64 is never stored, and float16 only with shader-f16: tensors and results of that dtype give E_DTYPE', async () => {
    expect(backend.dtypes).not.toContain('float64');
    await rejectsWith(() => hearth.tensor(new Float64Array([1, 2])), 'E_DTYPE');
    if (!backend.dtypes.includes('float16')) {
      await rejectsWith(() => hearth.tensor([1, 2], { dtype: 'float16' }), 'E_DTYPE');
      const x = tensor(hearth, [1, 2], [2]);
      expect(await rejectsWith(() => hearth.op('cast', [x], { dtype: 'float16' }), 'E_DTYPE')).toMatch(/float16/);
      expect(hearth.supports('exp', ['float16'])).toBe(false);
      x.dispose();
    }
    expect(hearth.supports('exp', ['float32'])).toBe(true);
  });

  it('dataSync gives the core\'s E_SYNC_READ; data() reads asynchronously', async () => {
    const t = tensor(hearth, [1, 2, 3], [3]);
    await rejectsWith(() => t.dataSync(), 'E_SYNC_READ');
    expect(await values(t)).toEqual([1, 2, 3]);
    t.dispose();
  });

  it('a GPU validation error reaches the next read as E_GPU_VALIDATION with the GPU message', async () => {
    const t = tensor(hearth, [1], [1]);
    // MAP_READ cannot be combined with STORAGE: the device rejects this buffer.
    backend.device.createBuffer({ size: 4, usage: 0x1 | 0x80 });
    const msg = await rejectsWith(t.data(), 'E_GPU_VALIDATION');
    expect(msg.length).toBeGreaterThan(40);
    // The error is reported once; the device keeps working.
    expect(await values(t)).toEqual([1]);
    t.dispose();
  });

  it('a lost device rejects reads and refuses new work with E_DEVICE_LOST, never hangs', () => {
    // In a child process: after an explicit destroy, Dawn may abort while tearing its threads down at process
    // exit (std::system_error), which would take the test worker with it. What the user sees comes first.
    const script = `
      import { createHearth } from ${JSON.stringify(new URL('../../../core/dist/index.js', import.meta.url).href)};
      import { createWebGPUPlugin } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const own = createHearth({ plugins: [createWebGPUPlugin()], backends: ['webgpu'] });
      await own.ready();
      const t = own.tensor([1, 2, 3]);
      const y = own.op('exp', [t]);
      own.device('webgpu').ctx.backend.device.destroy();
      const codeOf = async (f) => { try { await f(); return 'nothing thrown'; } catch (e) { return e.code + ' ' + e.message; } };
      console.log('read: ' + await codeOf(() => y.data()));
      console.log('op: ' + await codeOf(() => own.op('exp', [t])));
      await own.dispose();
      console.log('disposed');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, EGL_PLATFORM: 'surfaceless' } });
    expect(r.stdout).toMatch(/^read: E_DEVICE_LOST .*(destroyed|lost)/im);
    expect(r.stdout).toMatch(/^op: E_DEVICE_LOST/m);
    expect(r.stdout).toMatch(/^disposed$/m);
  }, 60_000);
});

describe('memory and batching', () => {
  it('reuses freed buffers from size buckets and reports pooled bytes apart from live ones', async () => {
    expect(BufferPool.bucket(1)).toBe(256);
    expect(BufferPool.bucket(1000)).toBe(1024);
    expect(BufferPool.bucket(700)).toBe(768);
    const a = tensor(hearth, new Array(1000).fill(1), [1000]); // 4000 bytes: the 4096-byte bucket
    const before = backend.stats();
    a.dispose();
    const after = backend.stats();
    expect(after.liveAllocations).toBe(before.liveAllocations - 1);
    expect(after.pooledBytes).toBeGreaterThanOrEqual(4096);
    const b = tensor(hearth, new Array(990).fill(2), [990]); // 3960 bytes: the same bucket, taken from the pool
    expect(backend.stats().pooledBytes).toBe(after.pooledBytes - 4096);
    expect(await values(b)).toEqual(new Array(990).fill(2));
    b.dispose();
  });

  it('batches a chain of kernels into one submission and caches pipelines', async () => {
    const x = tensor(hearth, [0.5, 1.5], [2]);
    let y = hearth.op('exp', [x]);
    await y.data();
    const s0 = backend.stats();
    const made = [y];
    for (let i = 0; i < 10; i++) made.push((y = hearth.op('add', [y, x])));
    const s1 = backend.stats();
    expect(s1.submits).toBe(s0.submits);
    expect(s1.pipelines).toBe(s0.pipelines + 1); // add compiled once, reused nine times
    let got: number[];
    try {
      got = await values(y);
    } finally {
      for (const t of [x, ...made]) t.dispose();
    }
    // One submission for the eleven kernels (the core's flush), one for the read-back copy.
    expect(backend.stats().submits).toBe(s0.submits + 2);
    expect(got[0]).toBeCloseTo(Math.exp(0.5) + 5, 4);
  });

  it('leaves no live tensor or buffer behind', () => {
    expect(hearth.leaks()).toEqual([]);
    const ledger = hearth.memoryOf('webgpu');
    expect(ledger.bytes).toBe(0);
    expect(backend.stats().liveAllocations).toBe(0);
    expect(backend.stats().liveBytes).toBe(0);
  });
});
