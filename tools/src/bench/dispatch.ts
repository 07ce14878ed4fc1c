import { createHearth, type Hearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { formatTable } from '../table.js';
import { nsPerOp } from './timing.js';
import { compareWithBaseline } from './baseline.js';

/**
 * ns per `h.add(a, b).dispose()` of two 1-element float32 tensors on `device` (the dispatcher's whole
 * path), once the sum is checked; `a` and `b` stay live, so the caller's leak check counts 2 per device.
 */
export async function oneElementAddNs(h: Hearth, device: string, n: number, time = nsPerOp): Promise<number> {
  const a = h.tensor([1.5], { device });
  const b = h.tensor([2.25], { device });
  const check = h.add(a, b);
  const sum = (await check.data())[0];
  check.dispose();
  if (sum !== 3.75) throw new Error(`${device} computed 1.5 + 2.25 = ${sum}`);
  return time((k) => {
    for (let i = 0; i < k; i++) h.add(a, b).dispose();
  }, n);
}

/**
 * `npm run bench -- dispatch`: a 1-element `add` through the whole dispatcher, on cpu and on wasm (validation, meta, kernel
 * lookup, output allocation, the kernel, disposal), beside a plain JS loop doing the same arithmetic into
 * a fresh one-element array, in the same run. With `HEARTH_BENCH_BASELINE` set, compares this core with
 * another build of it instead (see {@link compareWithBaseline}).
 */
export async function benchDispatch(): Promise<void> {
  const baseline = process.env['HEARTH_BENCH_BASELINE'];
  if (baseline) return compareWithBaseline(baseline);
  const n = 200_000;
  const hearth: [string, number][] = [];
  for (const [plugin, device] of [[cpuPlugin, 'cpu'], [wasmPlugin, 'wasm']] as const) {
    const h = createHearth({ plugins: [plugin], backends: [device] });
    await h.ready();
    hearth.push([`hearth.add(a, b).dispose() on ${device}:0`, await oneElementAddNs(h, `${device}:0`, n)]);
    if (h.leaks().length !== 2) throw new Error(`the benchmark leaked ${h.leaks().length - 2} tensors`);
    await h.dispose();
  }
  const x = new Float32Array([1.5]);
  const y = new Float32Array([2.25]);
  let sink = 0;
  const plainNs = nsPerOp((k) => {
    for (let i = 0; i < k; i++) {
      const o = new Float32Array(1);
      o[0] = x[0]! + y[0]!;
      sink += o[0]!;
    }
  }, n);
  if (sink === 42) console.log('');
  console.log('dispatch: 1-element float32 add on cpu:0 and wasm:0, median of 7 runs of 200000 calls');
  console.log(
    formatTable(
      ['path', 'us/op', 'ratio to plain JS'],
      [
        ...hearth.map(([path, ns]) => [path, (ns / 1000).toFixed(3), (ns / plainNs).toFixed(1)]),
        ['plain JS (new Float32Array(1), a+b)', (plainNs / 1000).toFixed(3), '1.0'],
      ],
    ),
  );
}
