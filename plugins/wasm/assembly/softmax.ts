// softmax and log_softmax of float32 rows (the last axis), one row at a time so each stays in cache
// between its three sweeps (max, exp and sum, scale). Loops take 16 elements per iteration (four
// independent vectors) so the exp polynomials of neighbouring vectors overlap.
import { claim } from './split';
import { expNonPositive, expNormal, expv, EXP_NORMAL_MIN } from './exp';

// The host's Math.log (one call per row; AssemblyScript's own log would add its tables to memory).
@external('env', 'log')
declare function hostLog(x: f64): f64;

/** Elements summed in float32 before their sum joins the row's float64 total. */
const SUM_BLOCK: i32 = 256;

@inline
function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

@inline
function hmax(v: v128): f32 {
  return max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

@inline
function hmin(v: v128): f32 {
  return min<f32>(min<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), min<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// The row's maximum and minimum (the minimum tells whether every exp of the row is a normal number),
// from one sweep. NaN is tracked apart: pmax/pmin are one instruction each, max/min several.
let rowMin: f32 = 0;

/** The row's maximum, NaN if any element is NaN; sets rowMin. */
@inline
function rowMax(x: usize, n: i32): f32 {
  let m0 = f32x4.splat(-Infinity), m1 = m0;
  let l0 = f32x4.splat(Infinity), l1 = l0;
  let nan = i32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(x + (<usize>i << 2));
    const b = v128.load(x + (<usize>i << 2), 16);
    m0 = f32x4.pmax(m0, a);
    m1 = f32x4.pmax(m1, b);
    l0 = f32x4.pmin(l0, a);
    l1 = f32x4.pmin(l1, b);
    nan = v128.or(nan, v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
  }
  let best = hmax(f32x4.pmax(m0, m1));
  let least = hmin(f32x4.pmin(l0, l1));
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    best = max<f32>(best, v);
    least = min<f32>(least, v);
  }
  rowMin = least;
  return v128.any_true(nan) ? NaN : best;
}

/**
 * Writes exp(x - max) to o (when `write`) and returns the float64 sum. `normal` says every x - max is at
 * least EXP_NORMAL_MIN, so the short exp serves every lane without a per-vector check.
 */
@inline
function expSum(x: usize, o: usize, n: i32, max: f32, write: bool, normal: bool): f64 {
  const mv = f32x4.splat(max);
  let s: f64 = 0;
  let i = 0;
  while (i + 16 <= n) {
    const end = min(n & ~15, i + SUM_BLOCK);
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (; i < end; i += 16) {
      const at = <usize>i << 2;
      const x0 = f32x4.sub(v128.load(x + at), mv);
      const x1 = f32x4.sub(v128.load(x + at, 16), mv);
      const x2 = f32x4.sub(v128.load(x + at, 32), mv);
      const x3 = f32x4.sub(v128.load(x + at, 48), mv);
      const e0 = normal ? expNormal(x0) : expNonPositive(x0);
      const e1 = normal ? expNormal(x1) : expNonPositive(x1);
      const e2 = normal ? expNormal(x2) : expNonPositive(x2);
      const e3 = normal ? expNormal(x3) : expNonPositive(x3);
      if (write) {
        v128.store(o + at, e0);
        v128.store(o + at, e1, 16);
        v128.store(o + at, e2, 32);
        v128.store(o + at, e3, 48);
      }
      a0 = f32x4.add(a0, e0);
      a1 = f32x4.add(a1, e1);
      a2 = f32x4.add(a2, e2);
      a3 = f32x4.add(a3, e3);
    }
    s += hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const xv = f32x4.sub(v128.load(x + at), mv);
    const e = normal ? expNormal(xv) : expNonPositive(xv);
    if (write) v128.store(o + at, e);
    s += hsum(e);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + at) - max)), 0);
    if (write) store<f32>(o + at, e);
    s += <f64>e;
  }
  return s;
}

/** Elements of work per claim: short rows are claimed several at a time (a claim is an atomic add). */
const CLAIM_ELEMENTS: i32 = 1024;

/** softmax over rows of n (log = 0) or log_softmax (log = 1), rows claimed a batch of about CLAIM_ELEMENTS at a time. */
export function softmax_rows_f32(tid: i32, work: usize, x: usize, o: usize, rows: i32, n: i32, log: i32): void {
  const batch = max(1, CLAIM_ELEMENTS / max(n, 1));
  for (let r0 = claim(work, batch, rows); r0 < rows; r0 = claim(work, batch, rows)) {
    const r1 = min(rows, r0 + batch);
    for (let r = r0; r < r1; r++) softmaxRow(x, o, r, n, log);
  }
}

/** One row of softmax_rows_f32. */
@inline
function softmaxRow(x: usize, o: usize, r: i32, n: i32, log: i32): void {
  {
    const off = (<usize>r * <usize>n) << 2;
    const xr = x + off;
    const or = o + off;
    const max = rowMax(xr, n);
    // NaN or infinite rows fail this test and take the exp that handles every input.
    const normal = rowMin - max >= EXP_NORMAL_MIN;
    if (log) {
      // (x - max) - lse, in that order: adding max and lse first would round at the scale of max.
      const mv = f32x4.splat(max);
      const lse = f32x4.splat(<f32>hostLog(normal ? expSum(xr, or, n, max, false, true) : expSum(xr, or, n, max, false, false)));
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(or + (<usize>i << 2), f32x4.sub(f32x4.sub(v128.load(xr + (<usize>i << 2)), mv), lse));
      for (; i < n; i++) store<f32>(or + (<usize>i << 2), load<f32>(xr + (<usize>i << 2)) - max - f32x4.extract_lane(lse, 0));
    } else {
      const sum = normal ? expSum(xr, or, n, max, true, true) : expSum(xr, or, n, max, true, false);
      const scale = f32x4.splat(<f32>(1 / sum));
      let i = 0;
      for (; i + 16 <= n; i += 16) {
        const at = or + (<usize>i << 2);
        v128.store(at, f32x4.mul(v128.load(at), scale));
        v128.store(at, f32x4.mul(v128.load(at, 16), scale), 16);
        v128.store(at, f32x4.mul(v128.load(at, 32), scale), 32);
        v128.store(at, f32x4.mul(v128.load(at, 48), scale), 48);
      }
      for (; i + 4 <= n; i += 4) v128.store(or + (<usize>i << 2), f32x4.mul(v128.load(or + (<usize>i << 2)), scale));
      for (; i < n; i++) store<f32>(or + (<usize>i << 2), load<f32>(or + (<usize>i << 2)) * f32x4.extract_lane(scale, 0));
    }
  }
}
