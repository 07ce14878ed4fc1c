/**
 * The loader's path for small tensors: freed blocks are pooled by size and handed out again without a call
 * into the library. Reuse must never show one tensor another's data, and errors and statistics stay exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHearth, HearthError, type HearthPlugin, type HostArray } from '@hearth/core';
import { loadNativePlugin, plugin as referencePlugin } from '../src/index.js';
import { buildFixture, errorOf } from './fixtures.js';

const libs: Record<string, string> = {};

beforeAll(() => {
  for (const v of ['KERNEL_ERROR', 'SMALL_MEMORY']) libs[v] = buildFixture('variant.c', `small-calls-${v.toLowerCase().replace('_', '-')}`, [v]);
}, 120_000);

async function open(plugin: HearthPlugin) {
  const h = createHearth({ plugins: [plugin], backends: ['native'] });
  await h.ready();
  return h;
}

describe('small calls through the native loader', () => {
  it('many small calls interleaved with reads in flight give the right values', async () => {
    const h = await open(referencePlugin);
    const reads: [Promise<HostArray>, number[]][] = [];
    for (let i = 0; i < 400; i++) {
      const n = 1 + (i % 4);
      // Halves and small integers: every sum is exact in float32.
      const xs = Array.from({ length: n }, (_, k) => i + k / 2);
      const ys = Array.from({ length: n }, (_, k) => -2 * k + 0.5);
      const a = h.tensor(xs);
      const b = h.tensor(ys);
      const c = h.add(a, b);
      const want = xs.map((x, k) => x + ys[k]!);
      // Every third result is disposed while its read is in flight: its block must not be handed to the
      // next tensors of the same size before the read has copied it.
      if (i % 3 === 0) reads.push([c.data(), want]);
      else expect(Array.from(await c.data())).toEqual(want);
      c.dispose();
      a.dispose();
      b.dispose();
    }
    for (const [read, want] of reads) expect(Array.from(await read)).toEqual(want);
    // Pooled blocks are not tensors: the library's count is what tensors hold, none.
    expect(h.backendStats('native:0')).toMatchObject({ liveAllocations: 0, liveBytes: 0 });
    await h.dispose();
  });

  it('launches whose tensors change shape, dtype or count from one call to the next each get their own descriptors', async () => {
    const h = await open(referencePlugin);
    const x = h.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    const row = h.tensor([10, 20, 30], { shape: [1, 3] });
    const col = h.tensor([100, 200], { shape: [2, 1] });
    for (let i = 0; i < 30; i++) {
      // The same op on new layouts, another op with an attribute, a cast that keeps the input's shape object.
      const a = h.add(x, row);
      const b = h.add(x, col);
      const s = h.sum(a, 1);
      const c = h.cast(b, 'int32'); // c's shape is b's own frozen array
      const f = h.add(b, b);
      const d = h.add(c, c); // the same shapes as the launch before, another dtype
      const e = h.neg(x);
      expect(Array.from(await a.data())).toEqual([11, 22, 33, 14, 25, 36]);
      expect(Array.from(await b.data())).toEqual([101, 102, 103, 204, 205, 206]);
      expect(Array.from(await s.data())).toEqual([66, 75]);
      expect(Array.from(await f.data())).toEqual([202, 204, 206, 408, 410, 412]);
      expect(Array.from(await d.data())).toEqual([202, 204, 206, 408, 410, 412]);
      expect(d.dtype).toBe('int32');
      expect(Array.from(await e.data())).toEqual([-1, -2, -3, -4, -5, -6]);
      for (const t of [a, b, s, c, f, d, e]) t.dispose();
    }
    await h.dispose();
  });

  it('an error status from a small launch is still a coded error; the output it released is reused correctly', async () => {
    const h = await open(loadNativePlugin(libs['KERNEL_ERROR']!));
    const a = h.tensor([1, 2], { device: 'native:0' });
    const b = h.tensor([3, 4], { device: 'native:0' });
    for (let i = 0; i < 50; i++) {
      const e = errorOf(() => h.add(a, b));
      expect(e.code).toBe('E_KERNEL');
      expect(e.message).toContain('add(float32) failed (UNSUPPORTED): add: this device cannot add today');
      const d = h.sub(a, b);
      expect(Array.from(await d.data())).toEqual([-2, -2]);
      d.dispose();
    }
    expect(h.leaks()).toHaveLength(2);
    expect(h.backendStats('native:0')).toMatchObject({ liveAllocations: 2, liveBytes: 16 });
    await h.dispose();
  });

  it('an allocation the device can no longer hold gets the pooled blocks back first', async () => {
    const h = await open(loadNativePlugin(libs['SMALL_MEMORY']!));
    // Eight 8 KiB tensors fill the 64 KiB device; disposed, their blocks stay pooled in the loader.
    const filled = Array.from({ length: 8 }, (_, i) => h.full([2048], i));
    for (const t of filled) t.dispose();
    const big = h.full([4096], 7);
    expect((await big.data()).every((v) => v === 7)).toBe(true);
    // Past what the device has, the library's own answer stands.
    const e = errorOf(() => h.full([16384], 1));
    expect(e.code).toBe('E_OUT_OF_MEMORY');
    expect(e.message).toContain('the 64 KiB test device is full');
    big.dispose();
    await h.dispose();
  });
});
