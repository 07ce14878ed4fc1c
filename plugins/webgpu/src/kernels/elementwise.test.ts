import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { close, f32, gpuRuntime, seeded, tensor, values } from '../../test/gpu-runtime.js';

// Accuracy contract: float32 results within 4e-6 relative (+1e-6 absolute) of the float64 reference;
// special values (NaN, ±Inf, ±0) exactly as each op's doc in the opset says. int32 and bool exact.

let hearth: Hearth;
beforeAll(async () => ({ hearth } = await gpuRuntime()));
afterAll(() => hearth.dispose());

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 1e-3, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];
const xs = [...SPECIAL, ...seeded(64, 7, -10, 10)].map(f32);

/** erfc in float64: the asymptotic series (error < 1e-8 relative) from 3 on, 1 - erf's Taylor series below. */
function erfc(x: number): number {
  if (x >= 3) {
    const u = 1 / (2 * x * x);
    return (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * (1 - u + 3 * u * u - 15 * u ** 3 + 105 * u ** 4);
  }
  if (x <= -3) return 2 - erfc(-x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return 1 - (2 / Math.sqrt(Math.PI)) * sum;
}
const roundEven = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)) || x * 0;

const UNARY: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)),
  gelu: (x) => (Number.isNaN(x) ? x : x === -Infinity ? -0 : x === Infinity ? x : 0.5 * x * erfc(-x / Math.SQRT2)),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundEven,
};

describe('unary float32', () => {
  for (const [op, ref] of Object.entries(UNARY)) {
    it(`${op} matches float64 on ordinary and special values`, async () => {
      const inputs = op === 'sin' || op === 'cos' ? [...xs, 16777217, 1e20, -3.4e38].map(f32) : xs;
      const got = await values(hearth.op(op, [tensor(hearth, inputs, [inputs.length])]));
      const want = inputs.map((x) => f32(ref(x)));
      close(got, want, 4e-6, 1e-6);
      // Signed zeros are part of the contract (abs(-0) = +0, sqrt(-0) = -0, round(-0.5) = -0...).
      inputs.forEach((x, i) => {
        if (want[i] === 0) expect(Object.is(got[i], want[i]), `${op}(${x})`).toBe(true);
      });
    });
  }
});

describe('unary int32', () => {
  const ints = [0, 1, -1, 7, -7, 2147483647, -2147483648];
  it.each([
    ['neg', (x: number) => -x | 0],
    ['abs', (x: number) => Math.abs(x) | 0],
    ['sign', Math.sign],
    ['relu', (x: number) => Math.max(x, 0)],
    ['round', (x: number) => x],
  ] as const)('%s wraps like two\'s complement', async (op, ref) => {
    const got = await values(hearth.op(op, [tensor(hearth, ints, [ints.length], 'int32')]));
    expect(got).toEqual(ints.map((x) => ref(x) + 0));
  });
});

describe('binary', () => {
  const a = seeded(24, 3, -5, 5).map(f32);
  const b = seeded(4, 9, -5, 5).map(f32);
  const FLOAT: Record<string, (x: number, y: number) => number> = {
    add: (x, y) => x + y,
    sub: (x, y) => x - y,
    mul: (x, y) => x * y,
    div: (x, y) => x / y,
    maximum: Math.max,
    minimum: Math.min,
  };
  for (const [op, ref] of Object.entries(FLOAT)) {
    it(`${op} broadcasts [2,3,4] with [4] in the shader`, async () => {
      const got = await values(hearth.op(op, [tensor(hearth, a, [2, 3, 4]), tensor(hearth, b, [4])]));
      close(got, a.map((x, i) => f32(ref(x, b[i % 4]!))), 2e-7, 0);
    });
  }

  it('broadcasts both ways ([3,1] with [1,4]) and keeps strided inputs apart', async () => {
    const x = [1, 2, 3];
    const y = [10, 20, 30, 40];
    const got = await values(hearth.op('sub', [tensor(hearth, x, [3, 1]), tensor(hearth, y, [1, 4])]));
    expect(got).toEqual(x.flatMap((u) => y.map((v) => u - v)));
  });

  it('pow follows Math.pow, special cases included', async () => {
    const pairs: [number, number][] = [[2, 10], [3, 2], [-2, 3], [-2, 0.5], [0, -1], [-0, -3], [0, 2], [-8, 1 / 3], [1.5, 40.5], [Infinity, -1], [-Infinity, 3], [NaN, 0], [1, Infinity], [0.5, Infinity], [2, -Infinity], [10, 38], [10, 39]];
    const got = await values(hearth.op('pow', [tensor(hearth, pairs.map((p) => p[0]), [pairs.length]), tensor(hearth, pairs.map((p) => p[1]), [pairs.length])]));
    close(got, pairs.map(([x, y]) => f32(Math.pow(f32(x), f32(y)))), 4e-6, 0);
  });

  it('int32 add, mul and pow wrap around', async () => {
    const x = tensor(hearth, [2147483647, -2147483648, 65536, 3, -3, 2], [6], 'int32');
    const y = tensor(hearth, [1, -1, 65536, 31, -1, 40], [6], 'int32');
    expect(await values(hearth.op('add', [x, y]))).toEqual([-2147483648, 2147483647, 131072, 34, -4, 42]);
    expect(await values(hearth.op('mul', [x, y]))).toEqual([2147483647, -2147483648, 0, 93, 3, 80]);
    expect(await values(hearth.op('pow', [x, y]))).toEqual([2147483647, 0, 0, Number(BigInt.asIntN(32, 3n ** 31n)), 0, 0]);
  });

  it('maximum and minimum propagate NaN and order -0 below +0', async () => {
    const x = tensor(hearth, [NaN, 1, -0, 0], [4]);
    const y = tensor(hearth, [1, NaN, 0, -0], [4]);
    const mx = await values(hearth.op('maximum', [x, y]));
    const mn = await values(hearth.op('minimum', [x, y]));
    expect(mx.slice(0, 2).every(Number.isNaN) && mn.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(mx.slice(2).every((v) => Object.is(v, 0))).toBe(true);
    expect(mn.slice(2).every((v) => Object.is(v, -0))).toBe(true);
  });

  it('comparisons and logic give bool; NaN compares false except in ne', async () => {
    const x = tensor(hearth, [1, 2, NaN, 0, -0], [5]);
    const y = tensor(hearth, [2, 2, NaN, NaN, 0], [5]);
    const run = async (op: string) => values(hearth.op(op, [x, y]));
    expect(await run('eq')).toEqual([0, 1, 0, 0, 1]);
    expect(await run('ne')).toEqual([1, 0, 1, 1, 0]);
    expect(await run('lt')).toEqual([1, 0, 0, 0, 0]);
    expect(await run('le')).toEqual([1, 1, 0, 0, 1]);
    expect(await run('gt')).toEqual([0, 0, 0, 0, 0]);
    expect(await run('ge')).toEqual([0, 1, 0, 0, 1]);
    expect(await run('logical_and')).toEqual([1, 1, 1, 0, 0]);
    expect(await run('logical_or')).toEqual([1, 1, 1, 1, 0]);
    expect(hearth.op('eq', [x, y]).dtype).toBe('bool');
  });

  it('compares bool and int32 inputs in their own dtype', async () => {
    const p = tensor(hearth, [1, 0, 1, 0], [4], 'bool');
    const q = tensor(hearth, [1, 1, 0, 0], [4], 'bool');
    expect(await values(hearth.op('logical_and', [p, q]))).toEqual([1, 0, 0, 0]);
    expect(await values(hearth.op('lt', [p, q]))).toEqual([0, 1, 0, 0]);
    const i = tensor(hearth, [-5, 5], [2], 'int32');
    expect(await values(hearth.op('ge', [i, tensor(hearth, [0], [1], 'int32')]))).toEqual([0, 1]);
  });
});

describe('where and cast', () => {
  it('where broadcasts cond, a and b together', async () => {
    const c = tensor(hearth, [1, 0, 1], [3], 'bool');
    const a = tensor(hearth, [1, 2], [2, 1]);
    const b = tensor(hearth, [-1], []);
    expect(await values(hearth.op('where', [c, a, b]))).toEqual([1, -1, 1, 2, -1, 2]);
    const ib = tensor(hearth, [0, 1, 0], [3], 'bool');
    expect(await values(hearth.op('where', [c, ib, tensor(hearth, [1], [1], 'bool')]))).toEqual([0, 1, 0]);
  });

  it('float32 to int32 truncates, zeroes NaN and saturates', async () => {
    const x = tensor(hearth, [1.9, -1.9, NaN, 3e9, -3e9, Infinity, -0.5], [7]);
    expect(await values(hearth.op('cast', [x], { dtype: 'int32' }))).toEqual([1, -1, 0, 2147483647, -2147483648, 2147483647, 0]);
  });

  it('to bool is x != 0 with NaN true; bool to numbers is 0 or 1', async () => {
    const x = tensor(hearth, [0, -0, 2, NaN], [4]);
    const b = hearth.op('cast', [x], { dtype: 'bool' });
    expect(await values(b)).toEqual([0, 0, 1, 1]);
    expect(await values(hearth.op('cast', [b], { dtype: 'float32' }))).toEqual([0, 0, 1, 1]);
    expect(await values(hearth.op('cast', [b], { dtype: 'int32' }))).toEqual([0, 0, 1, 1]);
    const i = tensor(hearth, [16777217, -3, 0], [3], 'int32');
    expect(await values(hearth.op('cast', [i], { dtype: 'float32' }))).toEqual([16777216, -3, 0]);
    expect(await values(hearth.op('cast', [i], { dtype: 'bool' }))).toEqual([1, 1, 0]);
  });

  it('promotes mixed inputs before the kernel (int32 + float32 computes in float32)', async () => {
    const got = hearth.op('add', [tensor(hearth, [1, 2], [2], 'int32'), tensor(hearth, [0.5, 0.25], [2])]);
    expect(got.dtype).toBe('float32');
    expect(await values(got)).toEqual([1.5, 2.25]);
  });
});
