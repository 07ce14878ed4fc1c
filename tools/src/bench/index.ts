import { benchDispatch } from './dispatch.js';
import { benchWebGPU } from './webgpu.js';
import { benchCpu } from './cpu.js';
import { benchNative } from './native.js';
import { benchCuda } from './cuda.js';
import { benchIsolation } from './isolation.js';
import { benchModels } from './models.js';
import { benchVerify } from './verify.js';

/** The benchmarks by name: `npm run bench -- <name>`; with no name, all of them. */
const BENCHES: Record<string, () => Promise<void>> = {
  dispatch: benchDispatch,
  webgpu: benchWebGPU,
  cpu: benchCpu,
  native: benchNative,
  cuda: benchCuda,
  isolation: benchIsolation,
  models: benchModels,
  verify: benchVerify,
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}.`);
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(BENCHES)) await BENCHES[name]!();
process.exit(0);
