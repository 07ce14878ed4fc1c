import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { close, f32, gpuRuntime, seeded, tensor, values } from '../../test/gpu-runtime.js';

// Accuracy contract: float32 sums and means within 1e-5 relative of a float64 sum (tree reduction keeps the
// error near log2(n) ulps); max/min/argmax/argmin and int32 exact; softmax within 1e-6 absolute.

let hearth: Hearth;
beforeAll(async () => ({ hearth } = await gpuRuntime()));
afterAll(() => hearth.dispose());

/** float64 reduction of `x` (shape) over `axes`, row-major. */
function reduceRef(x: readonly number[], shape: readonly number[], axes: readonly number[], f: (vals: number[]) => number): number[] {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const groups: number[][] = Array.from({ length: outSize }, () => []);
  x.forEach((v, flat) => {
    let rem = flat;
    let o = 0;
    let mul = 1;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      const c = rem % shape[ax]!;
      rem = Math.floor(rem / shape[ax]!);
      if (!axes.includes(ax)) o += c * mul;
      mul *= outShape[ax]!;
    }
    groups[o]!.push(v);
  });
  return groups.map(f);
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
const REFS: Record<string, (v: number[]) => number> = {
  sum,
  mean: (v) => sum(v) / v.length,
  max: (v) => (v.some(Number.isNaN) ? NaN : Math.max(...v)),
  min: (v) => (v.some(Number.isNaN) ? NaN : Math.min(...v)),
  prod: (v) => v.reduce((a, b) => a * b, 1),
};

describe('reductions', () => {
  const shape = [3, 40, 5];
  const x = seeded(600, 11, -2, 2).map(f32);
  for (const op of Object.keys(REFS)) {
    for (const axes of [[1], [0, 2], [2], [0, 1, 2]]) {
      it(`${op} over axes [${axes}] (tree and serial strategies)`, async () => {
        const data = op === 'prod' ? x.map((v) => f32(1 + v / 8)) : x;
        const got = await values(hearth.op(op, [tensor(hearth, data, shape)], { axes, keepdims: true }));
        close(got, reduceRef(data, shape, axes, REFS[op]!).map(f32), 1e-5, 1e-6);
      });
    }
  }

  it('sums a million elements in float32 within 1e-5 of float64', async () => {
    const big = seeded(1_000_000, 5, 0, 1).map(f32);
    const got = await values(hearth.op('sum', [tensor(hearth, big, [big.length])]));
    close(got, [sum(big)], 1e-5, 0);
  });

  it('max and min propagate NaN; empty sum is 0, empty prod 1, empty mean NaN', async () => {
    const t = tensor(hearth, [1, NaN, 3, 4], [2, 2]);
    expect((await values(hearth.op('max', [t], { axes: [1] }))).map(Number.isNaN)).toEqual([true, false]);
    expect((await values(hearth.op('min', [t], { axes: [0] }))).map(Number.isNaN)).toEqual([false, true]);
    const empty = tensor(hearth, [], [2, 0]);
    expect(await values(hearth.op('sum', [empty], { axes: [1] }))).toEqual([0, 0]);
    expect(await values(hearth.op('prod', [empty], { axes: [1] }))).toEqual([1, 1]);
    expect((await values(hearth.op('mean', [empty], { axes: [1] }))).every(Number.isNaN)).toBe(true);
  });

  it('int32 sum wraps around and int32 max is exact', async () => {
    const t = tensor(hearth, [2147483647, 1, -5, 2147483647], [4], 'int32');
    expect(await values(hearth.op('sum', [t]))).toEqual([Number(BigInt.asIntN(32, 2147483647n + 1n - 5n + 2147483647n))]);
    expect(await values(hearth.op('max', [t]))).toEqual([2147483647]);
  });

  it('argmax/argmin take the first of ties and let NaN win', async () => {
    const t = tensor(hearth, [1, 3, 3, 0, 0, NaN, 2, NaN, -1, -1, 5, 5], [3, 4]);
    expect(await values(hearth.op('argmax', [t], { axis: 1 }))).toEqual([1, 1, 2]);
    expect(await values(hearth.op('argmin', [t], { axis: 1 }))).toEqual([3, 1, 0]);
    expect(await values(hearth.op('argmax', [t], { axis: 0 }))).toEqual([0, 1, 2, 1]);
    const big = seeded(5000, 2).map(f32);
    const at = big.indexOf(Math.max(...big));
    expect(await values(hearth.op('argmax', [tensor(hearth, big, [50, 100])]))).toEqual([at]);
    const ints = tensor(hearth, [4, -7, 9, 9], [4], 'int32');
    expect(await values(hearth.op('argmax', [ints]))).toEqual([2]);
  });
});

describe('softmax', () => {
  function softmaxRef(x: readonly number[], rows: number, cols: number, log: boolean): number[] {
    const out: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = x.slice(r * cols, (r + 1) * cols);
      const m = Math.max(...row);
      const s = sum(row.map((v) => Math.exp(v - m)));
      out.push(...row.map((v) => (log ? v - m - Math.log(s) : Math.exp(v - m) / s)));
    }
    return out;
  }

  it.each([false, true])('is stable for inputs near 1e4 along the last axis (log: %s)', async (log) => {
    const x = seeded(4 * 1500, 4, 1e4 - 20, 1e4 + 20).map(f32);
    const got = await values(hearth.op(log ? 'log_softmax' : 'softmax', [tensor(hearth, x, [4, 1500])]));
    close(got, softmaxRef(x, 4, 1500, log).map(f32), log ? 1e-5 : 1e-4, 1e-6);
  });

  it('works along a middle axis and turns a slice with NaN into NaN', async () => {
    const x = [1, 2, 3, 4, 5, 6];
    const got = await values(hearth.op('softmax', [tensor(hearth, x, [1, 2, 3])], { axis: 1 }));
    // Along axis 1 of [1,2,3]: pairs (1,4), (2,5), (3,6).
    const pair = [Math.exp(-3) / (1 + Math.exp(-3)), 1 / (1 + Math.exp(-3))];
    close(got, [pair[0]!, pair[0]!, pair[0]!, pair[1]!, pair[1]!, pair[1]!].map(f32), 1e-6, 1e-7);
    const nan = await values(hearth.op('softmax', [tensor(hearth, [1, NaN, 2, 3], [2, 2])]));
    expect(nan.map(Number.isNaN)).toEqual([true, true, false, false]);
  });
});
