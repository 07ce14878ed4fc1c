import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import { ACCURACY } from '../accuracy.js';
import type { Expected } from '../oracle/types.js';

const ex = (dtype: Expected['dtype'], values: number[], mag?: number[], terms?: number[]): Expected => ({
  shape: [values.length],
  dtype,
  values: Float64Array.from(values),
  ...(mag ? { mag: Float64Array.from(mag) } : {}),
  ...(terms ? { terms: Float64Array.from(terms) } : {}),
});

describe('comparison under accuracy bounds', () => {
  it('exact ops compare bits: -0 is not +0, NaN matches NaN', () => {
    const b = ACCURACY['neg']!.bound('float32');
    expect(compare([-0, NaN], ex('float32', [-0, NaN]), b).pass).toBe(true);
    const r = compare([0], ex('float32', [-0]), b);
    expect(r.pass).toBe(false);
    expect(r.worst).toMatchObject({ index: 0, observed: 0, expected: -0 });
  });

  it('correctly rounded allows 0.5 ULP of the exact value and no more', () => {
    const b = ACCURACY['add']!.bound('float32');
    const exact = 1 + 2 ** -25; // float32 rounds it to 1
    expect(compare([1], ex('float32', [exact]), b).pass).toBe(true);
    expect(compare([1 + 2 ** -23], ex('float32', [exact]), b).pass).toBe(false);
    expect(compare([1 + 2 ** -23], ex('float32', [exact]), b).maxUlp).toBeCloseTo(0.75, 5);
  });

  it('summation bounds grow with the number and size of terms', () => {
    const b = ACCURACY['sum']!.bound('float32');
    expect(compare([1000.001], ex('float32', [1000], [1e6], [1000]), b).pass).toBe(true);
    expect(compare([1000.001], ex('float32', [1000], [1000], [2]), b).pass).toBe(false);
  });

  it('accepts a flushed subnormal but not a wrong normal value', () => {
    const b = ACCURACY['mul']!.bound('float32');
    expect(compare([0], ex('float32', [2 ** -140]), b).pass).toBe(true);
    expect(compare([0], ex('float32', [2 ** -120]), b).pass).toBe(false);
  });

  it('records max abs, rel and ULP errors and the worst element', () => {
    const r = compare([1, 2.5, 3], ex('float32', [1, 2, 3]), ACCURACY['add']!.bound('float32'));
    expect(r).toMatchObject({ pass: false, mismatches: 1, maxAbsError: 0.5, maxRelError: 0.25, maxUlp: 2 ** 21, worst: { index: 1, observed: 2.5, expected: 2 } });
  });

  it('int32 and bool results are exact', () => {
    expect(compare([1, 0], ex('bool', [1, 0]), ACCURACY['eq']!.bound('bool')).pass).toBe(true);
    expect(compare([5], ex('int32', [4]), ACCURACY['sum']!.bound('int32')).pass).toBe(false);
  });
});

describe('metrics stay numbers on special values', () => {
  it('NaN, Inf and zero matches add nothing to the error figures', () => {
    const r = compare([NaN, Infinity, 0, 1], ex('float32', [NaN, Infinity, 0, 1]), ACCURACY['exp']!.bound('float32'));
    expect(r).toMatchObject({ pass: true, maxAbsError: 0, maxRelError: 0, maxUlp: 0 });
  });
});
