import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('opset v2 on the native reference plugin run isolated', () => {
  it('registers and runs v2 kernels in the child process (its opset is the core\'s whole opset)', async () => {
    const h = createHearth({ plugins: [nativePlugin], backends: ['native'], isolate: ['@hearth/plugin-native'] });
    await h.ready();
    try {
      const x = h.tensor(Float32Array.from([0, 0.5, -2]), { shape: [3] });
      expect(Array.from(await h.op('erf', [x]).data())).toEqual([0, 0.5204998778130465, -0.9953222650189527].map(Math.fround));
      expect(Array.from(await h.op('resize', [h.tensor(Float32Array.from([1, 2, 3, 4]), { shape: [1, 4] })], { sizes: [1, 2], scales: [1, 0.5], mode: 'nearest', coordinateTransformationMode: 'asymmetric' }).data())).toEqual([1, 3]);
    } finally {
      await h.dispose();
    }
  });
});
