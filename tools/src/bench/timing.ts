/** Times `fn` (which runs `n` iterations) until the median of 7 runs is stable; returns ns per iteration. */
export function nsPerOp(fn: (n: number) => void, n: number): number {
  fn(Math.min(n, 1000)); // warm up the JIT
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    fn(n);
    runs.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return runs.sort((a, b) => a - b)[3]!;
}

/** Times an async `fn` once per call, `reps` times after one warm-up; returns the median in ms. */
export async function msPerCall(fn: () => Promise<void>, reps = 5): Promise<number> {
  await fn();
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return runs.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

/**
 * Like {@link nsPerOp}, in CPU time (user + system) of this process instead of wall time: on a machine
 * shared with other work, time the process spends descheduled doesn't count. Use it to compare variants.
 */
export function cpuNsPerOp(fn: (n: number) => void, n: number): number {
  fn(Math.min(n, 1000));
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.cpuUsage();
    fn(n);
    const d = process.cpuUsage(t0);
    runs.push(((d.user + d.system) * 1000) / n);
  }
  return runs.sort((a, b) => a - b)[3]!;
}
