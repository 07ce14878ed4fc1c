// softmax and log_softmax of float32 rows (the last axis), one row at a time so each stays in cache
// between its three sweeps (max, exp and sum, scale).
import { claim } from './split';
import { expNonPositive, expv } from './exp';

// The host's Math.log (one call per row; AssemblyScript's own log would add its tables to memory).
@external('env', 'log')
declare function hostLog(x: f64): f64;

/** The row's maximum, NaN if any element is NaN (tracked apart: pmax is one instruction, max several). */
@inline
function rowMax(x: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let nan = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    m = f32x4.pmax(m, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  let best = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; i < n; i++) best = max<f32>(best, load<f32>(x + (<usize>i << 2)));
  return v128.any_true(nan) ? NaN : best;
}

/** Writes exp(x - max) to o (skipped when o is 0) and returns the float64 sum. */
@inline
function expSum(x: usize, o: usize, n: i32, max: f32, write: bool): f64 {
  const mv = f32x4.splat(max);
  let acc = f32x4.splat(0);
  let s: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const e = expNonPositive(f32x4.sub(v128.load(x + at), mv));
    if (write) v128.store(o + at, e);
    acc = f32x4.add(acc, e);
    if ((i & 255) == 252) {
      s += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
      acc = f32x4.splat(0);
    }
  }
  s += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + at) - max)), 0);
    if (write) store<f32>(o + at, e);
    s += <f64>e;
  }
  return s;
}

/** softmax over rows of n (log = 0) or log_softmax (log = 1), rows claimed one at a time. */
export function softmax_rows_f32(tid: i32, work: usize, x: usize, o: usize, rows: i32, n: i32, log: i32): void {
  for (let r = claim(work, 1, rows); r < rows; r = claim(work, 1, rows)) {
    const off = (<usize>r * <usize>n) << 2;
    const xr = x + off;
    const or = o + off;
    const max = rowMax(xr, n);
    if (log) {
      // (x - max) - lse, in that order: adding max and lse first would round at the scale of max.
      const mv = f32x4.splat(max);
      const lse = f32x4.splat(<f32>hostLog(expSum(xr, or, n, max, false)));
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(or + (<usize>i << 2), f32x4.sub(f32x4.sub(v128.load(xr + (<usize>i << 2)), mv), lse));
      for (; i < n; i++) store<f32>(or + (<usize>i << 2), load<f32>(xr + (<usize>i << 2)) - max - f32x4.extract_lane(lse, 0));
    } else {
      const scale = f32x4.splat(<f32>(1 / expSum(xr, or, n, max, true)));
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(or + (<usize>i << 2), f32x4.mul(v128.load(or + (<usize>i << 2)), scale));
      for (; i < n; i++) store<f32>(or + (<usize>i << 2), load<f32>(or + (<usize>i << 2)) * f32x4.extract_lane(scale, 0));
    }
  }
}
