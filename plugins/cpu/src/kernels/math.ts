/** Scalar math the kernels share, with the special-value rules the opset documents. */

/** Round half to even; keeps -0 and non-finite values. */
export function roundHalfEven(x: number): number {
  // Stryker disable next-line ConditionalExpression: the general path keeps them too (Infinity % 1 is NaN, so Math.round(±Infinity) or NaN || NaN * 0 comes back)
  if (!Number.isFinite(x)) return x;
  const frac = Math.abs(x % 1);
  return frac === 0.5 ? 2 * Math.round(x / 2) : Math.round(x) || x * 0;
}

/** e^(-x²/2) to about 2 ULP: x² is split (x = hi + lo, hi of 24 bits so hi² is exact) so exp does not amplify its rounding. */
function expHalfSquare(x: number): number {
  const hi = Math.fround(x);
  const lo = x - hi;
  return Math.exp(-0.5 * hi * hi) * Math.exp(-0.5 * lo * (x + hi));
}

/** erf(t) for small |t| by its Taylor series (the terms stay small there, so little cancels). */
function erfTaylor(t: number): number {
  // erf(t) = 2/sqrt(pi) * sum (-1)^n t^(2n+1) / (n! (2n+1))
  let term = t;
  let sum = t;
  const t2 = t * t;
  // Stryker disable next-line EqualityOperator: the series serves |t| < 1.07, where the 60th term is below 1e-80 and the loop has stopped at 1e-17 of the sum long before
  for (let n = 1; n < 60; n++) {
    term *= -t2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a later stop adds terms below 1e-17 of the sum; an earlier one (1e-17 / |sum|, for |t| < 1) drops terms below 1e-14·|t|, which vanish next to the 0.5 in Φ = 0.5 + erf/2
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * sqrt(pi)·e^(t²)·erfc(t) for t > 0.49, by Laplace's continued fraction 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + ...))))
 * evaluated from its tail (stable); the depth grows as 1/t² so it has converged to float64.
 */
function erfcScaled(t: number): number {
  const depth = Math.ceil(20 + 250 / (t * t));
  let f = t;
  for (let n = depth; n >= 1; n--) f = t + n / 2 / f;
  return 1 / f;
}

/**
 * Φ(x), the standard normal CDF, to a few float64 ULP (checked against 40-digit references): the Taylor
 * series of erf where little cancels (|x| < 1.5, or |x| < 0.7 below 0, where 1/2 + erf/2 would cancel), else
 * the continued fraction of the tail, whose e^(-x²/2) factor is computed without amplifying x²'s rounding.
 */
export function normalCdf(x: number): number {
  // Stryker disable next-line ConditionalExpression: NaN fails both range tests, and the tail formula then returns NaN as well
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the thresholds pick the more accurate of two methods; at and around them both stay within gelu's bound (64 ULP in float64, 16 in float32)
  if (ax < (x < 0 ? 0.7 : 1.5)) return 0.5 + 0.5 * erfTaylor(x * Math.SQRT1_2);
  // Stryker disable next-line EqualityOperator: at |x| = 40, Φ is 0 or 1 in float64 either way (Φ(-40) ≈ 4e-350 underflows), and x is never 0 here
  if (ax > 40) return x < 0 ? 0 : 1;
  const tail = ((0.5 * expHalfSquare(ax)) / Math.sqrt(Math.PI)) * erfcScaled(ax * Math.SQRT1_2);
  // Stryker disable next-line EqualityOperator: x = 0 has returned above (|x| < 1.5)
  return x < 0 ? tail : 1 - tail;
}

/** The logistic function without overflow. */
export function sigmoid(x: number): number {
  // Stryker disable next-line EqualityOperator,ConditionalExpression: at x = 0 both forms give 0.5; for x < 0 the first form is as accurate until exp(-x) overflows (x < -709), where its 0 is inside sigmoid's floor of 2^-126
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** gelu, the exact erf form; gelu(-Inf) is its limit -0 rather than -Inf * 0. */
export function gelu(x: number): number {
  if (x === -Infinity) return -0;
  return x * normalCdf(x);
}

/** int32 power with wrap-around; negative exponents follow the opset's rule. */
export function ipow(base: number, exp: number): number {
  if (exp < 0) return base === 1 ? 1 : base === -1 ? (exp % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let b = base | 0;
  let e = exp;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    e = Math.floor(e / 2);
  }
  return result;
}

/** maximum with NaN propagation and +0 over -0. */
export function fmax(a: number, b: number): number {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: Math.max already returns NaN when either operand is NaN; the test only states the rule
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
}

/** minimum with NaN propagation and -0 under +0. */
export function fmin(a: number, b: number): number {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: Math.min already returns NaN when either operand is NaN; the test only states the rule
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
}

/** e^(-t²) without amplifying t²'s rounding (t = hi + lo, hi of 24 bits so hi² is exact). */
function expNegSquare(t: number): number {
  const hi = Math.fround(t);
  const lo = t - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (t + hi));
}

/** erf(x) to a few float64 ULP: the Taylor series near 0, else 1 - erfc from the continued fraction. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (!(ax >= 1)) return Number.isNaN(x) ? x : erfTaylor(x);
  if (ax > 6) return x < 0 ? -1 : 1;
  const erfc = (expNegSquare(ax) * erfcScaled(ax)) / Math.sqrt(Math.PI);
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/** Floored remainder (the sign of b, Python's %) of floats; a zero result takes b's sign; a mod ±Inf is a or b. */
export function floorMod(a: number, b: number): number {
  if (b === Infinity || b === -Infinity) return Number.isFinite(a) && a !== 0 && a < 0 !== b < 0 ? b : a % b;
  const r = a % b;
  if (r === 0) return b < 0 ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

/** int32 remainder: truncated (`fmod`) or floored; b = 0 gives 0. */
export function intMod(a: number, b: number, truncated: boolean): number {
  if (b === 0) return 0;
  const r = (a % b) | 0;
  return truncated || r === 0 || r < 0 === b < 0 ? r : r + b;
}
