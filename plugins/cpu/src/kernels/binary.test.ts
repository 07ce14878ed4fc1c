import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, numel, randomValues, ravel, rng, t, tolFor, unravel, values } from './test-util.js';

const wrap = (v: bigint) => Number(BigInt.asIntN(32, v));
/** int32 power by repeated BigInt multiplication, with the opset's rule for negative exponents. */
function ipowRef(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1n;
  for (let k = 0; k < b; k++) r *= BigInt(a);
  return wrap(r);
}
const maxRef = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b < a ? b : a === 0 && b === 0 ? (Object.is(a, -0) ? b : a) : b);
const minRef = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b > a ? b : a === 0 && b === 0 ? (Object.is(a, -0) ? a : b) : b);

/** Reference per op: [float rule, int32 rule]. Comparisons and logic are 0/1. */
const REF: Record<string, [(a: number, b: number) => number, (a: number, b: number) => number]> = {
  add: [(a, b) => a + b, (a, b) => wrap(BigInt(a) + BigInt(b))],
  sub: [(a, b) => a - b, (a, b) => wrap(BigInt(a) - BigInt(b))],
  mul: [(a, b) => a * b, (a, b) => wrap(BigInt(a) * BigInt(b))],
  div: [(a, b) => a / b, (a, b) => a / b],
  pow: [Math.pow, ipowRef],
  maximum: [maxRef, maxRef],
  minimum: [minRef, minRef],
  eq: [(a, b) => +(a === b), (a, b) => +(a === b)],
  ne: [(a, b) => +(a !== b), (a, b) => +(a !== b)],
  lt: [(a, b) => +(a < b), (a, b) => +(a < b)],
  le: [(a, b) => +(a <= b), (a, b) => +(a <= b)],
  gt: [(a, b) => +(a > b), (a, b) => +(a > b)],
  ge: [(a, b) => +(a >= b), (a, b) => +(a >= b)],
  logical_and: [(a, b) => +(a !== 0 && b !== 0), (a, b) => +(a !== 0 && b !== 0)],
  logical_or: [(a, b) => +(a !== 0 || b !== 0), (a, b) => +(a !== 0 || b !== 0)],
};
const BOOL_OUT = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or']);

describe('binary kernels', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('int32 add, sub, mul and pow wrap around exactly', () =>
    leakFree(h, () => {
      const i = (xs: number[]) => t(h, xs, [xs.length], 'int32');
      expect(values(h.add(i([2147483647, -2147483648]), i([1, -1])))).toEqual([-2147483648, 2147483647]);
      expect(values(h.sub(i([-2147483648]), i([1])))).toEqual([2147483647]);
      expect(values(h.mul(i([2147483647, 65536]), i([2147483647, 65536])))).toEqual([1, 0]);
      expect(values(h.pow(i([3, 2, 1, -1, -1, 5]), i([21, 31, -5, -3, -2, -1])))).toEqual([wrap(3n ** 21n), -2147483648, 1, -1, 1, 0]);
      const d = h.div(i([7]), i([2]));
      expect(d.dtype).toBe('float32');
      expect(values(d)).toEqual([3.5]);
    }));

  it('follows the documented special-value rules', () =>
    leakFree(h, () => {
      const f = (xs: number[]) => t(h, xs, [xs.length], 'float64');
      const pos = (v: number) => (Object.is(v, -0) ? '-0' : v);
      expect(values(h.maximum(f([-0, 0, NaN, 1]), f([0, -0, 1, NaN]))).map(pos)).toEqual([0, 0, NaN, NaN]);
      expect(values(h.minimum(f([-0, 0, NaN]), f([0, -0, 1]))).map(pos)).toEqual(['-0', '-0', NaN]);
      expect(values(h.eq(f([NaN, 1]), f([NaN, 1])))).toEqual([0, 1]);
      expect(values(h.ne(f([NaN, 1]), f([NaN, 1])))).toEqual([1, 0]);
      for (const op of ['lt', 'le', 'gt', 'ge']) expect(values(h.op(op, [f([NaN, 1]), f([1, NaN])]))).toEqual([0, 0]);
      expect(values(h.logical_and(f([NaN, NaN, 0]), f([1, 0, 1])))).toEqual([1, 0, 0]);
      expect(values(h.logical_or(f([NaN, 0]), f([0, 0])))).toEqual([1, 0]);
      expect(values(h.div(f([1, -1, 0]), f([0, 0, 0])))).toEqual([Infinity, -Infinity, NaN]);
      expect(values(h.eq(f([-0]), f([0])))).toEqual([1]);
    }));

  it('comparisons and logic take bool inputs and return bool', () =>
    leakFree(h, () => {
      const a = t(h, [1, 1, 0, 0], [4], 'bool');
      const b = t(h, [1, 0, 1, 0], [4], 'bool');
      const and = h.logical_and(a, b);
      expect(and.dtype).toBe('bool');
      expect(values(and)).toEqual([1, 0, 0, 0]);
      expect(values(h.logical_or(a, b))).toEqual([1, 1, 1, 0]);
      expect(values(h.gt(a, b))).toEqual([0, 1, 0, 0]);
      expect(values(h.eq(a, b))).toEqual([1, 0, 0, 1]);
    }));

  it('matches the reference on random broadcast shapes for every op and dtype', () =>
    leakFree(h, () => {
      const rand = rng(15);
      const shapes: [number[], number[]][] = [
        [[2, 3, 4], [2, 3, 4]],
        [[2, 1, 4], [3, 1]],
        [[], [5]],
        [[4, 1], []],
        [[0, 3], [1, 3]],
      ];
      for (const [op, [fr, ir]] of Object.entries(REF)) {
        const dtypes: DType[] = op === 'div' ? ['float32', 'float64'] : BOOL_OUT.has(op) ? ['float32', 'float64', 'int32', 'bool'] : ['float32', 'float64', 'int32'];
        for (const dtype of dtypes) {
          for (const [as, bs] of shapes) {
            const a = randomValues(rand, numel(as), dtype);
            const b = randomValues(rand, numel(bs), dtype).map((v) => (op === 'pow' && dtype === 'int32' ? Math.abs(v) % 7 : v));
            if (dtype !== 'int32' && dtype !== 'bool' && a.length > 2) a.splice(0, 2, NaN, -Infinity);
            const y = h.op(op, [t(h, a, as, dtype), t(h, b, bs, dtype)]);
            const out = y.shape as number[];
            const pick = (data: number[], s: number[], idx: number[]) => data[ravel(s.map((d, k) => (d === 1 ? 0 : idx[k + idx.length - s.length]!)), s)]!;
            const rule = dtype === 'int32' ? ir : fr;
            const expected = Array.from({ length: numel(out) }, (_, i) => {
              const idx = unravel(i, out);
              const v = rule(pick(a, as, idx), pick(b, bs, idx));
              return dtype === 'float32' && !BOOL_OUT.has(op) ? Math.fround(v) : v;
            });
            expect(y.dtype).toBe(BOOL_OUT.has(op) ? 'bool' : dtype);
            expectClose(values(y), expected, BOOL_OUT.has(op) ? 0 : tolFor(dtype), 0);
          }
        }
      }
    }));
});
