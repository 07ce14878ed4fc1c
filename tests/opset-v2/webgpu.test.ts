import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// llvmpipe ends an invocation's loops after 65,535 iterations in total without an error, so each of these
// spans several dispatches; a kernel that looped over the whole axis in one would come back wrong.
describe('opset v2 kernels past one invocation\'s loop budget', () => {
  const L = 70_000;

  it('cumsum over a 70,000-long axis, forward and reversed, inclusive and exclusive', async () => {
    const xs = Array.from({ length: 2 * L }, (_, i) => ((i * 7) % 13) - 6);
    const x = hearth.tensor(Int32Array.from(xs), { shape: [2, L], dtype: 'int32' });
    for (const reverse of [false, true]) {
      for (const exclusive of [false, true]) {
        const want: number[] = new Array(2 * L);
        for (let r = 0; r < 2; r++) {
          let s = 0;
          for (let t = 0; t < L; t++) {
            const at = r * L + (reverse ? L - 1 - t : t);
            if (exclusive) (want[at] = s), (s += xs[at]!);
            else (s += xs[at]!), (want[at] = s);
          }
        }
        expect(Array.from(await hearth.op('cumsum', [x], { axis: 1, reverse, exclusive }).data())).toEqual(want);
      }
    }
  });

  it('topk over a 70,000-long axis', async () => {
    // A fixed permutation of 0..L-1 (7919 is prime to L), so the order is unambiguous, with the extremes
    // moved to the end: the runners-up must count them to know their rank.
    const xs = Array.from({ length: L }, (_, i) => (i * 7919) % L);
    xs[L - 1] = L;
    xs[L - 2] = -1;
    const x = hearth.tensor(Float32Array.from(xs), { shape: [L] });
    const byValue = xs.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
    expect(Array.from(await hearth.op('topk', [x], { k: 3 }).data())).toEqual(byValue.slice(0, 3).map(([, i]) => i));
    expect(Array.from(await hearth.op('topk', [x], { k: 3, largest: false }).data())).toEqual(byValue.slice(-3).reverse().map(([, i]) => i));
  });

  it('conv_transpose2d with 7,500 input channels per group (67,500 products per output, over several passes)', async () => {
    const C = 7500;
    const xs = Array.from({ length: C }, (_, i) => Math.fround(Math.sin(i)));
    const ws = Array.from({ length: C * 9 }, (_, i) => Math.fround(Math.cos(i * 0.7)));
    const x = hearth.tensor(Float32Array.from(xs), { shape: [1, C, 1, 1] });
    const w = hearth.tensor(Float32Array.from(ws), { shape: [C, 1, 3, 3] });
    const got = Array.from(await hearth.op('conv_transpose2d', [x, w]).data());
    for (let k = 0; k < 9; k++) {
      let want = 0;
      let scale = 0;
      for (let c = 0; c < C; c++) (want += xs[c]! * ws[c * 9 + k]!), (scale += Math.abs(xs[c]! * ws[c * 9 + k]!));
      expect(Math.abs(got[k]! - want)).toBeLessThanOrEqual(1e-6 * scale);
    }
  });
});
