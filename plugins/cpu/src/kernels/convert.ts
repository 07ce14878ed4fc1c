import type { DType } from '@hearth/core';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** float → int32 as the opset's cast rule says: truncate toward zero, NaN → 0, saturate out of range. */
export function toInt32(x: number): number {
  // Stryker disable next-line ConditionalExpression: NaN | 0 is 0 as well
  if (x !== x) return 0;
  // Stryker disable next-line EqualityOperator: at exactly INT32_MAX, x | 0 is INT32_MAX as well
  if (x >= INT32_MAX) return INT32_MAX;
  // Stryker disable next-line EqualityOperator: at exactly INT32_MIN, x | 0 is INT32_MIN as well
  if (x <= INT32_MIN) return INT32_MIN;
  return x | 0;
}

/** any → bool: x != 0, so NaN is true. */
export function toBool(x: number): number {
  return x !== 0 ? 1 : 0;
}

/**
 * The scalar conversion into `dtype` that cast, full, arange and pad share. Floats need none: a typed-array
 * store already rounds float64 → float32 to nearest even.
 */
export function converterTo(dtype: DType): ((x: number) => number) | undefined {
  if (dtype === 'int32') return toInt32;
  if (dtype === 'bool') return toBool;
  return undefined;
}

/** One value converted into `dtype` (for attributes such as full's `value`). */
export function convertScalar(x: number, dtype: DType): number {
  const f = converterTo(dtype);
  return f ? f(x) : x;
}
