import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { expectClose, randomF32, wasmHearth } from '../test-util.js';

// matmul and conv2d through the packed GEMM, against float64: sizes off every blocking boundary (4-row
// and 8-column panels, 64-row blocks, 256-deep slices), batches, vectors, and sizes that use the threads.

const hs: Hearth[] = [];
beforeAll(async () => {
  hs.push(await wasmHearth(1), await wasmHearth(2));
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

interface Conv {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

function conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | undefined, c: Conv): { out: Float64Array; shape: number[] } {
  const OH = Math.floor((c.H + 2 * c.padding[0] - c.dilation[0] * (c.KH - 1) - 1) / c.stride[0]) + 1;
  const OW = Math.floor((c.W + 2 * c.padding[1] - c.dilation[1] * (c.KW - 1) - 1) / c.stride[1]) + 1;
  const Cg = c.C / c.groups;
  const Og = c.O / c.groups;
  const out = new Float64Array(c.N * c.O * OH * OW);
  for (let n = 0; n < c.N; n++)
    for (let o = 0; o < c.O; o++)
      for (let y = 0; y < OH; y++)
        for (let z = 0; z < OW; z++) {
          let s = bias ? bias[o]! : 0;
          for (let ci = 0; ci < Cg; ci++)
            for (let ky = 0; ky < c.KH; ky++)
              for (let kx = 0; kx < c.KW; kx++) {
                const iy = y * c.stride[0] - c.padding[0] + ky * c.dilation[0];
                const ix = z * c.stride[1] - c.padding[1] + kx * c.dilation[1];
                if (iy < 0 || ix < 0 || iy >= c.H || ix >= c.W) continue;
                const chan = Math.floor(o / Og) * Cg + ci;
                s += x[((n * c.C + chan) * c.H + iy) * c.W + ix]! * w[((o * Cg + ci) * c.KH + ky) * c.KW + kx]!;
              }
          out[((n * c.O + o) * OH + y) * OW + z] = s;
        }
  return { out, shape: [c.N, c.O, OH, OW] };
}

describe.each([1, 2])('wasm matmul and conv2d on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it('matmul at sizes off every panel and block boundary', async () => {
    // Small products read both operands in place (4x8 tiles, 1x16 for rows left over, then column tails);
    // a deep k or a B beyond 2^16 floats (with more than 4 rows) goes through the packed GEMM.
    for (const [m, k, n] of [[1, 1, 1], [1, 7, 1], [1, 2400, 32], [2, 300, 17], [3, 5, 47], [4, 8, 8], [4, 1100, 300], [5, 3, 7], [13, 300, 9], [67, 257, 33], [130, 520, 129]] as const) {
      const a = randomF32(m * 31 + k, m * k);
      const b = randomF32(n * 17 + k, k * n);
      const got = await h().matmul(h().tensor(a, { shape: [m, k] }), h().tensor(b, { shape: [k, n] })).data();
      expectClose(got, matmul(a, b, m, k, n), 1e-5, Math.sqrt(k) * 3);
    }
  });

  it('matmul with batches (shared or broadcast operand), vectors and an empty inner dimension', async () => {
    const a = randomF32(1, 3 * 5 * 6);
    const b = randomF32(2, 3 * 6 * 4);
    const got = await h().matmul(h().tensor(a, { shape: [3, 5, 6] }), h().tensor(b, { shape: [3, 6, 4] })).data();
    const want = [0, 1, 2].flatMap((i) => Array.from(matmul(a.subarray(i * 30, i * 30 + 30), b.subarray(i * 24, i * 24 + 24), 5, 6, 4)));
    expectClose(got, want, 1e-5, 3);
    const shared = await h().matmul(h().tensor(a, { shape: [3, 5, 6] }), h().tensor(b.subarray(0, 24), { shape: [6, 4] })).data();
    expectClose(shared, [0, 1, 2].flatMap((i) => Array.from(matmul(a.subarray(i * 30, i * 30 + 30), b.subarray(0, 24), 5, 6, 4))), 1e-5, 3);
    // [2,1,m,k] x [3,k,n] broadcasts both batches: the generic kernel, same answer.
    const crossed = await h().matmul(h().tensor(a.subarray(0, 60), { shape: [2, 1, 5, 6] }), h().tensor(b.subarray(0, 72), { shape: [3, 6, 4] })).data();
    expect(crossed.length).toBe(2 * 3 * 5 * 4);
    expectClose(crossed.subarray(20, 40), matmul(a.subarray(0, 30), b.subarray(24, 48), 5, 6, 4), 1e-5, 3);
    // A batch of products larger than one claimed block each (16 rows x 32 columns), with row and column tails.
    const [bm, bk, bn] = [37, 20, 45];
    const ba = randomF32(5, 3 * bm * bk);
    const bb = randomF32(6, 3 * bk * bn);
    const batched = await h().matmul(h().tensor(ba, { shape: [3, bm, bk] }), h().tensor(bb, { shape: [3, bk, bn] })).data();
    const each = (i: number) => Array.from(matmul(ba.subarray(i * bm * bk, (i + 1) * bm * bk), bb.subarray(i * bk * bn, (i + 1) * bk * bn), bm, bk, bn));
    expectClose(batched, [0, 1, 2].flatMap(each), 1e-5, 3);
    const v = await h().matmul(h().tensor(a.subarray(0, 6)), h().tensor(b.subarray(0, 24), { shape: [6, 4] })).data();
    expectClose(v, matmul(a.subarray(0, 6), b.subarray(0, 24), 1, 6, 4), 1e-5, 3);
    const empty = await h().matmul(h().tensor(new Float32Array(0), { shape: [3, 0] }), h().tensor(new Float32Array(0), { shape: [0, 2] })).data();
    expect(Array.from(empty)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it.each<[string, Partial<Conv>, boolean]>([
    ['3x3 pad 1 (the common case)', { C: 16, H: 24, W: 24, O: 16, padding: [1, 1] }, true],
    ['an odd width (panels cross rows), stride 2, batch 2', { N: 2, C: 3, H: 11, W: 13, O: 5, stride: [2, 2], padding: [1, 2] }, true],
    ['dilation 2, groups 2, rectangular kernel', { C: 4, H: 10, W: 9, O: 6, KH: 2, KW: 3, dilation: [2, 2], groups: 2 }, true],
    ['1x1 kernel, no padding', { C: 8, H: 5, W: 40, O: 9, KH: 1, KW: 1 }, false],
    ['1x1 kernel with a bias per output channel, batch 3, 21 pixels, 7 outputs (partial tiles and row tails)', { N: 3, C: 12, H: 3, W: 7, O: 7, KH: 1, KW: 1 }, true],
    ['1x1 kernel with a bias, 2 outputs over many pixels', { N: 2, C: 5, H: 30, W: 37, O: 2, KH: 1, KW: 1 }, true],
    ['stride (2, 1), uneven padding, 5 output channels, a batch of 3 (the direct path with partial tiles)', { N: 3, C: 3, H: 9, W: 11, O: 5, stride: [2, 1], padding: [1, 2] }, true],
    ['the resnet stem: 3 channels of 16x16, batch 8', { N: 8, C: 3, H: 16, W: 16, O: 8, padding: [1, 1] }, true],
    ['depthwise 5x5 (groups = channels), pad 2, batch 2, partial panels', { N: 2, C: 6, H: 7, W: 11, O: 6, KH: 5, KW: 5, padding: [2, 2], groups: 6 }, true],
    ['depthwise 3x3, dilation 2, stride (2, 1), no bias', { C: 4, H: 9, W: 21, O: 4, stride: [2, 1], dilation: [2, 2], groups: 4 }, false],
    ['stride 3 with dilation 2, a width no multiple of the stride, batch 2', { N: 2, C: 3, H: 10, W: 17, O: 5, stride: [3, 3], dilation: [2, 2], padding: [2, 1] }, true],
    ['a stride-2 stem: 3 to 8 channels of 48x192, pad 1', { C: 3, H: 48, W: 192, O: 8, stride: [2, 2], padding: [1, 1] }, true],
    ['depthwise 3x3, stride 2, pad 1, odd sizes', { C: 8, H: 13, W: 19, O: 8, stride: [2, 2], padding: [1, 1], groups: 8 }, true],
    ['depthwise 5x5, stride 2, dilation (1, 2), uneven padding, batch 2', { N: 2, C: 5, H: 12, W: 23, O: 5, KH: 5, KW: 5, stride: [2, 2], padding: [2, 3], dilation: [1, 2], groups: 5 }, false],
    ['stride 2 with more weights than the direct path keeps (im2col), odd width, dilation (1, 2)', { C: 48, H: 9, W: 23, O: 32, stride: [2, 2], padding: [1, 2], dilation: [1, 2] }, true],
    ['two outputs per group (a depthwise multiplier of 2)', { C: 3, H: 6, W: 9, O: 6, padding: [1, 1], groups: 3 }, true],
  ])('conv2d: %s', async (_name, p, withBias) => {
    const c: Conv = { N: 1, C: 1, H: 1, W: 1, O: 1, KH: 3, KW: 3, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...p };
    const x = randomF32(c.C * c.H, c.N * c.C * c.H * c.W);
    const w = randomF32(c.O * 7, c.O * (c.C / c.groups) * c.KH * c.KW);
    const bias = withBias ? randomF32(3, c.O) : undefined;
    const inputs = [h().tensor(x, { shape: [c.N, c.C, c.H, c.W] }), h().tensor(w, { shape: [c.O, c.C / c.groups, c.KH, c.KW] })];
    if (bias) inputs.push(h().tensor(bias));
    const out = h().op('conv2d', inputs, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
    const want = conv2d(x, w, bias, c);
    expect(out.shape).toEqual(want.shape);
    expectClose(await out.data(), want.out, 1e-5, 10);
  });

  it('conv2d with an infinite weight next to the padding: the padding is skipped, not multiplied', async () => {
    const c: Conv = { N: 1, C: 1, H: 3, W: 3, O: 1, KH: 3, KW: 3, stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = Float32Array.from([Infinity, 0, 0, 0, 1, 0, 0, 0, 0]);
    const out = await h().op('conv2d', [h().tensor(x, { shape: [1, 1, 3, 3] }), h().tensor(w, { shape: [1, 1, 3, 3] })], { padding: [1, 1] }).data();
    expectClose(out, conv2d(x, w, undefined, c).out, 1e-6);
  });
});
