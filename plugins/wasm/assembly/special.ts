// Float32 special functions of four lanes: erf, erfc, tanh, the logistic function and GELU (exact and tanh
// forms), each accurate to a few ULP (plugins/wasm/README.md states the figures; the conformance suite's
// bounds are 4 to 16 ULP). Branches are per lane: every piece is computed and the lanes pick theirs.
import { expNormal, expv, EXP_NORMAL_MIN } from './exp';

const SIGN: v128 = i32x4.splat(0x80000000);

@inline
function splat(v: f32): v128 {
  return f32x4.splat(v);
}

/** a · b + c (separate roundings: WebAssembly SIMD has no fused multiply-add outside relaxed SIMD). */
@inline
function madd(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), splat(c));
}

/** |x| with the sign of s. */
@inline
function withSign(x: v128, s: v128): v128 {
  return v128.or(v128.andnot(x, SIGN), v128.and(s, SIGN));
}

/**
 * erfc(t) for t >= 0 (NaN stays NaN), given t and t²: w·e^(-t² + P(w)) with w = 1 / (1 + t/2), the
 * Chebyshev fit of Numerical Recipes' erfcc (fractional error below 1.2e-7 for every t >= 0). Taking t² from
 * the caller lets GELU pass x²/2, one rounding closer than (x/√2)².
 */
@inline
export function erfcPositive(t: v128, t2: v128): v128 {
  const w = f32x4.div(splat(1), madd(t, splat(0.5), 1));
  let p = madd(w, splat(0.17087277), -0.82215223);
  p = madd(p, w, 1.48851587);
  p = madd(p, w, -1.13520398);
  p = madd(p, w, 0.27886807);
  p = madd(p, w, -0.18628806);
  p = madd(p, w, 0.09678418);
  p = madd(p, w, 0.37409196);
  p = madd(p, w, 1.00002368);
  p = madd(p, w, -1.26551223);
  // The exponent is at most ~3e-8 (0 at t = 0): the short exp serves it down to EXP_NORMAL_MIN; below, the
  // result is below float32's normal range (t > 9.3) and is taken as 0 (NaN stays NaN through the compare).
  const e = f32x4.sub(p, t2);
  const low = f32x4.lt(e, splat(EXP_NORMAL_MIN));
  return v128.andnot(f32x4.mul(w, expNormal(f32x4.pmax(e, splat(EXP_NORMAL_MIN)))), low);
}

/** erf(z) for |z| < 1 by its Taylor series to z^21 (truncation below 1e-9; the terms fall fast, so little cancels). */
@inline
function erfSmall(z: v128): v128 {
  const u = f32x4.mul(z, z);
  let p = madd(u, splat(1.4807192815879218e-8), -1.6365844691234924e-7);
  p = madd(p, u, 1.6462114365889246e-6);
  p = madd(p, u, -1.492565035840625e-5);
  p = madd(p, u, 1.2055332981789664e-4);
  p = madd(p, u, -8.548327023450852e-4);
  p = madd(p, u, 5.223977625442188e-3);
  p = madd(p, u, -2.6866170645131252e-2);
  p = madd(p, u, 0.11283791670955126);
  p = madd(p, u, -0.37612638903183754);
  p = madd(p, u, 1.1283791670955126);
  return f32x4.mul(z, p);
}

/** erf(z): the series below |z| = 1, 1 - erfc(|z|) with z's sign from there (erf(±0) = ±0, erf(±Inf) = ±1). */
@inline
export function erfv(z: v128): v128 {
  const a = f32x4.abs(z);
  const big = withSign(f32x4.sub(splat(1), erfcPositive(a, f32x4.mul(a, a))), z);
  return v128.bitselect(erfSmall(z), big, f32x4.lt(a, splat(1)));
}

/** tanh(x): its Taylor series to x^17 below |x| = 0.5, else 1 - 2 / (e^(2|x|) + 1) with x's sign. */
@inline
export function tanhv(x: v128): v128 {
  const a = f32x4.abs(x);
  const u = f32x4.mul(x, x);
  let p = madd(u, splat(5.90027440945586e-4), -1.4558343870513183e-3);
  p = madd(p, u, 3.592128036572481e-3);
  p = madd(p, u, -8.863235529902197e-3);
  p = madd(p, u, 2.1869488536155203e-2);
  p = madd(p, u, -5.396825396825397e-2);
  p = madd(p, u, 0.13333333333333333);
  p = madd(p, u, -0.3333333333333333);
  // tanh is odd and below 0.5 the series keeps x's sign: restoring it keeps tanh(-0) = -0.
  const small = withSign(f32x4.add(x, f32x4.mul(x, f32x4.mul(u, p))), x);
  const e = expv(f32x4.add(a, a));
  const big = withSign(f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e, splat(1)))), x);
  return v128.bitselect(small, big, f32x4.lt(a, splat(0.5)));
}

/** The logistic function: e = e^-|x|, then 1 / (1 + e) for x >= 0 and e / (1 + e) below, so nothing overflows. */
@inline
export function sigmoidv(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  return f32x4.div(v128.bitselect(splat(1), e, f32x4.ge(x, splat(0))), f32x4.add(e, splat(1)));
}

/** x · sigmoid(x) (silu). */
@inline
export function siluv(x: v128): v128 {
  return f32x4.mul(x, sigmoidv(x));
}

/**
 * x · Φ(x) with Φ(x) = erfc(-x/√2) / 2: below 0 the tail h = erfc(|x|/√2) / 2 keeps its relative accuracy
 * (no 1 - ... cancels), above 0 Φ = 1 - h. gelu(-Inf) = -0, its limit (where Φ is 0, x·Φ would be NaN).
 */
@inline
export function geluv(x: v128): v128 {
  const a = f32x4.abs(x);
  const h = f32x4.mul(splat(0.5), erfcPositive(f32x4.mul(a, splat(0.7071067811865476)), f32x4.mul(f32x4.mul(x, x), splat(0.5))));
  const phi = v128.bitselect(h, f32x4.sub(splat(1), h), f32x4.lt(x, splat(0)));
  return v128.bitselect(splat(-0.0), f32x4.mul(x, phi), f32x4.eq(phi, splat(0)));
}

/**
 * GELU's tanh form 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), as x · sigmoid(2u): the same value
 * without the 1 + tanh cancellation for negative x.
 */
@inline
export function geluTanhv(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u2 = f32x4.mul(splat(1.5957691216057308), f32x4.add(x, f32x4.mul(splat(0.044715), x3)));
  return f32x4.mul(x, sigmoidv(u2));
}
