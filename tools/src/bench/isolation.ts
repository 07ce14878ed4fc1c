import { createHearth, type Hearth, type HearthPlugin } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { wasmPlugin } from '@hearth/plugin-wasm';
import nativePlugin from '@hearth/plugin-native';
import { formatTable } from '../table.js';
import { msPerCall } from './timing.js';

async function open(plugin: HearthPlugin, isolate: boolean): Promise<Hearth> {
  const h = createHearth({ plugins: [plugin], backends: [plugin.manifest.deviceTypes[0]!], isolate });
  await h.ready();
  return h;
}

/** µs per 1-element add: `pipelined` sends `n` adds and reads once; otherwise each add's result is read. */
async function addUs(h: Hearth, n: number, pipelined: boolean): Promise<number> {
  const a = h.tensor([1]);
  const ms = await msPerCall(async () => {
    for (let i = 0; i < n; i++) {
      const c = a.add(a);
      if (!pipelined) await c.data();
      c.dispose();
    }
    await a.data();
  });
  a.dispose();
  return (ms * 1000) / n;
}

/** ms per 1024 x 1024 float32 matmul on inputs already on the device, its 4 MiB result read back. */
async function matmulMs(h: Hearth, reps: number): Promise<number> {
  const a = h.full([1024, 1024], 0.5);
  const b = h.full([1024, 1024], 2);
  const ms = await msPerCall(async () => {
    const c = a.matmul(b);
    await c.data();
    c.dispose();
  }, reps);
  a.dispose();
  b.dispose();
  return ms;
}

/**
 * `npm run bench -- isolation`: what running a plugin in its own process costs per op, beside the same
 * plugin in-process, in one run: a 1-element float32 add (pipelined: launches are messages sent without
 * waiting, read once at the end; and read after each op: one round trip each), and a 1024² float32 matmul
 * with its result read back (4 MiB crossing the pipe). The CPU plugin's TypeScript matmul is too slow to
 * say anything about transport; the wasm and native plugins show it.
 */
export async function benchIsolation(): Promise<void> {
  const rows: string[][] = [];
  // The reference native plugin's matmul is a plain C loop (seconds at 1024²): one timed run after the warm-up.
  for (const [plugin, matmulReps] of [[cpuPlugin, 0], [wasmPlugin, 3], [nativePlugin, 1]] as const) {
    const type = plugin.manifest.deviceTypes[0]!;
    const figures: Record<string, { add: number; addRead: number; matmul?: number }> = {};
    for (const isolate of [false, true]) {
      const h = await open(plugin, isolate);
      const add = await addUs(h, 2000, true);
      const addRead = await addUs(h, 500, false);
      figures[String(isolate)] = { add, addRead, ...(matmulReps ? { matmul: await matmulMs(h, matmulReps) } : {}) };
      if (h.leaks().length !== 0) throw new Error(`the benchmark leaked ${h.leaks().length} tensors`);
      await h.dispose();
    }
    for (const isolate of [false, true]) {
      const f = figures[String(isolate)]!;
      rows.push([`${type} ${isolate ? 'isolated' : 'in-process'}`, f.add.toFixed(1), f.addRead.toFixed(1), f.matmul === undefined ? '-' : f.matmul.toFixed(1)]);
    }
  }
  console.log('isolation: per-op cost of a plugin in its own process (messages over the IPC pipe) beside the same plugin in-process');
  console.log(formatTable(['device', 'add 1-elem us/op (pipelined)', 'add + read us/op', 'matmul 1024^2 + read ms'], rows));
}
