import type { DType } from '@hearth/core';
import type { Bound } from '../accuracy.js';
import type { Expected } from '../oracle/types.js';
import { isFloatDType, isSubnormal, roundTo, ulpOf, unitRoundoff } from './float.js';

/** The worst element of a comparison: where it is, what came, what was expected, and what was allowed. */
export interface WorstElement {
  /** Flat (row-major) index. */
  readonly index: number;
  /** Observed value (NaN, ±Infinity and -0 are written as strings in JSON: "NaN", "Infinity", "-0"). */
  readonly observed: number;
  /** Expected value, rounded to the output dtype. */
  readonly expected: number;
  /** The exact float64 reference before rounding. */
  readonly exact: number;
  /** The allowed absolute error at this element (0 for exact). */
  readonly allowed: number;
}

/** What every comparison records. */
export interface Comparison {
  /** True when every element is within its bound. */
  readonly pass: boolean;
  /** Elements out of bound. */
  readonly mismatches: number;
  /** Max absolute error over elements compared numerically. */
  readonly maxAbsError: number;
  /** Max relative error. */
  readonly maxRelError: number;
  /** Max ULP distance (in the output dtype). */
  readonly maxUlp: number;
  /** The worst element (a failing one when any fails). */
  readonly worst?: WorstElement;
  /** Out-of-bound elements that no error figure measures: a NaN or an infinity where the reference differs. */
  readonly specials?: SpecialMismatches;
}

/**
 * Elements where NaN or an infinity came (or was expected) and the other side differs: their error is no
 * number, so the max figures leave them out and a report must name them instead.
 */
export interface SpecialMismatches {
  /** How many elements. */
  readonly count: number;
  /** The first one's flat (row-major) index. */
  readonly index: number;
  /** The first one's expected value, rounded to the output dtype. */
  readonly expected: number;
  /** The first one's observed value. */
  readonly observed: number;
}

/**
 * Compares observed values with the oracle under an accuracy bound. `alt`, when given, is the reference
 * computed with subnormal inputs flushed to zero: an element matching either is accepted (float32/float16
 * backends may flush subnormals, as WGSL and CUDA's ftz allow). A nonzero subnormal expected value may also
 * come back as ±0 for the same reason.
 */
export function compare(observed: ArrayLike<number>, expected: Expected, bound: Bound, alt?: Expected): Comparison {
  const dtype: DType = expected.dtype;
  const u = unitRoundoff(dtype);
  let mismatches = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let maxUlp = 0;
  let worst: WorstElement | undefined;
  let worstScore = -1;
  let specials: { count: number; index: number; expected: number; observed: number } | undefined;
  for (let i = 0; i < expected.values.length; i++) {
    const o = observed[i]!;
    const e = expected.values[i]!;
    const allowed = allowedAt(dtype, bound, expected, i, u);
    let ok = check(o, e, dtype, bound, allowed);
    if (!ok && alt) ok = check(o, alt.values[i]!, dtype, bound, allowedAt(dtype, bound, alt, i, u));
    if (!ok && dtype !== 'float64' && isSubnormal(dtype, e) && o === 0) ok = true;
    const err = o === e || (Number.isNaN(e) && Number.isNaN(o)) ? 0 : Math.abs(o - e);
    const ulp = err === 0 ? 0 : isFloatDType(dtype) ? (Number.isFinite(err) && Number.isFinite(e) ? err / ulpOf(dtype, e) : Infinity) : err;
    if (Number.isFinite(err)) {
      maxAbs = Math.max(maxAbs, err);
      if (err !== 0 && e !== 0) maxRel = Math.max(maxRel, err / Math.abs(e));
      maxUlp = Math.max(maxUlp, ulp);
    } else if (!ok) {
      if (specials) specials.count++;
      else specials = { count: 1, index: i, expected: roundTo(dtype, e), observed: o };
    }
    // The worst element: any failing one beats every passing one; among equals, the largest error for its bound.
    const score = (ok ? 0 : 1e300) + (Number.isNaN(err) ? 1e299 : Math.min(err / (allowed || Number.MIN_VALUE), 1e298));
    if (!ok) mismatches++;
    if (score > worstScore) {
      worstScore = score;
      worst = { index: i, observed: o, expected: roundTo(dtype, e), exact: e, allowed };
    }
  }
  return { pass: mismatches === 0, mismatches, maxAbsError: maxAbs, maxRelError: maxRel, maxUlp, ...(worst ? { worst } : {}), ...(specials ? { specials } : {}) };
}

function allowedAt(dtype: DType, b: Bound, ex: Expected, i: number, u: number): number {
  if (!isFloatDType(dtype)) return 0;
  const e = ex.values[i]!;
  const base = Math.max(b.ulp * ulpOf(dtype, e), b.abs);
  // An infinite or NaN magnitude (an Inf input whose result is finite, like exp(-Inf)) adds nothing; nor
  // does a sum that is exact in any order (integer terms whose partial sums the format holds).
  const raw = ex.mag && !ex.exact?.[i] ? b.k(ex.terms?.[i] ?? 1) * u * ex.mag[i]! : 0;
  const extra = Number.isFinite(raw) ? raw : 0;
  // A hair of slack for the float64 reference's own last-bit rounding in correctly rounded comparisons.
  return (base + extra) * (1 + 2 ** -20);
}

function check(o: number, e: number, dtype: DType, b: Bound, allowed: number): boolean {
  const r = roundTo(dtype, e);
  if (Number.isNaN(r) || Number.isNaN(o)) return Number.isNaN(r) && Number.isNaN(o);
  if (!isFloatDType(dtype)) return o === r;
  const exact = b.ulp === 0 && b.abs === 0 && b.k(1) === 0;
  if (exact) return b.zeroSign ? Object.is(o, r) : o === r;
  if (!Number.isFinite(e) || !Number.isFinite(o)) return o === r;
  if (b.zeroSign && r === 0 && o === 0) return Object.is(o, r);
  return Math.abs(o - e) <= allowed;
}
