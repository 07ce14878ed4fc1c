import type { DType } from '@hearth/core';
import { deviceDtype, type ElementType, type OnnxTensor } from '@hearth/onnx';

/** An elementwise bound: |actual - expected| <= atol + rtol |expected|. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * The tolerance per expected element type. float32 and float64 take the bound ONNX's own node test cases
 * carry (`onnx.backend.test.case.node`: rtol 1e-3, atol 1e-7), which its backend test runner checks them with. float16 allows two units in the last place of half precision (2^-9 relative, 2^-14 absolute, its
 * smallest normal): a half result is a float32 one rounded, and the reference rounds on its own. Integers
 * and booleans are exact.
 */
export const TOLERANCES: Readonly<Record<ElementType, Tolerance>> = {
  float32: { rtol: 1e-3, atol: 1e-7 },
  float64: { rtol: 1e-3, atol: 1e-7 },
  float16: { rtol: 2 ** -9, atol: 2 ** -14 },
  int32: { rtol: 0, atol: 0 },
  int64: { rtol: 0, atol: 0 },
  uint8: { rtol: 0, atol: 0 },
  int8: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/** The device dtype an ONNX element type arrives as (int64, uint8 and int8 as int32, by @hearth/onnx's rule). */
export const deviceDtypeOf = (t: ElementType): DType => deviceDtype(t);

/** One output as Hearth gave it. */
export interface ActualTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * Compares an output with ONNX's expected tensor: the dtype (as the device holds it) and shape exactly, then
 * every element within {@link TOLERANCES}; NaN must be where NaN is expected, and infinities must be equal.
 * Returns undefined when they agree, else what differs (the worst element and how many differ).
 */
export function compareTensor(actual: ActualTensor, expected: OnnxTensor): string | undefined {
  const want = deviceDtypeOf(expected.type);
  if (actual.dtype !== want) return `dtype ${actual.dtype}, expected ${want}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`;
  }
  const { rtol, atol } = TOLERANCES[expected.type];
  let bad = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    let excess: number;
    // NaN and infinities match only themselves; a zero bound (integers) leaves any difference over 1.
    if (!Number.isFinite(e) || !Number.isFinite(a)) excess = Object.is(a, e) || a === e ? 0 : Infinity;
    else excess = Math.abs(a - e) / (atol + rtol * Math.abs(e) || Number.MIN_VALUE);
    if (excess > 1) {
      bad++;
      if (excess > worstExcess) [worst, worstExcess] = [i, excess];
    }
  }
  if (!bad) return undefined;
  return `${bad} of ${expected.data.length} elements differ; worst at ${worst}: ${actual.data[worst]} vs expected ${expected.data[worst]} (bound ${atol} + ${rtol}|expected|)`;
}
