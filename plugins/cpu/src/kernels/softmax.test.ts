import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, numel, randomValues, ravel, rng, t, tolFor, unravel, values } from './test-util.js';

/** Reference softmax/log_softmax by the textbook formula in float64 (inputs are small, so no overflow). */
function refSoftmax(data: number[], shape: number[], axis: number, log: boolean): number[] {
  return data.map((v, i) => {
    const idx = unravel(i, shape);
    let sum = 0;
    for (let k = 0; k < shape[axis]!; k++) {
      const j = idx.slice();
      j[axis] = k;
      sum += Math.exp(data[ravel(j, shape)]!);
    }
    return log ? v - Math.log(sum) : Math.exp(v) / sum;
  });
}

describe('softmax and log_softmax', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('hand-checked values', () =>
    leakFree(h, () => {
      expect(values(h.softmax(t(h, [0, 0, 0, 0], [2, 2])))).toEqual([0.5, 0.5, 0.5, 0.5]);
      expectClose(values(h.softmax(t(h, [0, Math.log(3)], [2], 'float64'))), [0.25, 0.75], 1e-15);
      expectClose(values(h.log_softmax(t(h, [0, 0], [2], 'float64'))), [-Math.LN2, -Math.LN2], 1e-15);
      // Along axis 0 of [[1, 2], [1, 2]]: every column is uniform.
      expect(values(h.softmax(t(h, [1, 2, 1, 2], [2, 2]), 0))).toEqual([0.5, 0.5, 0.5, 0.5]);
    }));

  it('subtracts the max first: huge inputs neither overflow nor underflow to NaN', () =>
    leakFree(h, () => {
      expect(values(h.softmax(t(h, [1e30, 0, -1e30], [3])))).toEqual([1, 0, 0]);
      expect(values(h.softmax(t(h, [1e30, 1e30], [2])))).toEqual([0.5, 0.5]);
      expectClose(values(h.log_softmax(t(h, [1e300, 1e300], [2], 'float64'))), [-Math.LN2, -Math.LN2], 1e-15);
      expect(values(h.log_softmax(t(h, [0, -1e30], [2])))).toEqual([0, Math.fround(-1e30)]);
    }));

  it('a NaN makes its slice NaN and leaves other slices alone', () =>
    leakFree(h, () => {
      const x = t(h, [1, NaN, 0, 0], [2, 2]);
      expect(values(h.softmax(x))).toEqual([NaN, NaN, 0.5, 0.5]);
      expect(values(h.log_softmax(x)).slice(0, 2)).toEqual([NaN, NaN]);
    }));

  it('computes int32 input in float32', () =>
    leakFree(h, () => {
      const y = h.softmax(t(h, [1, 1], [2], 'int32'));
      expect(y.dtype).toBe('float32');
      expect(values(y)).toEqual([0.5, 0.5]);
    }));

  it('matches the float64 reference on random shapes and axes (negative too), including zero-size', () =>
    leakFree(h, () => {
      const rand = rng(3);
      const cases: [number[], number][] = [
        [[2, 3, 4], -1],
        [[2, 3, 4], 0],
        [[2, 3, 4], 1],
        [[2, 3, 4], -2],
        [[7], 0],
        [[1, 5], 1],
        [[3, 0], 0],
        [[0, 4], 1],
      ];
      for (const dtype of ['float32', 'float64'] as DType[]) {
        for (const [shape, axis] of cases) {
          const data = randomValues(rand, numel(shape), dtype);
          const x = t(h, data, shape, dtype);
          const a = axis < 0 ? axis + shape.length : axis;
          for (const log of [false, true]) {
            const y = log ? h.log_softmax(x, axis) : h.softmax(x, axis);
            expect(y.shape).toEqual(shape);
            expectClose(values(y), refSoftmax(data, shape, a, log), tolFor(dtype) * 2, dtype === 'float32' ? 1e-7 : 1e-15);
          }
        }
      }
    }));
});
