import type { DType } from '@hearth/core';

/** Facts of a float format: unit roundoff, smallest normal, largest finite, spacing at 1. */
interface FloatFormat {
  readonly mantissaBits: number;
  readonly minNormal: number;
  readonly minSubnormal: number;
  readonly max: number;
}

const FORMATS: Record<'float16' | 'float32' | 'float64', FloatFormat> = {
  float16: { mantissaBits: 10, minNormal: 2 ** -14, minSubnormal: 2 ** -24, max: 65504 },
  float32: { mantissaBits: 23, minNormal: 2 ** -126, minSubnormal: 2 ** -149, max: (2 - 2 ** -23) * 2 ** 127 },
  float64: { mantissaBits: 52, minNormal: 2 ** -1022, minSubnormal: Number.MIN_VALUE, max: Number.MAX_VALUE },
};

/** True for the float dtypes. */
export function isFloatDType(dtype: DType): dtype is 'float16' | 'float32' | 'float64' {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

/** The format of a float dtype. */
export function formatOf(dtype: 'float16' | 'float32' | 'float64'): FloatFormat {
  return FORMATS[dtype];
}

/** The unit roundoff u = 2^-(p) of a float dtype (half the spacing at 1); 0 for integer dtypes. */
export function unitRoundoff(dtype: DType): number {
  return isFloatDType(dtype) ? 2 ** -(FORMATS[dtype].mantissaBits + 1) : 0;
}

// A scratch to read and build float64 bits through (it holds nothing between calls); HI indexes the word
// with the sign and exponent on this machine's byte order.
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The exponent e with 2^e <= a < 2^(e+1), for a normal float64 a > 0, read from its exponent bits. */
function binade(a: number): number {
  scratch[0] = a;
  return ((words[HI]! >>> 20) & 0x7ff) - 1023;
}

/** 2^e for a normal float64 power (-1022 <= e <= 1023), built from its bits: cheaper than 2 ** e. */
function pow2(e: number): number {
  words[HI] = (e + 1023) << 20;
  words[1 - HI] = 0;
  return scratch[0]!;
}

/**
 * Rounds a float64 to float16, to nearest with ties to even, with subnormals and overflow to ±Inf.
 * Written here (Node 20 has no Math.f16round) so the oracle does not depend on any backend.
 */
export function roundFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  const f = FORMATS.float16;
  // Halfway to the next binade past max rounds to Inf.
  if (a >= f.max + 2 ** 4) return x > 0 ? Infinity : -Infinity;
  const e = Math.max(binade(a), -14);
  const quantum = 2 ** (e - 10);
  const q = a / quantum;
  let r = Math.floor(q);
  const frac = q - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  const out = r * quantum;
  return x < 0 ? -out : out;
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/**
 * Converts a float64 to what `dtype` stores, by the opset's `cast` rules: float32 and float16 round to
 * nearest even (overflow to ±Inf); int32 truncates toward zero, saturates, and maps NaN to 0 (and -0 to
 * +0: int32 has no -0); bool is x != 0, so NaN is true.
 */
export function roundTo(dtype: DType, x: number): number {
  switch (dtype) {
    case 'float64':
      return x;
    case 'float32':
      return Math.fround(x);
    case 'float16':
      return roundFloat16(x);
    case 'int32':
      if (Number.isNaN(x)) return 0;
      return Math.min(Math.max(Math.trunc(x), I32_MIN), I32_MAX) + 0;
    case 'bool':
      return x !== 0 ? 1 : 0;
  }
}

/** True when `x` is a nonzero subnormal of a float dtype (the values flush-to-zero hardware reads as ±0). */
export function isSubnormal(dtype: DType, x: number): boolean {
  return isFloatDType(dtype) && x !== 0 && Math.abs(x) < FORMATS[dtype].minNormal;
}

/**
 * The spacing of `dtype` at magnitude |x| (one ULP): the gap between the two representable values around
 * x. Below the smallest normal it is the subnormal spacing; beyond the largest finite, the spacing at max.
 */
export function ulpOf(dtype: 'float16' | 'float32' | 'float64', x: number): number {
  const f = FORMATS[dtype];
  const a = Math.min(Math.abs(x), f.max);
  if (a < f.minNormal) return f.minSubnormal;
  const e = binade(a) - f.mantissaBits;
  return e >= -1022 ? pow2(e) : 2 ** e;
}
