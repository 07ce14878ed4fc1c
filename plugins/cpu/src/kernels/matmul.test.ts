import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, numel, randomValues, ravel, rng, t, tolFor, unravel, values } from './test-util.js';

/**
 * NumPy matmul, naively: 1-D operands become [1, K] / [K, 1]; batch axes broadcast; each dot product is
 * summed in float64, or in BigInt and wrapped for int32.
 */
function refMatmul(a: number[], as: number[], b: number[], bs: number[], int: boolean): { shape: number[]; values: number[] } {
  const a2 = as.length === 1 ? [1, as[0]!] : as;
  const b2 = bs.length === 1 ? [bs[0]!, 1] : bs;
  const [m, k] = a2.slice(-2) as [number, number];
  const n = b2[b2.length - 1]!;
  const ab = a2.slice(0, -2);
  const bb = b2.slice(0, -2);
  const rank = Math.max(ab.length, bb.length);
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const batch = pad(ab).map((d, i) => (d === 1 ? pad(bb)[i]! : d));
  const outValues: number[] = [];
  for (let bi = 0; bi < numel(batch); bi++) {
    const idx = unravel(bi, batch);
    const pick = (s: number[]) => ravel(pad(s).map((d, i) => (d === 1 ? 0 : idx[i]!)), pad(s));
    const ao = pick(ab) * m * k;
    const bo = pick(bb) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (int) {
          let s = 0n;
          for (let p = 0; p < k; p++) s += BigInt(a[ao + i * k + p]!) * BigInt(b[bo + p * n + j]!);
          outValues.push(Number(BigInt.asIntN(32, s)));
        } else {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[ao + i * k + p]! * b[bo + p * n + j]!;
          outValues.push(s);
        }
      }
    }
  }
  const shape = [...batch, ...(as.length > 1 ? [m] : []), ...(bs.length > 1 ? [n] : [])];
  return { shape, values: outValues };
}

describe('matmul', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('hand-checked matrix, vector and empty products', () =>
    leakFree(h, () => {
      expect(values(h.matmul(t(h, [1, 2, 3, 4], [2, 2]), t(h, [5, 6, 7, 8], [2, 2])))).toEqual([19, 22, 43, 50]);
      const dot = h.matmul(t(h, [1, 2, 3], [3]), t(h, [4, 5, 6], [3]));
      expect(dot.shape).toEqual([]);
      expect(values(dot)).toEqual([32]);
      const vm = h.matmul(t(h, [1, 2], [2]), t(h, [1, 2, 3, 4, 5, 6], [2, 3]));
      expect(vm.shape).toEqual([3]);
      expect(values(vm)).toEqual([9, 12, 15]);
      const mv = h.matmul(t(h, [1, 2, 3, 4], [2, 2]), t(h, [1, 1], [2]));
      expect(mv.shape).toEqual([2]);
      expect(values(mv)).toEqual([3, 7]);
      const z = h.matmul(t(h, [], [2, 0]), t(h, [], [0, 3]));
      expect(z.shape).toEqual([2, 3]);
      expect(values(z)).toEqual([0, 0, 0, 0, 0, 0]);
    }));

  it('int32 wraps around exactly, even where float64 products would lose bits', () =>
    leakFree(h, () => {
      expect(values(h.matmul(t(h, [65536], [1, 1], 'int32'), t(h, [65536], [1, 1], 'int32')))).toEqual([0]);
      // (2^31 - 1)^2 ≡ 1 (mod 2^32), twice.
      expect(values(h.matmul(t(h, [2147483647, 2147483647], [2], 'int32'), t(h, [2147483647, 2147483647], [2], 'int32')))).toEqual([2]);
      expect(values(h.matmul(t(h, [123456789], [1], 'int32'), t(h, [987654321], [1], 'int32')))).toEqual([Number(BigInt.asIntN(32, 123456789n * 987654321n))]);
    }));

  it('propagates NaN and Inf, and promotes int32 with float32 to float32', () =>
    leakFree(h, () => {
      expect(values(h.matmul(t(h, [NaN, 1, 1, 1], [2, 2]), t(h, [1, 0, 0, 1], [2, 2])))).toEqual([NaN, NaN, 1, 1]);
      expect(values(h.matmul(t(h, [Infinity, 1], [1, 2]), t(h, [1, -1], [2, 1])))).toEqual([Infinity]);
      const y = h.matmul(t(h, [1, 2], [1, 2], 'int32'), t(h, [0.5, 0.25], [2, 1]));
      expect(y.dtype).toBe('float32');
      expect(values(y)).toEqual([1]);
    }));

  it('matches the reference on random shapes with broadcast batch axes, for every numeric dtype', () =>
    leakFree(h, () => {
      const rand = rng(21);
      const cases: [number[], number[]][] = [
        [[3, 4], [4, 5]],
        [[2, 1, 3, 4], [5, 4, 2]],
        [[3], [2, 3, 4]],
        [[2, 3, 4], [4]],
        [[1, 2, 3], [4, 3, 1]],
        [[0, 2, 3], [3, 2]],
        [[2, 0], [0, 2]],
        [[17, 33], [33, 9]],
      ];
      for (const dtype of ['float32', 'float64', 'int32'] as DType[]) {
        for (const [as, bs] of cases) {
          const a = randomValues(rand, numel(as), dtype);
          const b = randomValues(rand, numel(bs), dtype);
          const y = h.matmul(t(h, a, as, dtype), t(h, b, bs, dtype));
          const ref = refMatmul(a, as, b, bs, dtype === 'int32');
          expect(y.shape).toEqual(ref.shape);
          expectClose(values(y), dtype === 'float32' ? ref.values.map(Math.fround) : ref.values, tolFor(dtype), dtype === 'int32' ? 0 : 1e-12);
        }
      }
    }));
});
