import { createHearth } from '@hearth/core';
import { wasmPlugin } from '@hearth/plugin-wasm';
import { cpuPlugin } from '@hearth/plugin-cpu';
for (const [p, b] of [[wasmPlugin, 'wasm'], [cpuPlugin, 'cpu'], [wasmPlugin, 'wasm'], [cpuPlugin, 'cpu']]) {
  const h = createHearth({ plugins: [p], backends: [b], backendOptions: { wasm: { threads: 1 } } });
  await h.ready();
  const a1 = h.tensor([1.5]), b1 = h.tensor([2]);
  for (let i = 0; i < 200000; i++) h.add(a1, b1).dispose();
  const t0 = performance.now(); for (let i = 0; i < 1000000; i++) h.add(a1, b1).dispose();
  console.log(b, ((performance.now() - t0) / 1000).toFixed(3), 'us');
  await h.dispose();
}
