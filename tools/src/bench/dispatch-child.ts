// One measurement of `npm run bench -- dispatch`, in a process of its own:
//   node dispatch-child.js <backend | plain> [core dist/index.js]
// prints {"ns": ...} (ns per 1-element add, CPU time) or {"unavailable": "..."} as its last line.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { describeError, type createHearth as CreateHearth } from '@hearth/core';
import { forOlderCore } from './baseline.js';
import { DISPATCH_BACKENDS, PLAIN, oneElementAddNs } from './dispatch.js';
import { cpuNsPerOp } from './timing.js';

/** Calls per timed run, and runs per measurement (each the median of 7 runs; the median of these is reported). */
const CALLS = 20_000;
const REPEATS = 5;

/** The same arithmetic in plain JS into a fresh one-element array: the floor the table compares with. */
function plainNs(): number {
  const x = new Float32Array([1.5]);
  const y = new Float32Array([2.25]);
  let sink = 0;
  const ns = cpuNsPerOp((k) => {
    for (let i = 0; i < k; i++) {
      const o = new Float32Array(1);
      o[0] = x[0]! + y[0]!;
      sink += o[0]!;
    }
  }, 200_000);
  return sink === 42 ? ns + 1 : ns; // sink is read, so the loop can't be dropped
}

async function measure(backend: string, corePath: string | undefined): Promise<{ ns: number } | { unavailable: string }> {
  if (backend === PLAIN) return { ns: plainNs() };
  let h;
  try {
    const plugin = await DISPATCH_BACKENDS[backend]!();
    // Another core build loads apart from the @hearth/core the plugins import; it gets the plugins' kernels its opset has.
    const create = corePath ? ((await import(pathToFileURL(resolve(corePath)).href)) as { createHearth: typeof CreateHearth }).createHearth : (await import('@hearth/core')).createHearth;
    h = create({ plugins: [corePath ? forOlderCore(plugin) : plugin], backends: [backend] });
    await h.ready();
  } catch (e) {
    return { unavailable: describeError(e).split('\n')[0]!.slice(0, 200) };
  }
  const runs: number[] = [];
  for (let r = 0; r < REPEATS; r++) runs.push(await oneElementAddNs(h, `${backend}:0`, CALLS, cpuNsPerOp));
  if (h.leaks().length !== 0) throw new Error(`the benchmark leaked ${h.leaks().length} tensors on ${backend}`);
  await h.dispose();
  return { ns: runs.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]! };
}

const [backend, corePath] = process.argv.slice(2);
if (!backend || !(backend in DISPATCH_BACKENDS || backend === PLAIN)) {
  console.error(`usage: dispatch-child.js <${[...Object.keys(DISPATCH_BACKENDS), PLAIN].join('|')}> [core dist/index.js]`);
  process.exit(2);
}
console.log(JSON.stringify(await measure(backend, corePath)));
process.exit(0);
