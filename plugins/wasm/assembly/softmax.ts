// softmax and log_softmax of float32 rows (the last axis), one row at a time so each stays in cache
// between its three sweeps (max, exp and sum, scale).
import { partEnd, partStart } from './split';
import { expv } from './exp';

// The host's Math.log (one call per row; AssemblyScript's own log would add its tables to memory).
@external('env', 'log')
declare function hostLog(x: f64): f64;

@inline
function rowMax(x: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(x + (<usize>i << 2)));
  m = f32x4.max(m, i8x16.shuffle(m, m, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  m = f32x4.max(m, i8x16.shuffle(m, m, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));
  for (; i < n; i++) m = f32x4.max(m, f32x4.splat(load<f32>(x + (<usize>i << 2))));
  return f32x4.extract_lane(m, 0);
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
    const e = expv(f32x4.sub(v128.load(x + at), mv));
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

/** softmax over rows of n (log = 0) or log_softmax (log = 1), for this thread's rows. */
export function softmax_rows_f32(tid: i32, threads: i32, x: usize, o: usize, rows: i32, n: i32, log: i32): void {
  const r0 = partStart(rows, tid, threads, 1);
  const r1 = partEnd(rows, tid, threads, 1);
  for (let r = r0; r < r1; r++) {
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
