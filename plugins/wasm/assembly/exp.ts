// exp of four float32 lanes: e^x = 2^k · e^r with k = round(x / ln 2) and |r| <= ln 2 / 2, e^r by the
// Cephes expf polynomial (about 1 ULP). 2^k is applied in two halves so subnormal results and overflow to
// Infinity come out right; NaN propagates through every step (k = NaN builds a NaN scale).

@inline
export function expv(x: v128): v128 {
  const c = f32x4.max(f32x4.min(x, f32x4.splat(89)), f32x4.splat(-104));
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
