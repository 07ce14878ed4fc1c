import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { cpuHearth, leakFree, values } from './test-util.js';

describe('full', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('fills every dtype; an int32 value must be an integer in range, as tensor() requires', () =>
    leakFree(h, () => {
      expect(values(h.full([2, 2], 0.1))).toEqual([0.1, 0.1, 0.1, 0.1].map(Math.fround));
      expect(values(h.full([3], 0.1, { dtype: 'float64' }))).toEqual([0.1, 0.1, 0.1]);
      expect(values(h.full([2], -2, { dtype: 'int32' }))).toEqual([-2, -2]);
      expect(values(h.full([1], -(2 ** 31), { dtype: 'int32' }))).toEqual([-2147483648]);
      for (const v of [-2.7, NaN, -3e10]) expect(() => h.full([2], v, { dtype: 'int32' })).toThrow(expect.objectContaining({ code: 'E_ARG' }));
      expect(values(h.full([2], NaN, { dtype: 'bool' }))).toEqual([1, 1]);
      expect(values(h.full([2], -0, { dtype: 'bool' }))).toEqual([0, 0]);
      expect(values(h.ones([2], { dtype: 'bool' }))).toEqual([1, 1]);
      expect(values(h.zeros([], { dtype: 'int32' }))).toEqual([0]);
      expect(h.full([0, 4], 1).size).toBe(0);
    }));
});

describe('arange', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  it('counts up and down, including fractional and negative steps', () =>
    leakFree(h, () => {
      expect(values(h.arange(5))).toEqual([0, 1, 2, 3, 4]);
      expect(values(h.arange(2, 11, 3, { dtype: 'int32' }))).toEqual([2, 5, 8]);
      expect(values(h.arange(1, -1, -0.5, { dtype: 'float64' }))).toEqual([1, 0.5, 0, -0.5]);
      expect(h.arange(3, 1).size).toBe(0);
    }));

  it('computes element i as start + i * step in float64 (no drift), then converts', () =>
    leakFree(h, () => {
      const n = 1000;
      const ref64 = Array.from({ length: n }, (_, i) => 0.1 + i * 0.01);
      expect(values(h.arange(0.1, 0.1 + n * 0.01 - 0.005, 0.01, { dtype: 'float64' }))).toEqual(ref64);
      expect(values(h.arange(0.1, 0.1 + n * 0.01 - 0.005, 0.01))).toEqual(ref64.map(Math.fround));
      // int32 truncates each float64 element toward zero: 5, 3.5, 2, 0.5, -1, -2.5.
      expect(values(h.arange(5, -3, -1.5, { dtype: 'int32' }))).toEqual([5, 3, 2, 0, -1, -2]);
    }));
});
