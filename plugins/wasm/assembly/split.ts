// Work sharing: the threads of one kernel call take chunks of its items from a shared counter (the host
// zeroes it before the call), so a thread that starts late, or not at all, only means others take more.

/** Claims the next `chunk` items of `n` from the counter at `work`; returns the first, or n when none are left. */
@inline
export function claim(work: usize, chunk: i32, n: i32): i32 {
  const s = atomic.add<i32>(work, chunk);
  return s < n ? s : n;
}
