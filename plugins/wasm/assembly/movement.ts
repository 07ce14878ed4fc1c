// Strided copies of 4-byte elements (transpose, slice, expand): the output is walked row by row (its last
// axis), each row read from the source at a stride; rows are claimed a batch at a time.
import { claim } from './split';

/** Elements of work per claim (at least a few rows). */
const CLAIM_ELEMENTS: i32 = 2048;
const MIN_ROWS: i32 = 4;
/** Rows of at least this many bytes are copied by memory.copy; shorter ones by vector moves (a call costs more). */
const MEMCPY_BYTES: i32 = 256;

/**
 * dst (row-major, `rank` axes) = src read through strides: element (i0, i1, ...) of the output comes from
 * src[base + i0·s0 + i1·s1 + ...]. `geom` holds the output shape (rank i32s), then the strides (rank i32s,
 * in elements; 0 broadcasts, negative reverses), then base. A row's source offset is found by division
 * once per run of rows along the second-to-last axis, then stepped.
 */
export function strided_copy_32(tid: i32, work: usize, src: usize, dst: usize, rank: i32, geom: usize): void {
  const last = rank - 1;
  const n = load<i32>(geom + (<usize>last << 2));
  const step = load<i32>(geom + (<usize>(rank + last) << 2));
  const base = load<i32>(geom + (<usize>(2 * rank) << 2));
  let rows = 1;
  for (let ax = 0; ax < last; ax++) rows *= load<i32>(geom + (<usize>ax << 2));
  if (n == 0) return;
  // The second-to-last axis: its length and stride (a rank-1 copy is one run of one row).
  const d2 = rank >= 2 ? load<i32>(geom + (<usize>(last - 1) << 2)) : 1;
  const s2 = rank >= 2 ? load<i32>(geom + (<usize>(rank + last - 1) << 2)) : 0;
  const batch = max(MIN_ROWS, CLAIM_ELEMENTS / n);
  for (let r0 = claim(work, batch, rows); r0 < rows; r0 = claim(work, batch, rows)) {
    const r1 = min(rows, r0 + batch);
    let r = r0;
    while (r < r1) {
      const j = r % d2;
      // The run's source offset: the outer axes' index, r / d2, as a mixed-radix number.
      let off = base + j * s2;
      let rest = r / d2;
      for (let ax = last - 2; ax >= 0; ax--) {
        const d = load<i32>(geom + (<usize>ax << 2));
        off += (rest % d) * load<i32>(geom + (<usize>(rank + ax) << 2));
        rest /= d;
      }
      const stop = min(r1, r + (d2 - j));
      for (; r < stop; r++, off += s2) copyRow(src + (<isize>off << 2), dst + ((<usize>r * <usize>n) << 2), n, step);
    }
  }
}

/** n elements to o from s at a stride of `step` elements. */
@inline
function copyRow(s: usize, o: usize, n: i32, step: i32): void {
  if (step == 1) {
    if (n << 2 >= MEMCPY_BYTES) {
      memory.copy(o, s, <usize>n << 2);
      return;
    }
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const at = <usize>j << 2;
      const v0 = v128.load(s + at);
      const v1 = v128.load(s + at, 16);
      v128.store(o + at, v0);
      v128.store(o + at, v1, 16);
    }
    for (; j + 4 <= n; j += 4) v128.store(o + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
    for (; j < n; j++) store<i32>(o + (<usize>j << 2), load<i32>(s + (<usize>j << 2)));
    return;
  }
  for (let j = 0; j < n; j++) store<i32>(o + (<usize>j << 2), load<i32>(s + (<isize>(j * step) << 2)));
}
