/**
 * Many small calls, as a model's inner loop makes them: a call whose inputs are ready on one device in the
 * compute dtype goes straight to its kernel, the others are arranged first (casts, copies). Both paths give
 * the same values and refuse the same inputs.
 */
import { describe, expect, it } from 'vitest';
import { createHearth, type Tensor } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { cpu, errorOf } from './helpers.js';

describe('small calls', () => {
  it('interleaved with reads, give the right values whether they run directly or are arranged first', async () => {
    const h = await cpu();
    let x: Tensor = h.tensor([0.5, -1.5]);
    const ones = h.tensor([1, 2], { dtype: 'int32' });
    const twoFour = h.tensor([2, 4], { dtype: 'int32' });
    const four = h.tensor(4);
    // What float32 arithmetic gives, step by step (each result rounded to float32).
    let want = [0.5, -1.5];
    for (let i = 0; i < 200; i++) {
      // Same dtype on one device: direct. An int32 operand: cast to float32 first. div of int32s: float32.
      const doubled = h.add(x, x);
      const shifted = h.add(doubled, ones);
      const halves = h.div(ones, twoFour);
      want = want.map((v, k) => Math.fround(2 * v + (k + 1)));
      if (i % 7 === 0) expect(Array.from(await shifted.data())).toEqual(want);
      expect(Array.from(halves.dataSync())).toEqual([0.5, 0.5]);
      expect(halves.dtype).toBe('float32');
      x.dispose();
      doubled.dispose();
      halves.dispose();
      x = h.div(shifted, four); // a 0-d divisor broadcasts: a new output shape, frozen for kernels
      want = want.map((v) => Math.fround(v / 4));
      shifted.dispose();
    }
    expect(Array.from(await x.data())).toEqual(want);
    expect(h.leaks()).toHaveLength(4); // x, ones, twoFour, four
    await h.dispose();
  });

  it('that would run directly still refuse what every call refuses', async () => {
    const h = await cpu();
    const other = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
    await other.ready();
    const a = h.tensor([1, 2]);
    const gone = h.tensor([1, 2]);
    gone.dispose();
    expect(errorOf(() => h.add(a, gone)).code).toBe('E_DISPOSED');
    expect(errorOf(() => h.add(a, other.tensor([1, 2]))).code).toBe('E_DEVICE_MISMATCH');
    const flags = h.tensor([true, false]);
    const e = errorOf(() => h.add(flags, flags));
    expect(e.code).toBe('E_DTYPE');
    expect(e.message).toContain('add: the inputs compute in bool');
    const three = h.tensor([1, 2, 3]);
    expect(errorOf(() => h.add(a, three)).code).toBe('E_BROADCAST');
    // No refused call left an output behind.
    expect(h.leaks().map((t) => t.id)).toEqual([a.id, flags.id, three.id]);
    await other.dispose();
    await h.dispose();
  });
});
