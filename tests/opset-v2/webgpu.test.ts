import { afterAll, beforeAll, describe } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { webgpuPlugin } from '@hearth/plugin-webgpu';
import { opsetV2Checks } from './cases.js';

// The WebGPU plugin's opset v2 kernels on this machine's adapter (Dawn's software adapter without a GPU).
let hearth: Hearth;
beforeAll(async () => {
  hearth = createHearth({ plugins: [webgpuPlugin], backends: ['webgpu'] });
  await hearth.ready();
});
afterAll(() => hearth.dispose());

describe('opset v2 primitives on webgpu', () => opsetV2Checks(() => hearth, { checksIndices: false }));
