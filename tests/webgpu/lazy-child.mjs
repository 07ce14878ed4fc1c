// Run by lazy-start.test.ts in a child process, so that what it observes is this process's own: it loads the
// CPU and WebGPU plugins and computes, then prints (as JSON) the values, the runtime's devices, and the
// shared objects the process has loaded (Dawn is `dawn.node`). Modes: `priority` (no backend list), `named`
// (`backends: ['cpu']`), `webgpu` (no list, then a tensor moved to webgpu and computed there), `by-name`
// (no list, then a tensor made on webgpu by name, synchronously, before anything started it).
import { createHearth } from '@hearth/core';
import { cpuPlugin } from '@hearth/plugin-cpu';
import { webgpuPlugin } from '@hearth/plugin-webgpu';

const mode = process.argv[2];
const hearth = createHearth({ plugins: [cpuPlugin, webgpuPlugin], ...(mode === 'named' ? { backends: ['cpu'] } : {}) });
const report = await hearth.ready();
const x = hearth.tensor([[1, 2], [3, 4]]);
let values = await x.matmul(x).array();
const listedAtReady = hearth.devices().map((d) => [d.name, d.started]);
if (mode === 'webgpu') {
  const g = await x.to('webgpu');
  values = [values, await g.matmul(g).array()];
}
if (mode === 'by-name') {
  const g = hearth.tensor([[1, 2], [3, 4]], { device: 'webgpu' });
  values = [values, await g.matmul(g).array()];
}
const out = {
  values,
  defaultDevice: report.defaultDevice,
  notStartedAtReady: report.notStarted.map((b) => b.backend),
  listedAtReady,
  devices: hearth.devices().map((d) => d.name),
  dawnLoaded: process.report.getReport().sharedObjects.some((o) => /dawn/i.test(o)),
};
await hearth.dispose();
console.log(JSON.stringify(out));
