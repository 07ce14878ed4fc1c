/** The share of `n` items thread `tid` of `threads` takes, rounded to multiples of `align` (a power of two). */
@inline
export function partStart(n: i32, tid: i32, threads: i32, align: i32): i32 {
  const per = ((n + threads - 1) / threads + align - 1) & ~(align - 1);
  const s = per * tid;
  return s < n ? s : n;
}

@inline
export function partEnd(n: i32, tid: i32, threads: i32, align: i32): i32 {
  return partStart(n, tid + 1, threads, align);
}
