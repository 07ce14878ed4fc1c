import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Hearth, HearthPlugin } from '@hearth/core';
import { formatTable } from '../table.js';
import { nsPerOp } from './timing.js';
import { baselinePath, separateCoreCopy } from './baseline.js';

/**
 * ns per `h.add(a, b).dispose()` of two 1-element float32 tensors on `device` (the dispatcher's whole
 * path), once the sum is checked. Leaves no tensor behind.
 */
export async function oneElementAddNs(h: Hearth, device: string, n: number, time = nsPerOp): Promise<number> {
  const a = h.tensor([1.5], { device });
  const b = h.tensor([2.25], { device });
  const check = h.add(a, b);
  const sum = (await check.data())[0];
  check.dispose();
  if (sum !== 3.75) throw new Error(`${device} computed 1.5 + 2.25 = ${sum}`);
  const ns = time((k) => {
    for (let i = 0; i < k; i++) h.add(a, b).dispose();
  }, n);
  a.dispose();
  b.dispose();
  return ns;
}

/** The backends of the table, each with its plugin (imported only by the process that measures it). */
export const DISPATCH_BACKENDS: Readonly<Record<string, () => Promise<HearthPlugin>>> = {
  cpu: async () => (await import('@hearth/plugin-cpu')).cpuPlugin,
  wasm: async () => (await import('@hearth/plugin-wasm')).wasmPlugin,
  native: async () => (await import('@hearth/plugin-native')).plugin,
  onednn: async () => (await import('@hearth/plugin-onednn')).plugin,
};

/** The name of the plain JS measurement. */
export const PLAIN = 'plain';

type Measured = { ns: number } | { unavailable: string };

const CHILD = fileURLToPath(new URL('./dispatch-child.js', import.meta.url));

/**
 * One measurement in a fresh process: the plugins' code is then shaped by one core alone (in one process,
 * code that several runtimes share, the plugins' kernels and backends, would carry the others' JIT
 * feedback). `--single-threaded` keeps V8's garbage collector and compiler on the timed thread, so what
 * allocation costs is counted and other threads' timing adds no noise.
 */
function measureApart(backend: string, core: string | undefined): Measured {
  const run = spawnSync(process.execPath, ['--single-threaded', CHILD, backend, ...(core ? [core] : [])], { encoding: 'utf8' });
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !last.startsWith('{')) throw new Error(`measuring ${backend} failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(last) as Measured;
}

const median = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `npm run bench -- dispatch`: a 1-element float32 `add` through the whole dispatcher (validation, meta,
 * kernel lookup, output allocation, the kernel, disposal) on each backend: cpu, wasm, the reference native
 * plugin and oneDNN (both through the C ABI loader), beside a plain JS loop doing the same arithmetic into
 * a fresh one-element array. Each figure is the median of rounds, each round a fresh process per backend
 * (see {@link measureApart}), timed in CPU time.
 *
 * With `HEARTH_BENCH_BASELINE=<another core build's dist/index.js>`, each backend also runs on that core
 * with the same plugin code, in processes alternating with this core's. For a like-for-like ratio both
 * cores are then loaded from folders of their own, apart from the @hearth/core the plugins import (this
 * core from a copy of its build): the "this core" column there is that copy's figure.
 */
export async function benchDispatch(): Promise<void> {
  const baseline = baselinePath();
  const copy = baseline ? separateCoreCopy() : undefined;
  try {
    printTable(baseline, copy?.index);
  } finally {
    copy?.remove();
  }
}

/** Measures every backend on each core, round after round, then prints the medians. */
function printTable(baseline: string | undefined, copy: string | undefined): void {
  const cores: [string, string | undefined][] = baseline ? [['this core', copy], ['baseline', baseline]] : [['this core', undefined]];
  const rounds = baseline ? 5 : 3;
  const backends = Object.keys(DISPATCH_BACKENDS);
  const ns = new Map<string, number[]>();
  const unavailable = new Map<string, string>();
  for (let r = 0; r < rounds; r++) {
    for (const backend of backends) {
      for (const [name, core] of cores) {
        const key = `${backend}/${name}`;
        if (unavailable.has(key)) continue;
        const m = measureApart(backend, core);
        if ('unavailable' in m) unavailable.set(key, m.unavailable);
        else ns.set(key, [...(ns.get(key) ?? []), m.ns]);
      }
    }
  }
  const plain = measureApart(PLAIN, undefined);
  const plainNs = 'ns' in plain ? plain.ns : NaN;
  const us = (v: number | undefined) => (v === undefined ? '-' : (v / 1000).toFixed(3));
  const fig = (backend: string, core: string) => (ns.has(`${backend}/${core}`) ? median(ns.get(`${backend}/${core}`)!) : undefined);
  console.log(`dispatch: h.add(a, b).dispose() of 1-element float32 tensors, µs per call in CPU time, median of ${rounds} rounds (a fresh process per backend and round)`);
  if (baseline) console.log(`baseline: ${baseline}, alternating with this core; both load apart from the plugins' @hearth/core`);
  const rows = backends.map((backend) => {
    const mine = fig(backend, 'this core');
    const why = unavailable.get(`${backend}/this core`);
    if (mine === undefined) return [backend, `unavailable: ${why ?? '?'}`];
    if (!baseline) return [backend, us(mine), (mine / plainNs).toFixed(1)];
    const base = fig(backend, 'baseline');
    return [backend, us(mine), base === undefined ? `unavailable: ${unavailable.get(`${backend}/baseline`) ?? '?'}` : us(base), base === undefined ? '-' : (mine / base).toFixed(2), (mine / plainNs).toFixed(1)];
  });
  const floor = ['plain JS (new Float32Array(1), a+b)', us(plainNs), ...(baseline ? ['', ''] : []), '1.0'];
  console.log(formatTable(['backend', 'this core', ...(baseline ? ['baseline', 'this / baseline'] : []), 'this / plain JS'], [...rows, floor]));
}
