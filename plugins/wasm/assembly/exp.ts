// exp of four float32 lanes: e^x = 2^k · e^r with k = round(x / ln 2) and |r| <= ln 2 / 2, e^r by the
// Cephes expf polynomial (about 1 ULP). 2^k is applied in two halves so subnormal results and overflow to
// Infinity come out right; NaN propagates through every step (k = NaN builds a NaN scale).

@inline
export function expv(x: v128): v128 {
  // pmin/pmax are one instruction each (min/max are several, for NaN rules) and keep a NaN x as it is.
  const c = f32x4.pmax(f32x4.pmin(x, f32x4.splat(89)), f32x4.splat(-104));
  const k = f32x4.nearest(f32x4.mul(c, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(c, f32x4.mul(k, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^k1 · 2^k2 with k1 + k2 = k, each built in float bits: adding 2^23 + 127 puts k + 127 in the low
  // mantissa bits, and the shift moves them into the exponent (integer-domain work kept to one shift).
  const k1 = f32x4.floor(f32x4.mul(k, f32x4.splat(0.5)));
  const k2 = f32x4.sub(k, k1);
  const s1 = i32x4.shl(f32x4.add(k1, f32x4.splat(8388735.0)), 23);
  const s2 = i32x4.shl(f32x4.add(k2, f32x4.splat(8388735.0)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Below this, e^x is subnormal in float32 and expNonPositive defers to expv. */
export const EXP_NORMAL_MIN: f32 = -87.33654022216797;

/**
 * e^x for x <= 0 (softmax's x - max), about 2 ULP and two thirds of expv's work. Lanes below
 * EXP_NORMAL_MIN (subnormal results, -Infinity) take expv, so nothing flushes to 0.
 */
@inline
export function expNonPositive(x: v128): v128 {
  if (v128.any_true(f32x4.lt(x, f32x4.splat(EXP_NORMAL_MIN)))) return expv(x);
  return expNormal(x);
}

/**
 * e^x for EXP_NORMAL_MIN <= x <= 0 (callers check the range): the magic-bias rounding gives k and 2^k in
 * one add and one shift, and a degree-5 minimax polynomial (XNNPACK's rr2-p5) does the rest.
 */
@inline
export function expNormal(x: v128): v128 {
  const magic = f32x4.splat(12583039.0); // 1.5 * 2^23 + 127: k + 127 lands in the low mantissa bits
  let n = f32x4.add(f32x4.mul(x, f32x4.splat(1.4426950216293335)), magic);
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, magic);
  let t = f32x4.add(f32x4.mul(n, f32x4.splat(-0.693145751953125)), x);
  t = f32x4.add(f32x4.mul(n, f32x4.splat(-1.428606765330187e-6)), t);
  let p = f32x4.add(f32x4.mul(f32x4.splat(0.008289290592074394), t), f32x4.splat(0.04189782217144966));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.16667652130126953));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.4999915063381195));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.9999997019767761));
  t = f32x4.mul(t, s);
  return f32x4.add(f32x4.mul(t, p), s);
}
