import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { expectClose, randomF32, wasmHearth } from '../test-util.js';

// Depthwise conv2d (groups = input channels = output channels) on the wasm device against a float64
// reference written from conv2d's definition: kernel sizes, strides 1, 2 and 3, dilation, padding on one
// side only, widths off the 4-, 8- and 24-pixel vector steps, batches, with and without bias, and a size past
// the threading threshold; on one thread and on two. (Finite weights run as assembly/conv.ts's depthwise
// panels at every stride, Inf/NaN weights as the reference kernel: the cases cover both.)

let hs: Hearth[];
beforeAll(async () => {
  hs = [await wasmHearth(1), await wasmHearth(2)];
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

interface Depthwise {
  N: number;
  C: number;
  H: number;
  W: number;
  K: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}

/** Each output pixel sums its channel's kernel over the input pixels it covers, padding skipped, in float64. */
function depthwise(x: Float32Array, w: Float32Array, bias: Float32Array | undefined, c: Depthwise): { out: Float64Array; shape: number[] } {
  const [KH, KW] = c.K;
  const OH = Math.floor((c.H + 2 * c.padding[0] - c.dilation[0] * (KH - 1) - 1) / c.stride[0]) + 1;
  const OW = Math.floor((c.W + 2 * c.padding[1] - c.dilation[1] * (KW - 1) - 1) / c.stride[1]) + 1;
  const out = new Float64Array(c.N * c.C * OH * OW);
  for (let n = 0; n < c.N; n++)
    for (let ch = 0; ch < c.C; ch++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let s = bias ? bias[ch]! : 0;
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const ih = oh * c.stride[0] - c.padding[0] + kh * c.dilation[0];
              const iw = ow * c.stride[1] - c.padding[1] + kw * c.dilation[1];
              if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
              s += x[((n * c.C + ch) * c.H + ih) * c.W + iw]! * w[(ch * KH + kh) * KW + kw]!;
            }
          out[((n * c.C + ch) * OH + oh) * OW + ow] = s;
        }
  return { out, shape: [c.N, c.C, OH, OW] };
}

const base: Depthwise = { N: 1, C: 3, H: 7, W: 13, K: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] };
const CASES: Record<string, Depthwise> = {
  '3x3, stride 1, padding 1': base,
  '3x3, stride 2, padding 1, odd width': { ...base, H: 9, W: 27, stride: [2, 2] },
  '5x5, stride 2, padding 2, batch 2': { ...base, N: 2, C: 5, H: 12, W: 48, K: [5, 5], stride: [2, 2], padding: [2, 2] },
  '5x5, stride 1, padding 2, wide rows': { ...base, H: 6, W: 61, K: [5, 5], padding: [2, 2] },
  'no padding, 2x4 kernel': { ...base, K: [2, 4], padding: [0, 0] },
  'padding on the left only, stride 1 x 2': { ...base, W: 33, padding: [0, 2], stride: [1, 2] },
  'stride 3, dilation 2': { ...base, H: 11, W: 40, stride: [3, 3], dilation: [2, 2], padding: [2, 1] },
  'a kernel wider than the image': { ...base, W: 3, K: [3, 5], padding: [1, 2] },
  // Stride-1 rows run in 24-pixel panels, then one of 16 or 8, then a partial one: each combination.
  'rows of whole 24-pixel panels': { ...base, C: 4, H: 5, W: 48, K: [5, 5], padding: [2, 2] },
  'a 24-pixel panel and a partial one': { ...base, C: 2, H: 4, W: 31 },
  'a 24-pixel panel, a 16-pixel one and a partial one, stride 2 x 1': { ...base, C: 3, H: 9, W: 43, stride: [2, 1] },
  'a 24-pixel panel and an 8-pixel one': { ...base, C: 2, H: 3, W: 32, K: [1, 3], padding: [0, 1] },
  // Rows narrower than 24 pixels run three of a plane at a time; the rest of a plane's rows one at a time.
  'narrow rows: 8-pixel panels and a partial one, a height of a triple and two': { ...base, C: 3, H: 5, W: 21, K: [5, 5], padding: [2, 2] },
  'narrow rows of whole 8-pixel panels, whole triples, stride 2 x 1': { ...base, C: 2, H: 12, W: 16, stride: [2, 1] },
  'narrow rows, a triple and one per plane, batch 2': { ...base, N: 2, C: 3, H: 4, W: 9 },
  'rows narrower than one 8-pixel panel': { ...base, C: 5, H: 6, W: 6 },
  'past the threading threshold': { ...base, N: 2, C: 32, H: 48, W: 97, stride: [2, 2] },
  'narrow rows past the threading threshold': { ...base, N: 2, C: 128, H: 14, W: 14, K: [5, 5], padding: [2, 2] },
};

describe.each([1, 2])('wasm depthwise conv2d on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it.each(Object.keys(CASES))('%s', async (name) => {
    const c = CASES[name]!;
    const x = randomF32(1, c.N * c.C * c.H * c.W);
    const w = randomF32(2, c.C * c.K[0] * c.K[1]);
    const bias = randomF32(3, c.C);
    for (const b of [bias, undefined]) {
      const inputs = [h().tensor(x, { shape: [c.N, c.C, c.H, c.W] }), h().tensor(w, { shape: [c.C, 1, ...c.K] }), ...(b ? [h().tensor(b)] : [])];
      const y = h().op('conv2d', inputs, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.C });
      const want = depthwise(x, w, b, c);
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.data(), want.out, 1e-5, 1);
    }
  });

  it('an infinite weight reaches only the outputs whose taps cover the image, not the padding', async () => {
    const c: Depthwise = { ...base, C: 2, H: 4, W: 11 };
    const x = randomF32(4, 2 * 4 * 11);
    const w = new Float32Array(18).fill(0.5);
    w[0] = Infinity; // channel 0's top-left tap: on padding for the first output row and column
    const y = await h().op('conv2d', [h().tensor(x, { shape: [1, 2, 4, 11] }), h().tensor(w, { shape: [2, 1, 3, 3] })], { padding: [1, 1], groups: 2 }).data();
    expectClose(y, depthwise(x, w, undefined, c).out, 1e-6);
  });
});
