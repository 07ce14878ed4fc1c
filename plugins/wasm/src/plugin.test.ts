import { describe, expect, it } from 'vitest';
import { createHearth, HearthError } from '@hearth/core';
import { wasmPlugin } from './index.js';
import { randomF32, wasmHearth } from './test-util.js';

describe('@hearth/plugin-wasm', () => {
  it('reports its threads and shared memory, and splits big work over them', async () => {
    const h = await wasmHearth(2);
    const info = h.devices()[0]!.info;
    expect(info).toMatchObject({ type: 'wasm', threads: 2, sharedMemory: true });
    await h.dispose();
  });

  it('refuses a threads option that is not a positive integer, saying which', async () => {
    const h = createHearth({ plugins: [wasmPlugin], backends: ['wasm'], backendOptions: { wasm: { threads: 0 } } });
    const err = await h.ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HearthError);
    expect((err as HearthError).message).toMatch(/threads.*positive integer, got 0/);
    await h.dispose();
  });

  it.each([1, 2])('keeps every tensor intact while the memory grows (%i thread(s)), and frees what is disposed', async (threads) => {
    const h = await wasmHearth(threads);
    const device = h.devices()[0]!.name;
    const small = h.tensor([1.5, -2, 3]);
    const ints = h.tensor(Int32Array.from([7, -8]), { dtype: 'int32' });
    const big = [0, 1, 2].map((i) => h.tensor(randomF32(i, 3_000_000)));
    expect(Array.from(await small.data())).toEqual([1.5, -2, 3]);
    expect(Array.from(small.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(await ints.data())).toEqual([7, -8]);
    expect(Array.from((await big[1]!.data()).subarray(0, 3))).toEqual(Array.from(randomF32(1, 3)));
    expect(h.backendStats(device).liveAllocations).toBe(5);
    for (const t of [small, ints, ...big]) t.dispose();
    expect(h.backendStats(device)).toMatchObject({ liveAllocations: 0, liveBytes: 0 });
    expect(h.leaks()).toEqual([]);
    await h.dispose();
  });

  it('refuses float64, pointing at the cpu backend', async () => {
    const h = await wasmHearth(1);
    expect(() => h.tensor([1], { dtype: 'float64' })).toThrow(/float64/);
    await h.dispose();
  });
});
