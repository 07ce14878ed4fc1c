import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import nativePlugin from '@hearth/plugin-native';
import { formatTable } from '../table.js';
import { oneElementAddNs } from './dispatch.js';

/**
 * `npm run bench -- native`: a 1-element float32 `add` through the whole dispatcher into the reference
 * native plugin (the arena encode, one FFI call into C, output allocation through the C ABI), beside the
 * same call on the CPU plugin, in the same run.
 */
export async function benchNative(): Promise<void> {
  const h = createHearth({ plugins: [nativePlugin, cpuPlugin], backends: ['native', 'cpu'] });
  await h.ready();
  const n = 100_000;
  const rows: string[][] = [];
  const times: Record<string, number> = {};
  for (const device of ['native:0', 'cpu:0']) times[device] = await oneElementAddNs(h, device, n);
  for (const device of ['native:0', 'cpu:0']) rows.push([`hearth.add(a, b).dispose() on ${device}`, (times[device]! / 1000).toFixed(3), (times[device]! / times['cpu:0']!).toFixed(2)]);
  console.log(`native: 1-element float32 add through the dispatcher, median of 7 runs of ${n} calls`);
  console.log(formatTable(['path', 'us/op', 'ratio to cpu'], rows));
  if (h.leaks().length !== 0) throw new Error(`the benchmark leaked ${h.leaks().length} tensors`);
  await h.dispose();
}
