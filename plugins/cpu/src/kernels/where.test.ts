import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, numel, randomValues, ravel, rng, t, unravel, values } from './test-util.js';

/** where over broadcast shapes, by multi-indices (numpy rules: align trailing axes, size 1 stretches). */
function refWhere(c: number[], cs: number[], a: number[], as: number[], b: number[], bs: number[], out: number[]): number[] {
  const pick = (data: number[], shape: number[], idx: number[]) =>
    data[ravel(shape.map((d, k) => (d === 1 ? 0 : idx[k + idx.length - shape.length]!)), shape)]!;
  return Array.from({ length: numel(out) }, (_, i) => {
    const idx = unravel(i, out);
    return pick(c, cs, idx) ? pick(a, as, idx) : pick(b, bs, idx);
  });
}

describe('where', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('picks a where cond is true, else b, broadcasting all three', () =>
    leakFree(h, () => {
      const c = t(h, [1, 0, 1], [3], 'bool');
      const a = t(h, [10, 20], [2, 1]);
      const b = t(h, [-1], []);
      const y = h.where(c, a, b);
      expect(y.shape).toEqual([2, 3]);
      expect(values(y)).toEqual([10, -1, 10, 20, -1, 20]);
    }));

  it('promotes a and b (int32 with float32 computes float32) and keeps NaN and -0 as they are', () =>
    leakFree(h, () => {
      const y = h.where(t(h, [1, 0, 1], [3], 'bool'), t(h, [1, 2, 3], [3], 'int32'), t(h, [NaN, -0, 0.5], [3]));
      expect(y.dtype).toBe('float32');
      const v = values(y);
      expect(v[0]).toBe(1);
      expect(Object.is(v[1], -0)).toBe(true);
      expect(v[2]).toBe(3);
      expect(values(h.where(t(h, [0], [1], 'bool'), t(h, [1], [1]), t(h, [NaN], [1])))).toEqual([NaN]);
    }));

  it('matches the reference on random broadcast shapes for every dtype, including rank 0 and zero-size', () =>
    leakFree(h, () => {
      const rand = rng(7);
      const cases: [number[], number[], number[]][] = [
        [[2, 3, 4], [3, 4], [4]],
        [[1, 3, 1], [2, 1, 5], []],
        [[], [], []],
        [[4, 1], [0, 1, 3], [1, 3]],
        [[5], [5], [1]],
      ];
      for (const dtype of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
        for (const [cs, as, bs] of cases) {
          const cv = randomValues(rand, numel(cs), 'bool');
          const av = randomValues(rand, numel(as), dtype);
          const bv = randomValues(rand, numel(bs), dtype);
          const y = h.where(t(h, cv, cs, 'bool'), t(h, av, as, dtype), t(h, bv, bs, dtype));
          expect(y.dtype).toBe(dtype);
          expectClose(values(y), refWhere(cv, cs, av, as, bv, bs, y.shape as number[]));
        }
      }
    }));
});
