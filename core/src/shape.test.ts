import { describe, expect, it } from 'vitest';
import { broadcastShapes, normalizeAxis, normalizeAxes, sizeOf, stridesOf } from './shape.js';
import { HearthError } from './errors.js';

describe('broadcastShapes', () => {
  it.each([
    [[2, 3], [3], [2, 3]],
    [[2, 1], [1, 3], [2, 3]],
    [[], [4, 5], [4, 5]],
    [[5, 1, 4], [3, 1], [5, 3, 4]],
    [[0, 3], [1, 3], [0, 3]],
    [[0], [1], [0]],
    [[1, 1, 1, 1, 1, 7], [6, 1], [1, 1, 1, 1, 6, 7]],
  ])('%j with %j gives %j', (a, b, out) => {
    expect(broadcastShapes(a, b)).toEqual(out);
    expect(broadcastShapes(b, a)).toEqual(out);
  });

  it('refuses mismatched axes with E_BROADCAST naming both shapes', () => {
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(HearthError);
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(/\[2, 3\] and \[4, 3\]/);
    expect(() => broadcastShapes([0], [2])).toThrow(expect.objectContaining({ code: 'E_BROADCAST' }));
  });
});

describe('axes', () => {
  it('normalizes negative axes and refuses out-of-range ones', () => {
    expect(normalizeAxis(-1, 3)).toBe(2);
    expect(normalizeAxis(0, 1)).toBe(0);
    expect(() => normalizeAxis(3, 3)).toThrow(expect.objectContaining({ code: 'E_AXIS' }));
    expect(() => normalizeAxis(-4, 3)).toThrow(expect.objectContaining({ code: 'E_AXIS' }));
    expect(() => normalizeAxis(0, 0)).toThrow(expect.objectContaining({ code: 'E_AXIS' }));
    expect(() => normalizeAxes([0, -2], 2)).toThrow(expect.objectContaining({ code: 'E_AXIS' }));
  });

  it('computes sizes and row-major strides, including rank 0 and zero-size dims', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
  });
});
