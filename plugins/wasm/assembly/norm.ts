// layer_norm over rows (the trailing axes), fused: one row at a time, so it stays in cache for its three
// sweeps. The mean is summed in float64 (as sum does) and x - mean is taken against the mean's float32 head
// and then its tail, so a row far from zero (1000 + noise) keeps its small differences; the variance of
// those differences is summed in float64 too.
import { claim } from './split';

@inline
function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** Elements summed in float32 lanes before their sum joins the row's float64 total. */
const BLOCK: i32 = 256;

/** The float64 sum of n float32 values. */
@inline
function rowSum(x: usize, n: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n & ~3, i + BLOCK);
    let a = f32x4.splat(0);
    for (; i < end; i += 4) a = f32x4.add(a, v128.load(x + (<usize>i << 2)));
    s += hsum(a);
  }
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** Elements of work per claim: short rows are claimed several at a time (a claim is an atomic add). */
const CLAIM_ELEMENTS: i32 = 1024;

/**
 * Rows of n values of x to o: (x - mean) / sqrt(var + eps), times scale[i] and plus bias[i] (n values each;
 * address 0 = absent). Rows claimed a batch of about CLAIM_ELEMENTS at a time.
 */
export function layer_norm_f32(tid: i32, work: usize, x: usize, o: usize, rows: i32, n: i32, scale: usize, bias: usize, eps: f64): void {
  const batch = max(1, CLAIM_ELEMENTS / max(n, 1));
  const invN = 1 / <f64>n;
  for (let r0 = claim(work, batch, rows); r0 < rows; r0 = claim(work, batch, rows)) {
    const r1 = min(rows, r0 + batch);
    for (let r = r0; r < r1; r++) normRow(x, o, r, n, invN, scale, bias, eps);
  }
}

/** One row of layer_norm_f32. */
@inline
function normRow(x: usize, o: usize, r: i32, n: i32, invN: f64, scale: usize, bias: usize, eps: f64): void {
  {
    const off = (<usize>r * <usize>n) << 2;
    const xr = x + off;
    const or = o + off;
    const mean = rowSum(xr, n) * invN;
    const hi = <f32>mean;
    const lo = <f32>(mean - <f64>hi);
    const hv = f32x4.splat(hi);
    const lv = f32x4.splat(lo);
    // d = (x - hi) - lo, written to o; its squares summed in float32 blocks and float64 across them.
    let ss: f64 = 0;
    let i = 0;
    while (i + 4 <= n) {
      const end = min(n & ~3, i + BLOCK);
      let a = f32x4.splat(0);
      for (; i < end; i += 4) {
        const at = <usize>i << 2;
        const d = f32x4.sub(f32x4.sub(v128.load(xr + at), hv), lv);
        v128.store(or + at, d);
        a = f32x4.add(a, f32x4.mul(d, d));
      }
      ss += hsum(a);
    }
    for (; i < n; i++) {
      const at = <usize>i << 2;
      const d = load<f32>(xr + at) - hi - lo;
      store<f32>(or + at, d);
      ss += <f64>d * <f64>d;
    }
    const inv = f32x4.splat(<f32>(1 / Math.sqrt(ss * invN + eps)));
    i = 0;
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      let y = f32x4.mul(v128.load(or + at), inv);
      if (scale) y = f32x4.mul(y, v128.load(scale + at));
      if (bias) y = f32x4.add(y, v128.load(bias + at));
      v128.store(or + at, y);
    }
    for (; i < n; i++) {
      const at = <usize>i << 2;
      let y = load<f32>(or + at) * f32x4.extract_lane(inv, 0);
      if (scale) y *= load<f32>(scale + at);
      if (bias) y += load<f32>(bias + at);
      store<f32>(or + at, y);
    }
  }
}
