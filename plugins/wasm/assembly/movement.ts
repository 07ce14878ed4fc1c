// Strided copies of 4-byte elements (transpose, slice, expand): the output is walked row by row (its last
// axis), each row read from the source at a stride; rows are claimed a batch at a time.
import { claim } from './split';

/** Output rows per claim. */
const ROWS: i32 = 16;

/**
 * dst (row-major, `rank` axes) = src read through strides: element (i0, i1, ...) of the output comes from
 * src[base + i0·s0 + i1·s1 + ...]. `geom` holds the output shape (rank i32s), then the strides (rank i32s,
 * in elements; 0 broadcasts, negative reverses), then base.
 */
export function strided_copy_32(tid: i32, work: usize, src: usize, dst: usize, rank: i32, geom: usize): void {
  const last = rank - 1;
  const n = load<i32>(geom + (<usize>last << 2));
  const step = load<i32>(geom + (<usize>(rank + last) << 2));
  const base = load<i32>(geom + (<usize>(2 * rank) << 2));
  let rows = 1;
  for (let ax = 0; ax < last; ax++) rows *= load<i32>(geom + (<usize>ax << 2));
  if (n == 0) return;
  for (let r0 = claim(work, ROWS, rows); r0 < rows; r0 = claim(work, ROWS, rows)) {
    const r1 = min(rows, r0 + ROWS);
    for (let r = r0; r < r1; r++) {
      // The row's source offset: r as a mixed-radix number over the outer axes.
      let off = base;
      let rest = r;
      for (let ax = last - 1; ax >= 0; ax--) {
        const d = load<i32>(geom + (<usize>ax << 2));
        off += (rest % d) * load<i32>(geom + (<usize>(rank + ax) << 2));
        rest /= d;
      }
      const s = src + (<usize>off << 2);
      const o = dst + ((<usize>r * <usize>n) << 2);
      if (step == 1) {
        memory.copy(o, s, <usize>n << 2);
      } else {
        for (let j = 0; j < n; j++) store<i32>(o + (<usize>j << 2), load<i32>(s + (<isize>(j * step) << 2)));
      }
    }
  }
}
