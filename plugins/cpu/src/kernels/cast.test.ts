import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, randomValues, rng, t, values } from './test-util.js';

const ALL: DType[] = ['float32', 'float64', 'int32', 'bool'];

/** The opset's cast rule, written independently: trunc, NaN → 0, clamp; bool is x != 0. */
function refCast(v: number, to: DType): number {
  if (to === 'bool') return v !== 0 ? 1 : 0;
  if (to === 'int32') return Number.isNaN(v) ? 0 : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc(v)));
  if (to === 'float32') return Math.fround(v);
  return v;
}

describe('cast', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('float → int32 truncates toward zero, maps NaN to 0 and saturates out of range', () =>
    leakFree(h, () => {
      const x = t(h, [1.9, -1.9, 0.5, -0.5, NaN, Infinity, -Infinity, 3e9, -3e9, 2147483647.5, -2147483648.5], [11], 'float64');
      expect(values(h.cast(x, 'int32'))).toEqual([1, -1, 0, 0, 0, 2147483647, -2147483648, 2147483647, -2147483648, 2147483647, -2147483648]);
      expect(values(h.cast(h.cast(x, 'float32'), 'int32'))).toEqual([1, -1, 0, 0, 0, 2147483647, -2147483648, 2147483647, -2147483648, 2147483647, -2147483648]);
    }));

  it('any → bool is x != 0, with NaN true and -0 false; bool → number is 0 or 1', () =>
    leakFree(h, () => {
      const x = t(h, [0, -0, NaN, 0.25, -Infinity], [5]);
      expect(values(h.cast(x, 'bool'))).toEqual([0, 0, 1, 1, 1]);
      expect(values(h.cast(t(h, [0, 7, -1], [3], 'int32'), 'bool'))).toEqual([0, 1, 1]);
      const b = t(h, [1, 0, 1], [3], 'bool');
      expect(values(h.cast(b, 'float32'))).toEqual([1, 0, 1]);
      expect(values(h.cast(b, 'int32'))).toEqual([1, 0, 1]);
      expect(values(h.cast(b, 'float64'))).toEqual([1, 0, 1]);
    }));

  it('float64 → float32 rounds to nearest even and keeps -0, NaN and infinities', () =>
    leakFree(h, () => {
      const x = t(h, [1 + 2 ** -24, 1 + 3 * 2 ** -24, -0, NaN, Infinity, 1e300], [6], 'float64');
      const y = values(h.cast(x, 'float32'));
      expect(y.slice(0, 2)).toEqual([1, 1 + 2 ** -22]);
      expect(Object.is(y[2], -0)).toBe(true);
      expect(y.slice(3)).toEqual([NaN, Infinity, Infinity]);
    }));

  it('int32 → float32 rounds large integers to nearest even', () =>
    leakFree(h, () => {
      expect(values(h.cast(t(h, [16777217, 16777219, -2147483648], [3], 'int32'), 'float32'))).toEqual([16777216, 16777220, -2147483648]);
    }));

  it('matches the reference rule for every dtype pair on random data with special values', () =>
    leakFree(h, () => {
      const rand = rng(1);
      for (const from of ALL) {
        const base = randomValues(rand, 40, from).map((v) => (from === 'int32' ? v * 123457 : v));
        if (from === 'float32' || from === 'float64') base.push(NaN, Infinity, -Infinity, -0, 1e10, -1e10, 0.999, -0.999);
        const x = t(h, base, [base.length], from);
        const stored = values(x);
        for (const to of ALL) expectClose(values(h.cast(x, to)), stored.map((v) => refCast(v, to)));
      }
    }));

  it('keeps shape, including rank 0 and zero-size tensors', () =>
    leakFree(h, () => {
      const s = h.cast(t(h, [2.5], []), 'int32');
      expect(s.shape).toEqual([]);
      expect(values(s)).toEqual([2]);
      const z = h.cast(t(h, [], [3, 0]), 'bool');
      expect(z.shape).toEqual([3, 0]);
      expect(z.size).toBe(0);
    }));
});
