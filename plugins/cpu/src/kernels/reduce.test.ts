import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, numel, randomValues, ravel, rng, t, tolFor, unravel, values } from './test-util.js';

type Op = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'argmax' | 'argmin';

/**
 * A naive float64 reduction: every input element is visited by multi-index and folded into the output
 * element it belongs to; `j` is its row-major position within the reduced axes (argmax's index).
 */
function refReduce(op: Op, data: number[], shape: number[], axes: number[], dtype: DType): { shape: number[]; keepShape: number[]; values: number[] } {
  const keepShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const redShape = axes.map((a) => shape[a]!);
  const n = numel(redShape);
  const acc: number[] = new Array(numel(keepShape)).fill(op === 'prod' ? 1 : op === 'max' ? -Infinity : op === 'min' ? Infinity : 0);
  const best: number[] = new Array(acc.length).fill(NaN);
  const at: number[] = new Array(acc.length).fill(-1);
  // int32 products overflow float64's 53 bits; BigInt keeps them exact before wrapping.
  const big: bigint[] = new Array(acc.length).fill(1n);
  for (let i = 0; i < data.length; i++) {
    const idx = unravel(i, shape);
    const o = ravel(idx.map((v, k) => (axes.includes(k) ? 0 : v)), keepShape);
    const j = ravel(axes.map((a) => idx[a]!), redShape);
    const v = data[i]!;
    if (op === 'sum' || op === 'mean') acc[o] += v;
    else if (op === 'prod') {
      acc[o] *= v;
      big[o] *= BigInt(dtype === 'int32' ? v : 0);
    }
    else if (op === 'max') acc[o] = Number.isNaN(acc[o]!) || Number.isNaN(v) ? NaN : v > acc[o]! ? v : acc[o]!;
    else if (op === 'min') acc[o] = Number.isNaN(acc[o]!) || Number.isNaN(v) ? NaN : v < acc[o]! ? v : acc[o]!;
    else {
      // First extreme wins; the first NaN wins outright. Elements arrive in increasing j per output.
      const cur = best[o]!;
      const done = at[o]! >= 0 && Number.isNaN(cur);
      const better = op === 'argmax' ? v > cur : v < cur;
      if (!done && (at[o]! < 0 || Number.isNaN(v) || better)) {
        best[o] = v;
        at[o] = j;
      }
    }
  }
  let out = op === 'argmax' || op === 'argmin' ? at : op === 'mean' ? acc.map((s) => s / n) : acc;
  if (dtype === 'int32' && op === 'sum') out = out.map((v) => Number(BigInt.asIntN(32, BigInt(v))));
  if (dtype === 'int32' && op === 'prod') out = big.map((v) => Number(BigInt.asIntN(32, v)));
  return { shape: shape.filter((_, i) => !axes.includes(i)), keepShape, values: out };
}

describe('reductions', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('sum, mean, prod, max, min over axes, with keepdims (hand-checked)', () =>
    leakFree(h, () => {
      const x = t(h, [1, 2, 3, 4, 5, 6], [2, 3]);
      expect(values(h.sum(x, { axes: 0 }))).toEqual([5, 7, 9]);
      const k = h.sum(x, { axes: -1, keepdims: true });
      expect(k.shape).toEqual([2, 1]);
      expect(values(k)).toEqual([6, 15]);
      expect(values(h.sum(x))).toEqual([21]);
      expect(values(h.mean(x, { axes: 1 }))).toEqual([2, 5]);
      expect(values(h.prod(x, { axes: 0 }))).toEqual([4, 10, 18]);
      expect(values(h.max(x, { axes: [0, 1] }))).toEqual([6]);
      expect(values(h.min(x, { axes: 1 }))).toEqual([1, 4]);
      const m = h.mean(t(h, [1, 2], [2], 'int32'));
      expect(m.dtype).toBe('float32');
      expect(values(m)).toEqual([1.5]);
    }));

  it('accumulates float32 in float64 before rounding once', () =>
    leakFree(h, () => {
      // In float32 arithmetic 2^24 + 1 + 1 + 1 + 1 stays 2^24; the exact sum 2^24 + 4 is a float32.
      expect(values(h.sum(t(h, [16777216, 1, 1, 1, 1], [5])))).toEqual([16777220]);
      expect(values(h.mean(t(h, [16777216, 1, 1, 1, 1], [5])))).toEqual([Math.fround(16777220 / 5)]);
    }));

  it('int32 sum and prod wrap around as two\'s complement', () =>
    leakFree(h, () => {
      expect(values(h.sum(t(h, [2147483647, 1], [2], 'int32')))).toEqual([-2147483648]);
      expect(values(h.sum(t(h, [-2147483648, -1], [2], 'int32')))).toEqual([2147483647]);
      expect(values(h.prod(t(h, [65536, 65536], [2], 'int32')))).toEqual([0]);
      expect(values(h.prod(t(h, [46341, 46341], [2], 'int32')))).toEqual([-2147479015]);
      expect(values(h.prod(t(h, [-3, 1000003, 999983, 7], [4], 'int32')))).toEqual([Number(BigInt.asIntN(32, -3n * 1000003n * 999983n * 7n))]);
      // Products beyond 2^53 lose low bits in float64; (2^31 - 1)^2 wraps to exactly 1.
      expect(values(h.prod(t(h, [2147483647, 2147483647], [2], 'int32')))).toEqual([1]);
      expect(values(h.prod(t(h, [123456789, 987654321], [2], 'int32')))).toEqual([Number(BigInt.asIntN(32, 123456789n * 987654321n))]);
    }));

  it('max and min propagate NaN; infinities and -0 behave', () =>
    leakFree(h, () => {
      const x = t(h, [1, NaN, 3, -Infinity, -Infinity, -Infinity], [2, 3]);
      expect(values(h.max(x, { axes: 1 }))).toEqual([NaN, -Infinity]);
      expect(values(h.min(x, { axes: 1 }))).toEqual([NaN, -Infinity]);
      expect(values(h.max(x, { axes: 0 }))).toEqual([1, NaN, 3]);
      expect(values(h.sum(t(h, [Infinity, 1, -Infinity], [3])))).toEqual([NaN]);
      expect(values(h.sum(t(h, [Infinity, 1e30], [2])))).toEqual([Infinity]);
      expect(values(h.max(t(h, [-0, 0], [2]))).map((v) => Object.is(v, 0))).toEqual([true]);
      expect(values(h.min(t(h, [0, -0], [2]))).map((v) => Object.is(v, -0))).toEqual([true]);
    }));

  it('empty axes give sum 0, prod 1, mean NaN; max over one is E_EMPTY', () =>
    leakFree(h, () => {
      const e = t(h, [], [2, 0]);
      expect(values(h.sum(e, { axes: 1 }))).toEqual([0, 0]);
      expect(values(h.prod(e, { axes: 1 }))).toEqual([1, 1]);
      expect(values(h.mean(e, { axes: 1 }))).toEqual([NaN, NaN]);
      expect(values(h.sum(e))).toEqual([0]);
      expect(h.sum(e, { axes: 0 }).shape).toEqual([0]);
      expect(() => h.max(e)).toThrow(expect.objectContaining({ code: 'E_EMPTY' }));
    }));

  it('argmax/argmin: first index on ties, the first NaN wins, flattened when axis is null', () =>
    leakFree(h, () => {
      expect(values(h.argmax(t(h, [1, 3, 3, 2], [4])))).toEqual([1]);
      expect(values(h.argmin(t(h, [2, 1, 5, 1], [4])))).toEqual([1]);
      expect(values(h.argmax(t(h, [1, NaN, 5, NaN], [4])))).toEqual([1]);
      expect(values(h.argmin(t(h, [1, 5, NaN, -Infinity], [4])))).toEqual([2]);
      const x = t(h, [0, 9, 4, 7, 9, 1], [2, 3]);
      const a = h.argmax(x);
      expect(a.dtype).toBe('int32');
      expect(values(a)).toEqual([1]);
      expect(values(h.argmax(x, { axis: 0 }))).toEqual([1, 0, 0]);
      const k = h.argmin(x, { axis: -1, keepdims: true });
      expect(k.shape).toEqual([2, 1]);
      expect(values(k)).toEqual([0, 2]);
      expect(values(h.argmax(t(h, [3, -7, 3], [3], 'int32')))).toEqual([0]);
    }));

  it('matches the float64 reference on random shapes, axes (negative too), keepdims and dtypes', () =>
    leakFree(h, () => {
      const rand = rng(11);
      const cases: [number[], number[] | null][] = [
        [[2, 3, 4], null],
        [[2, 3, 4], [0]],
        [[2, 3, 4], [-1]],
        [[2, 3, 4], [0, 2]],
        [[2, 3, 4], [-2, 0]],
        [[3, 1, 5, 2], [1, 3]],
        [[4, 5], [1]],
        [[7], [0]],
        [[], null],
        [[], []],
        [[3, 0, 2], [1]],
        [[3, 0, 2], [0, 2]],
        [[6, 4], []],
      ];
      const ops: Op[] = ['sum', 'mean', 'prod', 'max', 'min'];
      for (const dtype of ['float32', 'float64', 'int32'] as DType[]) {
        for (const [shape, axesAttr] of cases) {
          const data = randomValues(rand, numel(shape), dtype);
          if (dtype !== 'int32' && data.length > 3) data[2] = data[0]!; // a tie for argmax/argmin
          const x = t(h, data, shape, dtype);
          const axes = (axesAttr ?? shape.map((_, i) => i)).map((a) => (a < 0 ? a + shape.length : a)).sort((a, b) => a - b);
          for (const op of ops) {
            const empty = axes.some((a) => shape[a] === 0);
            if ((op === 'max' || op === 'min') && empty) continue;
            const outDtype = op === 'mean' && dtype === 'int32' ? 'float32' : dtype;
            for (const keepdims of [false, true]) {
              const y = h[op](x, { axes: axesAttr, keepdims });
              const ref = refReduce(op, data, shape, axes, dtype);
              expect(y.shape).toEqual(keepdims ? ref.keepShape : ref.shape);
              const expected = outDtype === 'float32' ? ref.values.map(Math.fround) : ref.values;
              expectClose(values(y), expected, tolFor(outDtype), outDtype === 'int32' ? 0 : 1e-12);
            }
          }
          for (const op of ['argmax', 'argmin'] as const) {
            if (numel(shape) === 0) continue;
            const argAxes: (number | null)[] = [null, ...shape.map((_, i) => i - shape.length)];
            for (const axis of argAxes) {
              const norm = axis === null ? shape.map((_, i) => i) : [axis + shape.length];
              if (norm.some((a) => shape[a] === 0)) continue;
              expect(values(h[op](x, { axis }))).toEqual(refReduce(op, data, shape, norm, dtype).values);
            }
          }
        }
      }
    }));

  it('argmax/argmin find NaN at any position in random data', () =>
    leakFree(h, () => {
      const rand = rng(5);
      const data = randomValues(rand, 24, 'float64');
      data[7] = NaN;
      data[19] = NaN;
      const x = t(h, data, [2, 3, 4], 'float64');
      for (const axis of [null, 0, 1, 2]) {
        const axes = axis === null ? [0, 1, 2] : [axis];
        expect(values(h.argmax(x, { axis }))).toEqual(refReduce('argmax', data, [2, 3, 4], axes, 'float64').values);
        expect(values(h.argmin(x, { axis }))).toEqual(refReduce('argmin', data, [2, 3, 4], axes, 'float64').values);
      }
    }));
});
