import { afterAll, beforeAll, describe } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { plugin as nativePlugin } from '@hearth/plugin-native';
import { opsetV2Checks } from './cases.js';

// The reference native plugin's opset v2 kernels, through the C ABI (attributes, number lists included).
let hearth: Hearth;
beforeAll(async () => {
  hearth = createHearth({ plugins: [nativePlugin], backends: ['native'] });
  await hearth.ready();
});
afterAll(() => hearth.dispose());

describe('opset v2 primitives on the native reference plugin', () => opsetV2Checks(() => hearth, { checksIndices: true }));
