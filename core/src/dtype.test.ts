import { describe, expect, it } from 'vitest';
import { DTYPES, floatTypeFor, promoteTypes, type DType } from './dtype.js';

describe('type promotion', () => {
  // The table in docs/dtypes.md, written out independently of the code's ordering trick.
  const table: Record<DType, Record<DType, DType>> = {
    bool: { bool: 'bool', int32: 'int32', float16: 'float16', float32: 'float32', float64: 'float64' },
    int32: { bool: 'int32', int32: 'int32', float16: 'float16', float32: 'float32', float64: 'float64' },
    float16: { bool: 'float16', int32: 'float16', float16: 'float16', float32: 'float32', float64: 'float64' },
    float32: { bool: 'float32', int32: 'float32', float16: 'float32', float32: 'float32', float64: 'float64' },
    float64: { bool: 'float64', int32: 'float64', float16: 'float64', float32: 'float64', float64: 'float64' },
  };
  for (const a of DTYPES) {
    for (const b of DTYPES) {
      it(`${a} with ${b} is ${table[a][b]}`, () => expect(promoteTypes(a, b)).toBe(table[a][b]));
    }
  }

  it('computes float-only operators of int32 and bool in float32', () => {
    expect(floatTypeFor('int32')).toBe('float32');
    expect(floatTypeFor('bool')).toBe('float32');
    expect(floatTypeFor('float64')).toBe('float64');
    expect(floatTypeFor('float16')).toBe('float16');
  });
});
