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

/** A tensor input whose values come from `fill` when first read, kept only while something else holds them. */
export function lazyTensor(dtype: DType, shape: readonly number[], fill: () => readonly number[]): TensorInput {
  let held: WeakRef<readonly number[]> | undefined;
  return {
    dtype,
    shape: shape.slice(),
    get data() {
      let d = held?.deref();
      if (!d) held = new WeakRef((d = fill()));
      return d;
    },
  };
}

/** `n` values cycled from a list (to fill a shape from a short pattern). */
export function cycle(values: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => values[i % values.length]!);
}

/** A tensor of random values in [lo, hi): integers for int32, 0/1 for bool. */
export function random(rng: Rng, dtype: DType, shape: readonly number[], lo = -5, hi = 5): TensorInput {
  const draw = () => (dtype === 'bool' ? (rng.next() < 0.5 ? 0 : 1) : dtype === 'int32' ? rng.int(Math.ceil(lo), Math.floor(hi) - 1) : rng.uniform(lo, hi));
  const data = new Array<number>(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = roundTo(dtype, draw());
  return { dtype, shape: shape.slice(), data };
}

/**
 * A tensor of random integers in [lo, hi] in any dtype: inputs whose exact answer a float format holds
 * (sums of them are exact while Σ|x| <= 2^p), so a large case's bound can be tight.
 */
export function randomInts(rng: Rng, dtype: DType, shape: readonly number[], lo: number, hi: number): TensorInput {
  const data = new Array<number>(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = roundTo(dtype, rng.int(lo, hi));
  return { dtype, shape: shape.slice(), data };
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

/**
 * Sizes that straddle the vector widths and tiling blocks of plausible fast paths: larger than 8 and not a
 * multiple of 4, 8 or 16 (a fast path with a tail bug gets the last few elements wrong).
 */
export const ODD_SIZES = [9, 17, 33, 257] as const;

/**
 * Element counts of same-shape elementwise cases: one past a 4096 block, and 2^18 + 17, past the size from
 * which fast backends split elementwise work over threads (and past 4 chunks of 65,536 with a tail).
 */
export const LONG_SIZES = [4097, 2 ** 18 + 17] as const;

/**
 * Row lengths of broadcast cases, both operand orders: a 16-wide unrolled loop with no tail, with a tail of
 * one, and two blocks plus one (rows of 3 or a scalar never enter a 16-wide loop).
 */
export const BROADCAST_ROWS = [16, 17, 33] as const;

/** Elements of one reduction split over threads: past 4 × 65,536 (a chunk count floored away shows). */
export const THREAD_REDUCTION = 300_007;

/** Rows × length of a row-parallel case: rows claimed by threads, each row past a 16-wide block. */
export const THREAD_ROWS = [5, 60_013] as const;

/** matmul M, K, N with M·N·K >= 2^20 (the threads' split), full 4×8 tiles and K past a 256-deep slice. */
export const THREAD_MATMUL = [68, 257, 65] as const;

/** Elements of a `large` reduction: past 2^24 (and 65,535 × 256, one llvmpipe loop of a 256-thread workgroup). */
export const LARGE_REDUCTION = 2 ** 24 + 4097;

/** A `large` softmax row: past 5,590,528, where three 256-thread passes over the row exceed 65,535 iterations. */
export const LARGE_ROW = 6_000_001;

/** A `large` matmul or conv2d reduction length: past 65,536. */
export const LARGE_INNER = 70_001;

/** A rank-8 shape (the opset leaves rank unbounded; 7 and 8 are past every fixed-rank fast path). */
export const RANK8 = [2, 1, 2, 1, 3, 1, 2, 2] as const;

/**
 * int32 values above 2^24, in pairs one apart: float32 cannot tell them apart, so a kernel that computes
 * int32 through float32 (comparisons, min/max, arithmetic) gets them wrong.
 */
export const ABOVE_2P24: readonly (readonly [number, number])[] = [
  [16777217, 16777216],
  [16777216, 16777217],
  [-16777217, -16777216],
  [33554433, 33554432],
  [2147483647, 2147483646],
  [-2147483647, -2147483648],
  [1073741825, 1073741823],
  [16777217, 16777217],
];
