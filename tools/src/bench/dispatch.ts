import { createHearth, describeError, type Hearth, type HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import nativePlugin from '@hearth/plugin-native';
import { formatTable } from '../table.js';
import { cpuNsPerOp, nsPerOp } from './timing.js';
import { baselineCore, forOlderCore } from './baseline.js';

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

/** The backends of the table: a missing one (the oneDNN plugin where oneDNN is not installed) is a row that says why. */
async function plugins(): Promise<[string, HearthPlugin | string][]> {
  let onednn: HearthPlugin | string;
  try {
    onednn = (await import('@hearth/plugin-onednn')).plugin;
  } catch (e) {
    onednn = describeError(e);
  }
  return [
    ['cpu', cpuPlugin],
    ['wasm', wasmPlugin],
    ['native', nativePlugin],
    ['onednn', onednn],
  ];
}

async function open(create: typeof createHearth, plugin: HearthPlugin, device: string): Promise<Hearth> {
  const h = create({ plugins: [plugin], backends: [device] });
  await h.ready();
  return h;
}

const ROUNDS = 9;
const CALLS = 20_000;
const median = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `npm run bench -- dispatch`: a 1-element float32 `add` through the whole dispatcher (validation, meta,
 * kernel lookup, output allocation, the kernel, disposal) on each backend: cpu, wasm, the reference native
 * plugin and oneDNN (both through the C ABI loader), beside a plain JS loop doing the same arithmetic into
 * a fresh one-element array. With `HEARTH_BENCH_BASELINE=<another core build's dist/index.js>`, each
 * backend also runs on that core, with the same plugin code, alternating rounds in one process so both
 * see the same machine state. Times are CPU time of this process (user + system), medians of rounds.
 */
export async function benchDispatch(): Promise<void> {
  const baseline = await baselineCore();
  const rows: { name: string; mine: Hearth; base?: Hearth; device: string; ns: number[]; baseNs: number[] }[] = [];
  const unavailable: string[][] = [];
  for (const [device, plugin] of await plugins()) {
    try {
      if (typeof plugin === 'string') throw new Error(plugin);
      const mine = await open(createHearth, plugin, device);
      const base = baseline ? await open(baseline.createHearth, forOlderCore(plugin), device) : undefined;
      rows.push({ name: device, mine, ...(base ? { base } : {}), device: `${device}:0`, ns: [], baseNs: [] });
    } catch (e) {
      unavailable.push([device, `unavailable: ${describeError(e).split('\n')[0]!.slice(0, 160)}`]);
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const row of rows) {
      row.ns.push(await oneElementAddNs(row.mine, row.device, CALLS, cpuNsPerOp));
      if (row.base) row.baseNs.push(await oneElementAddNs(row.base, row.device, CALLS, cpuNsPerOp));
    }
  }
  for (const row of rows) {
    for (const h of [row.mine, row.base]) {
      if (h && h.leaks().length !== 0) throw new Error(`the benchmark leaked ${h.leaks().length} tensors on ${row.device}`);
      await h?.dispose();
    }
  }
  const x = new Float32Array([1.5]);
  const y = new Float32Array([2.25]);
  let sink = 0;
  const plainNs = cpuNsPerOp((k) => {
    for (let i = 0; i < k; i++) {
      const o = new Float32Array(1);
      o[0] = x[0]! + y[0]!;
      sink += o[0]!;
    }
  }, 200_000);
  if (sink === 42) console.log('');
  const us = (ns: number) => (ns / 1000).toFixed(3);
  console.log(`dispatch: h.add(a, b).dispose() of 1-element float32 tensors, µs per call in CPU time: median of ${ROUNDS} rounds, each the median of 7 runs of ${CALLS} calls`);
  if (baseline) console.log(`baseline: ${baseline.path} (the same plugins, alternating rounds)`);
  const header = ['backend', 'this core', ...(baseline ? ['baseline', 'this / baseline'] : []), 'this / plain JS'];
  console.log(
    formatTable(header, [
      ...rows.map((row) => {
        const mine = median(row.ns);
        const base = row.baseNs.length ? median(row.baseNs) : undefined;
        return [row.name, us(mine), ...(baseline ? [base === undefined ? '-' : us(base), base === undefined ? '-' : (mine / base).toFixed(2)] : []), (mine / plainNs).toFixed(1)];
      }),
      ...unavailable.map(([name, why]) => [name!, why!, ...(baseline ? ['', ''] : []), '']),
      ['plain JS (new Float32Array(1), a+b)', us(plainNs), ...(baseline ? ['', ''] : []), '1.0'],
    ]),
  );
}
