import { describe, expect, it } from 'vitest';
import { WasmHeap } from './heap.js';
import { loadKernels } from './module.js';
import { SHARE, SOLO, ThreadPool, WAKE } from './threads.js';

describe('ThreadPool', () => {
  it('runs a kernel on the calling thread alone when workers cannot start, and stays single-threaded', async () => {
    const loaded = await loadKernels(true);
    let tries = 0;
    const pool = new ThreadPool(loaded, 4, () => {
      tries++;
      throw new Error('no workers here');
    });
    const heap = new WasmHeap(loaded.memory);
    const n = 100_003;
    const x = heap.allocate('float32', n);
    const out = heap.allocate('float32', n);
    (x.data as Float32Array).set(Float32Array.from({ length: n }, (_, i) => i - 50_000));
    pool.run('unary_f32', [1, x.ptr, out.ptr, n], true); // abs
    pool.run('unary_f32', [0, out.ptr, out.ptr, n], true); // neg, in place
    expect(Array.from((out.data as Float32Array).subarray(0, 3))).toEqual([-50_000, -49_999, -49_998]);
    expect((out.data as Float32Array)[n - 1]).toBe(-50_002);
    expect(pool.threads).toBe(1);
    expect(tries).toBe(1);
    pool.dispose();
  });

  it('splits a kernel over started workers and gets every chunk done exactly once', async () => {
    const { Worker } = await import('node:worker_threads');
    const loaded = await loadKernels(true);
    const workers: InstanceType<typeof Worker>[] = [];
    const pool = new ThreadPool(loaded, 3, (source, workerData) => {
      const w = new Worker(source, { eval: true, workerData });
      workers.push(w);
      return w;
    });
    const heap = new WasmHeap(loaded.memory);
    const n = 1_000_001;
    const x = heap.allocate('float32', n);
    (x.data as Float32Array).fill(1);
    for (let r = 0; r < 20; r++) pool.run('binary_f32', [0, x.ptr, x.ptr, x.ptr, n, n, 0, 1], true); // x += x, in place
    const d = x.data as Float32Array;
    expect(d[0]).toBe(2 ** 20);
    expect(d.every((v) => v === 2 ** 20)).toBe(true);
    expect(workers.length).toBe(2);
    pool.dispose();
  });
});

describe('ThreadPool split levels', () => {
  it('runs a lone SHARE job on the calling thread without starting a worker', async () => {
    const loaded = await loadKernels(true);
    let spawned = 0;
    const pool = new ThreadPool(loaded, 2, () => {
      spawned++;
      throw new Error('a worker was started for a lone small job');
    });
    const heap = new WasmHeap(loaded.memory);
    const n = 50_001;
    const x = heap.allocate('float32', n);
    (x.data as Float32Array).fill(-4);
    pool.run('unary_f32', [1, x.ptr, x.ptr, n], SHARE); // abs
    expect((x.data as Float32Array).every((v) => v === 4)).toBe(true);
    expect(spawned).toBe(0);
    pool.dispose();
  });

  it('gets every chunk done exactly once over runs of SOLO, SHARE and WAKE jobs in any order', async () => {
    const { Worker } = await import('node:worker_threads');
    const loaded = await loadKernels(true);
    const pool = new ThreadPool(loaded, 2, (source, workerData) => new Worker(source, { eval: true, workerData }));
    const heap = new WasmHeap(loaded.memory);
    const n = 300_007;
    const x = heap.allocate('float32', n);
    (x.data as Float32Array).fill(1);
    const levels = [WAKE, SHARE, SHARE, SOLO, SHARE, WAKE, SOLO, SOLO, SHARE, SHARE, WAKE, SHARE];
    for (const level of levels) pool.run('binary_f32', [0, x.ptr, x.ptr, x.ptr, n, n, 0, 1], level); // x += x
    expect((x.data as Float32Array).every((v) => v === 2 ** levels.length)).toBe(true);
    pool.dispose();
  });
});

describe('ThreadPool.prestart (how browsers start workers: before the first job, without blocking)', () => {
  it('starts every worker while the calling thread keeps its event loop, and a job then uses them', async () => {
    const { Worker } = await import('node:worker_threads');
    const loaded = await loadKernels(true);
    let spawned = 0;
    const pool = new ThreadPool(loaded, 3, (source, workerData) => {
      spawned++;
      return new Worker(source, { eval: true, workerData });
    });
    expect(await pool.prestart()).toBe(true);
    expect(spawned).toBe(2);
    const heap = new WasmHeap(loaded.memory);
    const n = 600_001;
    const x = heap.allocate('float32', n);
    (x.data as Float32Array).fill(-2);
    pool.run('unary_f32', [1, x.ptr, x.ptr, n], true); // abs
    expect((x.data as Float32Array).every((v) => v === 2)).toBe(true);
    expect(spawned).toBe(2); // no second start
    expect(pool.threads).toBe(3);
    pool.dispose();
  });

  it('resolves false and stays single-threaded when workers cannot start', async () => {
    const loaded = await loadKernels(true);
    const pool = new ThreadPool(loaded, 2, () => {
      throw new Error('no workers here');
    });
    expect(await pool.prestart()).toBe(false);
    expect(pool.threads).toBe(1);
  });
});

describe('ThreadPool after dispose', () => {
  it('never starts workers once disposed, and still runs a kernel (on the calling thread)', async () => {
    const loaded = await loadKernels(true);
    let spawned = 0;
    const pool = new ThreadPool(loaded, 3, () => {
      spawned++;
      throw new Error('a worker was started after dispose()');
    });
    pool.dispose(); // before any parallel job: the workers were never started
    const heap = new WasmHeap(loaded.memory);
    const n = 200_001;
    const x = heap.allocate('float32', n);
    (x.data as Float32Array).fill(3);
    pool.run('unary_f32', [0, x.ptr, x.ptr, n], true); // neg
    expect((x.data as Float32Array)[n - 1]).toBe(-3);
    expect(spawned).toBe(0);
  });
});
