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

/**
 * sin and cos after an accurate reduction modulo 2π: Cody–Waite below 64 (6.28125 is exact in 8 bits), and
 * beyond it Payne–Hanek in 32-bit integers: x = M·2^E, and frac(x/2π) = frac(M · bits of 1/2π after bit
 * E), taken 96 bits wide from a table (a leading zero word lets E start at -32), with 64-bit products
 * built from 16-bit limbs. Accurate for every finite float32, up to ±3.4e38.
 */
export const TRIG_WGSL = `var<private> INV2PI: array<u32, 9> = array<u32, 9>(0u, 0x28be60dbu, 0x9391054au, 0x7f09d5f4u, 0x7d4d3770u, 0x36d8a566u, 0x4f10e410u, 0x7f9458eau, 0xf7aef158u);
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl; let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), (ll & 0xffffu) | (mid << 16u));
}
fn inv2pi_bits(s: u32, j: u32) -> u32 {
  let idx = s / 32u + j;
  let sh = s % 32u;
  let w0 = INV2PI[idx];
  if (sh == 0u) { return w0; }
  return (w0 << sh) | (INV2PI[min(idx + 1u, 8u)] >> (32u - sh));
}
fn reduce_2pi(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 64.0) {
    let k = round(x * 0.15915494309189535);
    return (x - k * 6.28125) - k * 0.0019353071795864769;
  }
  let u = bitcast<u32>(ax);
  let m = (u & 0x7fffffu) | 0x800000u;
  let s = u32(i32(u >> 23u) - 150 + 32);
  let p0 = mul_wide(m, inv2pi_bits(s, 0u));
  let p1 = mul_wide(m, inv2pi_bits(s, 1u));
  let p2 = mul_wide(m, inv2pi_bits(s, 2u));
  var lo = p1.y + p2.x;
  var hi = p0.y + p1.x + select(0u, 1u, lo < p1.y);
  var neg = false;
  if (hi >= 0x80000000u) {
    // Past one half: take 1 - F (two's complement of the 64-bit fraction) and flip the sign.
    hi = ~hi;
    lo = ~lo + 1u;
    if (lo == 0u) { hi = hi + 1u; }
    neg = true;
  }
  let r = (f32(hi) * 2.3283064365386963e-10 + f32(lo) * 5.421010862427522e-20) * 6.283185307179586;
  return select(r, -r, neg != (x < 0.0));
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
  // Subnormal bases through their integer bits: GPUs may flush them or misread their exponent.
  let ub = bitcast<u32>(ax);
  let l = b * select(log2(ax), log2(f32(ub)) - 149.0, ub < 0x00800000u);
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

/**
 * erf: x + x·R(x²) below 0.84375 (fdlibm's rational approximation, so tiny arguments and -0 keep their
 * value and sign), 1 - erfc beyond (where erfc_f's relative error is far under erf's ulp), ±1 past 4.
 * Needs EXP_WGSL and ERFC_WGSL.
 */
export const ERF_WGSL = `fn erf_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 0.84375) {
    let z = x * x;
    let r = 0.12837916709551256 + z * (-0.3250421072470015 + z * (-0.02848174957559851 + z * (-0.005770270296489442 + z * -0.000023763016656650163)));
    let s = 1.0 + z * (0.39791722395915535 + z * (0.0650222499887673 + z * (0.005081306281875766 + z * (0.00013249473800432164 + z * -0.0000039602282787753681))));
    return x + x * (r / s);
  }
  if (a >= 4.0) { return sign(x); }
  return 1.0 - erfc_f(x);
}
`;

/**
 * fmod exactly (IEEE remainder truncated toward zero, the sign of a), by long division of the integer
 * significands as musl's fmodf does: WGSL's f32 % is a - b·trunc(a/b), which loses the low bits. At most
 * 277 + 2·24 loop iterations.
 */
export const FMOD_WGSL = `fn fmod_f(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b) & 0x7fffffffu;
  let sa = ua & 0x80000000u;
  var ux = ua & 0x7fffffffu;
  if (ub == 0u || ux >= 0x7f800000u || ub > 0x7f800000u) { return f_nan(); }
  if (ux < ub || ub == 0x7f800000u) { return a; }
  var ex = i32(ux >> 23u);
  var ey = i32(ub >> 23u);
  var my = ub;
  if (ex == 0) {
    var t = ux << 9u;
    loop { if ((t >> 31u) != 0u) { break; } ex -= 1; t = t << 1u; }
    ux = ux << u32(1 - ex);
  } else { ux = (ux & 0x7fffffu) | 0x800000u; }
  if (ey == 0) {
    var t = my << 9u;
    loop { if ((t >> 31u) != 0u) { break; } ey -= 1; t = t << 1u; }
    my = my << u32(1 - ey);
  } else { my = (my & 0x7fffffu) | 0x800000u; }
  loop {
    if (ex <= ey) { break; }
    if (ux >= my) { ux = ux - my; if (ux == 0u) { return bitcast<f32>(sa); } }
    ux = ux << 1u;
    ex -= 1;
  }
  if (ux >= my) { ux = ux - my; if (ux == 0u) { return bitcast<f32>(sa); } }
  loop { if ((ux >> 23u) != 0u) { break; } ux = ux << 1u; ex -= 1; }
  if (ex > 0) { ux = (ux - 0x800000u) | (u32(ex) << 23u); } else { ux = ux >> u32(1 - ex); }
  return bitcast<f32>(ux | sa);
}
`;
