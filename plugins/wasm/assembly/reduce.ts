// Float32 sums with blocked accumulation: 512-element blocks are summed in 16 float32 lanes (each lane
// adds 32 values), and the block sums are added in float64. The error stays near float32's rounding of the
// result for any length, at the speed of a plain SIMD loop.
import { claim } from './split';

/** Elements per chunk of one long row (a multiple of BLOCK); the host sums one partial per chunk. */
export const SUM_CHUNK: i32 = 65536;

const BLOCK: i32 = 512;

/** Sums n float32 values at x exactly as float64 would (the slow path for blocks that overflow float32). */
function sumF64(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** One block of at most BLOCK values. */
@inline
function sumBlock(x: usize, n: i32): f64 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p, 16));
    a2 = f32x4.add(a2, v128.load(p, 32));
    a3 = f32x4.add(a3, v128.load(p, 48));
  }
  const v = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  let s: f64 =
    <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  // A float32 lane can overflow where float64 would not (3e38 + 3e38 - 3e38): redo such a block in float64.
  if (!isFinite(s)) s = sumF64(x, n);
  return s;
}

/** The float64 sum of n float32 values. */
export function sumSpan(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i += BLOCK) s += sumBlock(x + (<usize>i << 2), min(BLOCK, n - i));
  return s;
}

/** Row sums: o[r] = sum of row r (n values) of x, divided by n when `mean`; rows claimed one at a time. */
export function sum_rows_f32(tid: i32, work: usize, x: usize, o: usize, rows: i32, n: i32, mean: i32): void {
  for (let r = claim(work, 1, rows); r < rows; r = claim(work, 1, rows)) {
    const s = sumSpan(x + ((<usize>r * <usize>n) << 2), n);
    store<f32>(o + (<usize>r << 2), <f32>(mean ? s / <f64>n : s));
  }
}

/** One long row in chunks: partials[c] = the float64 sum of chunk c (SUM_CHUNK values; the last may be shorter). */
export function sum_part_f32(tid: i32, work: usize, x: usize, n: i32, partials: usize): void {
  for (let s = claim(work, SUM_CHUNK, n); s < n; s = claim(work, SUM_CHUNK, n)) {
    store<f64>(partials + (<usize>(s / SUM_CHUNK) << 3), sumSpan(x + (<usize>s << 2), min(SUM_CHUNK, n - s)));
  }
}
