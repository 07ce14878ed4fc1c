import { sizeOf, type DType } from '@hearth/core';
import { formatOf, isFloatDType, roundTo } from '../numeric/float.js';
import type { Rng } from '../numeric/rng.js';
import type { TensorInput } from './types.js';

/** A tensor input, its values converted to what the dtype holds (as `cast` converts them). */
export function tensor(dtype: DType, shape: readonly number[], data: readonly number[]): TensorInput {
  const n = sizeOf(shape);
  if (data.length !== n) throw new Error(`conformance: ${data.length} values for shape [${shape.join(', ')}]`);
  return { dtype, shape: shape.slice(), data: data.map((v) => roundTo(dtype, v)) };
}

/** `n` values cycled from a list (to fill a shape from a short pattern). */
export function cycle(values: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => values[i % values.length]!);
}

/** A tensor of random values in [lo, hi): integers for int32, 0/1 for bool. */
export function random(rng: Rng, dtype: DType, shape: readonly number[], lo = -5, hi = 5): TensorInput {
  const draw = () => (dtype === 'bool' ? (rng.next() < 0.5 ? 0 : 1) : dtype === 'int32' ? rng.int(Math.ceil(lo), Math.floor(hi) - 1) : rng.uniform(lo, hi));
  return tensor(dtype, shape, Array.from({ length: sizeOf(shape) }, draw));
}

/**
 * The special values of a dtype: NaN, ±Inf, ±0, halves (for rounding ties), the smallest subnormal, the
 * smallest normal and the largest finite value; for int32 the wrap-around limits; for bool 0 and 1.
 */
export function specials(dtype: DType): number[] {
  if (dtype === 'bool') return [0, 1];
  if (dtype === 'int32') return [0, 1, -1, 2, -2, 7, -7, 123456, -123456, 65536, 2 ** 30, 2 ** 31 - 1, -(2 ** 31)];
  const f = formatOf(isFloatDType(dtype) ? dtype : 'float32');
  return [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3, 0.1, -7.25, 123.5, f.minSubnormal, -f.minSubnormal, f.minNormal, f.max, -f.max];
}
