import type { DType } from '@hearth/core';

/**
 * What the oracle says an operator must give: the exact float64 values (before rounding to the output
 * dtype), and for data-dependent bounds, a magnitude and a term count per element.
 */
export interface Expected {
  /** The output shape, computed by the oracle's own index logic. */
  readonly shape: readonly number[];
  /** The output dtype. */
  readonly dtype: DType;
  /** The exact values, in float64. */
  readonly values: Float64Array;
  /** Per element: the magnitude a data-dependent bound scales with (Σ|terms| for a sum, for example). */
  readonly mag?: Float64Array;
  /** Per element: how many terms went into it (the reduction length). */
  readonly terms?: Float64Array;
  /**
   * Per element, 1 where the sum behind it is exact in the output dtype whatever the order: every term an
   * integer and Σ|terms| at most 2^p (p the significand's bits), so every partial sum is representable.
   * Such elements are held to the final rounding alone (mean's division, say), not to the order-free γ_n
   * bound: a kernel that drops part of the work can't hide in it.
   */
  readonly exact?: Uint8Array;
}

/** An input after the core's promotion: data converted to the compute dtype. */
export interface OracleTensor {
  /** The dtype (after promotion). */
  readonly dtype: DType;
  /** The shape. */
  readonly shape: readonly number[];
  /** The values. */
  readonly data: readonly number[];
}

/** One operator's reference: inputs (promoted), normalized attributes, compute and output dtypes → expected. */
export type OracleFn = (inputs: readonly OracleTensor[], attrs: Readonly<Record<string, unknown>>, compute: DType, out: DType) => Expected;
