import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, randomValues, rng, t, tolFor, values } from './test-util.js';

/** Φ(x) by Simpson's rule on the normal density (independent of any erf code; ~1e-13 for |x| <= 8). */
function phi(x: number): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? x : x > 0 ? 1 : 0;
  const n = 2000;
  const hh = x / n;
  let s = 0;
  for (let k = 0; k <= n; k++) s += (k === 0 || k === n ? 1 : k % 2 ? 4 : 2) * Math.exp(-((k * hh) ** 2) / 2);
  return 0.5 + (s * hh) / 3 / Math.sqrt(2 * Math.PI);
}

/** Round half to even, by cases. */
function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

const REF: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: (x) => (x < 0 ? -x : x === 0 ? 0 : x),
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
  relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  gelu: (x) => (x === -Infinity ? -0 : x * phi(x)),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundEven,
};
const FLOAT_ONLY = new Set(['exp', 'log', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid', 'gelu']);

describe('unary kernels', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  const same = (a: number[], e: number[]) => expect(a.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(e.map((v) => (Object.is(v, -0) ? '-0' : v)));

  it('follows each documented special-value rule', () =>
    leakFree(h, () => {
      const f = (op: string, xs: number[]) => values(h.op(op, [t(h, xs, [xs.length], 'float64')]));
      same(f('abs', [-0, -2]), [0, 2]);
      same(f('sign', [-0, 0, NaN, -3, 2]), [-0, 0, NaN, -1, 1]);
      same(f('log', [0, -1, 1]), [-Infinity, NaN, 0]);
      same(f('sqrt', [-0, -1, 4]), [-0, NaN, 2]);
      same(f('rsqrt', [0, 4]), [Infinity, 0.5]);
      same(f('reciprocal', [0, -0]), [Infinity, -Infinity]);
      same(f('relu', [NaN, -0, -1, 2]), [NaN, 0, 0, 2]);
      same(f('round', [0.5, 1.5, 2.5, -0.5, -1.5, -2.4, 2.6]), [0, 2, 2, -0, -2, -2, 3]);
      same(f('sigmoid', [-1000, 1000, 0]), [0, 1, 0.5]);
      expectClose(f('gelu', [1, -1, 0]), [0.8413447460685429, -0.15865525393145707, 0], 1e-14);
      same(f('floor', [-0.5, 1.5]), [-1, 1]);
      same(f('ceil', [-0.5, 1.5]), [-0, 2]);
    }));

  // x·Φ(x) at 40 digits (mpmath: x * ncdf(x)), rounded to float64: |x| in 2..5 is where an erf series cancels.
  const GELU_REFERENCE: [number, number][] = [
    [-5.0, -1.4332578593959695e-06],
    [-4.5, -1.5289529061285272e-05],
    [-4.1, -8.469577834144176e-05],
    [-3.7, -0.00039885901386633657],
    [-3.3, -0.0015952996698664658],
    [-2.9, -0.005410858571113711],
    [-2.5, -0.015524163314440337],
    [-2.1, -0.037515283181914764],
    [-1.3, -0.12584062996129342],
    [-0.75, -0.16997051428265114],
    [2.1, 2.0624847168180853],
    [2.6, 2.587880911138331],
    [3.3, 3.2984047003301336],
    [4.2, 4.199943947854133],
    [4.9, 4.899997652001945],
    [-7.5, -2.393168754683172e-13],
  ];

  it('float64 gelu is within 8 ULP of a 40-digit reference, |x| between 2 and 5 included', () =>
    leakFree(h, () => {
      const got = values(h.gelu(t(h, GELU_REFERENCE.map(([x]) => x), [GELU_REFERENCE.length], 'float64')));
      GELU_REFERENCE.forEach(([x, want], i) => {
        const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 52);
        expect(Math.abs(got[i]! - want) / ulp, `gelu(${x})`).toBeLessThanOrEqual(8);
      });
    }));

  it('int32: neg and abs wrap at -2^31; floor/ceil/round are the identity; float-only ops compute in float32', () =>
    leakFree(h, () => {
      const x = t(h, [-2147483648, -3, 7], [3], 'int32');
      expect(values(h.neg(x))).toEqual([-2147483648, 3, -7]);
      expect(values(h.abs(x))).toEqual([-2147483648, 3, 7]);
      for (const op of ['floor', 'ceil', 'round']) expect(values(h.op(op, [x]))).toEqual([-2147483648, -3, 7]);
      const e = h.exp(t(h, [0, 1], [2], 'int32'));
      expect(e.dtype).toBe('float32');
      expect(values(e)).toEqual([1, Math.fround(Math.E)]);
    }));

  it('matches the float64 reference on random data for every op and dtype, keeping shape (rank 0 and empty too)', () =>
    leakFree(h, () => {
      const rand = rng(14);
      for (const [op, ref] of Object.entries(REF)) {
        for (const dtype of (FLOAT_ONLY.has(op) ? ['float32', 'float64'] : ['float32', 'float64', 'int32']) as DType[]) {
          const data = randomValues(rand, 30, dtype).map((v) => (op === 'log' || op.includes('sqrt') ? Math.abs(v) : v));
          if (dtype !== 'int32') data.push(2.5, -0.5, Infinity, -Infinity, NaN);
          const y = h.op(op, [t(h, data, [data.length], dtype)]);
          const out = dtype === 'float32' ? data.map((v) => Math.fround(ref(v))) : data.map(ref);
          expectClose(values(y), out, tolFor(dtype) * 2, dtype === 'int32' ? 0 : 1e-13);
        }
        expect(h.op(op, [t(h, [0.5], [])]).shape).toEqual([]);
        expect(h.op(op, [t(h, [], [2, 0])]).shape).toEqual([2, 0]);
      }
    }));
});
