/**
 * f32 math with the special-value rules of opset v1, written out because WGSL leaves log(0), sqrt(x<0),
 * pow of negatives, NaN in min/max and tanh overflow undefined, and its sin/cos/exp lose accuracy on large
 * arguments. Each needs FLOAT_WGSL.
 */

/** exp with Cody–Waite reduction: e^x = 2^k · e^r, |r| <= ln2/2; the 2^k split in two to avoid ldexp overflow. */
export const EXP_WGSL = `fn exp_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.8) { return f_inf(); }
  if (x < -104.0) { return 0.0; }
  let k = round(x * 1.4426950408889634);
  let r = (x - k * 0.693145751953125) - k * 1.4286068203094173e-6;
  let h = floor(k * 0.5);
  return exp(r) * exp2(h) * exp2(k - h);
}
`;

/** sin and cos after reduction by 2π in two parts (6.28125 is exact in 8 bits, so k·6.28125 is exact). */
export const TRIG_WGSL = `fn reduce_2pi(x: f32) -> f32 {
  let k = round(x * 0.15915494309189535);
  return (x - k * 6.28125) - k * 0.0019353071795864769;
}
fn sin_f(x: f32) -> f32 { if (is_nan(x) || is_inf(x)) { return f_nan(); } if (x == 0.0) { return x; } return sin(reduce_2pi(x)); }
fn cos_f(x: f32) -> f32 { if (is_nan(x) || is_inf(x)) { return f_nan(); } return cos(reduce_2pi(x)); }
`;

/** tanh: a series near 0 (no cancellation), 1 - 2/(e^2|x| + 1) beyond, ±1 past 9. */
export const TANH_WGSL = `fn tanh_f(x: f32) -> f32 {
  if (is_nan(x) || x == 0.0) { return x; }
  let a = abs(x);
  if (a > 9.0) { return sign(x); }
  if (a < 0.3) {
    let z = x * x;
    return x + x * z * (-0.3333333333333333 + z * (0.13333333333333333 + z * (-0.05396825396825397 + z * (0.021869488536155203 + z * -0.008863235529902197))));
  }
  let t = 1.0 - 2.0 / (exp_f(2.0 * a) + 1.0);
  return select(-t, t, x > 0.0);
}
`;

/** erfc with fractional error about 1.2e-7 everywhere (Numerical Recipes' erfcc), so gelu keeps its tail. */
export const ERFC_WGSL = `fn erfc_f(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let ans = t * exp_f(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(2.0 - ans, ans, x >= 0.0);
}
`;

/** pow following IEEE/JavaScript Math.pow for every special case (NaN, ±0, ±Inf, negative bases). */
export const POW_WGSL = `fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return f_nan(); }
  let ax = abs(a);
  if (is_inf(b)) {
    if (ax == 1.0) { return f_nan(); }
    return select(0.0, f_inf(), (ax > 1.0) == (b > 0.0));
  }
  let b_int = floor(b) == b;
  let odd = b_int && abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
  if (ax == 0.0) {
    if (b > 0.0) { return select(0.0, a, odd); }
    return select(f_inf(), 1.0 / a, odd);
  }
  if (is_inf(a)) {
    if (a > 0.0) { return select(0.0, f_inf(), b > 0.0); }
    if (b > 0.0) { return select(f_inf(), -f_inf(), odd); }
    return select(0.0, f_neg_zero(), odd);
  }
  if (a < 0.0 && !b_int) { return f_nan(); }
  if (b_int && abs(b) <= 64.0) {
    // Small integer exponents by squaring: within a few ulps, and exact where the product is.
    var m = 1.0;
    var base = ax;
    var e = u32(abs(b));
    loop {
      if (e == 0u) { break; }
      if ((e & 1u) == 1u) { m = m * base; }
      base = base * base;
      e = e >> 1u;
    }
    if (b < 0.0) { m = 1.0 / m; }
    return select(m, -m, a < 0.0 && odd);
  }
  let l = b * log2(ax);
  var r: f32;
  if (l > 128.0) { r = f_inf(); } else if (l < -150.0) { r = 0.0; } else {
    let h = floor(l * 0.5);
    r = exp2(l - 2.0 * h) * exp2(h) * exp2(h);
  }
  return select(r, -r, a < 0.0 && odd);
}
`;

/** Wrap-around integer power; negative exponents follow the opset (0 except for bases 1 and -1). */
export const IPOW_WGSL = `fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(-1, 1, (b & 1) == 0); }
    return 0;
  }
  var r = 1;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
`;

/** f32 → i32 as cast does: toward zero, NaN to 0, saturating at the int32 limits. */
export const F2I_WGSL = `fn f2i(x: f32) -> i32 {
  if (is_nan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return -2147483647 - 1; }
  return i32(trunc(x));
}
`;
