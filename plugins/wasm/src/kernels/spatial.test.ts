import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestIndex, resizeSource, type CoordinateTransformationMode, type Hearth, type NearestMode } from '@hearth/core';
import { expectClose, randomF32, wasmHearth } from '../test-util.js';

// conv_transpose2d, the 2-D pools and resize on the wasm device against float64 references written from
// the ops' definitions: strides, padding, dilation, groups and batches, sizes past the threading thresholds,
// on one thread and on two.

let hs: Hearth[];
beforeAll(async () => {
  hs = [await wasmHearth(1), await wasmHearth(2)];
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

interface Transposed {
  N: number;
  C: number;
  H: number;
  W: number;
  og: number;
  K: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  outputPadding: [number, number];
  groups: number;
}

/** Each input pixel scatters its weighted kernel into the output (the definition), in float64. */
function convTranspose(x: Float32Array, w: Float32Array, bias: Float32Array, c: Transposed): { out: Float64Array; shape: number[] } {
  const [KH, KW] = c.K;
  const OH = (c.H - 1) * c.stride[0] - 2 * c.padding[0] + c.dilation[0] * (KH - 1) + c.outputPadding[0] + 1;
  const OW = (c.W - 1) * c.stride[1] - 2 * c.padding[1] + c.dilation[1] * (KW - 1) + c.outputPadding[1] + 1;
  const O = c.og * c.groups;
  const cg = c.C / c.groups;
  const out = new Float64Array(c.N * O * OH * OW);
  for (let n = 0; n < c.N; n++) for (let o = 0; o < O; o++) out.fill(bias[o]!, (n * O + o) * OH * OW, (n * O + o + 1) * OH * OW);
  for (let n = 0; n < c.N; n++) {
    for (let ci = 0; ci < c.C; ci++) {
      const g = Math.floor(ci / cg);
      for (let iy = 0; iy < c.H; iy++) {
        for (let ix = 0; ix < c.W; ix++) {
          const v = x[((n * c.C + ci) * c.H + iy) * c.W + ix]!;
          for (let o = 0; o < c.og; o++) {
            for (let ky = 0; ky < KH; ky++) {
              for (let kx = 0; kx < KW; kx++) {
                const y = iy * c.stride[0] - c.padding[0] + ky * c.dilation[0];
                const xo = ix * c.stride[1] - c.padding[1] + kx * c.dilation[1];
                if (y < 0 || y >= OH || xo < 0 || xo >= OW) continue;
                out[((n * O + g * c.og + o) * OH + y) * OW + xo]! += v * w[((ci * c.og + o) * KH + ky) * KW + kx]!;
              }
            }
          }
        }
      }
    }
  }
  return { out, shape: [c.N, O, OH, OW] };
}

const base: Transposed = { N: 1, C: 2, H: 3, W: 3, og: 2, K: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], outputPadding: [0, 0], groups: 1 };
const TRANSPOSED: Record<string, Transposed> = {
  basic: base,
  'stride 2, padding 1, output padding 1': { ...base, N: 2, H: 5, W: 7, stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] },
  'stride 3 x 2, dilation 2 x 1': { ...base, H: 4, W: 6, stride: [3, 2], dilation: [2, 1], K: [2, 3] },
  'groups 2, wide rows (SIMD scatter)': { ...base, N: 2, C: 4, H: 6, W: 37, og: 3, groups: 2, padding: [1, 2] },
  'past the threading threshold': { ...base, N: 2, C: 16, H: 24, W: 24, og: 16, K: [4, 4], stride: [2, 2], padding: [1, 1] },
  'padding as wide as the kernel': { ...base, H: 5, W: 5, padding: [1, 2], K: [2, 2] },
};

describe.each([1, 2])('wasm spatial kernels on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it.each(Object.keys(TRANSPOSED))('conv_transpose2d: %s', async (name) => {
    const c = TRANSPOSED[name]!;
    const x = randomF32(1, c.N * c.C * c.H * c.W);
    const w = randomF32(2, c.C * c.og * c.K[0] * c.K[1]);
    const bias = randomF32(3, c.og * c.groups);
    const { out, shape } = convTranspose(x, w, bias, c);
    const y = h().conv_transpose2d(h().tensor(x, { shape: [c.N, c.C, c.H, c.W] }), h().tensor(w, { shape: [c.C, c.og, ...c.K] }), h().tensor(bias), {
      stride: c.stride,
      padding: c.padding,
      dilation: c.dilation,
      outputPadding: c.outputPadding,
      groups: c.groups,
    });
    expect(y.shape).toEqual(shape);
    expectClose(await y.data(), out, 1e-5 * c.C, 1);
  });

  it('conv_transpose2d propagates an infinite weight only to the outputs it reaches', async () => {
    const w = new Float32Array(4).fill(1);
    w[0] = Infinity;
    const y = await h().conv_transpose2d(h().tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] }), h().tensor(w, { shape: [1, 1, 2, 2] }), null, { stride: [2, 2] }).data();
    // Each input pixel owns one 2 x 2 block of the output; the Inf weight lands on its top-left corner.
    expect(Array.from(y)).toEqual([Infinity, 1, Infinity, 2, 1, 1, 2, 2, Infinity, 3, Infinity, 4, 3, 3, 4, 4]);
  });

  it.each([
    ['max', [2, 2], [2, 2], [0, 0], false, false],
    ['max', [2, 2], [2, 2], [0, 0], false, true],
    ['max', [3, 3], [1, 1], [1, 1], false, false],
    ['avg', [3, 2], [2, 1], [1, 0], false, false],
    ['avg', [3, 3], [2, 2], [1, 1], true, false],
  ] as const)('%s_pool2d, kernel %j, stride %j, padding %j, countIncludePad %s, ceilMode %s', async (kind, k, s, p, includePad, ceilMode) => {
    for (const [N, C, H, W] of [[1, 1, 5, 7], [2, 3, 16, 16], [4, 16, 40, 40], [1, 2, 9, 17]] as const) {
      const x = randomF32(N + H, N * C * H * W);
      if (kind === 'max') x[3] = NaN;
      // With ceilMode a last, clipped window is added where it starts inside the input (PyTorch's rule).
      const out = (size: number, i: 0 | 1) => {
        const o = (ceilMode ? Math.ceil : Math.floor)((size + 2 * p[i] - k[i]) / s[i]) + 1;
        return ceilMode && (o - 1) * s[i] >= size + p[i] ? o - 1 : o;
      };
      const [OH, OW] = [out(H, 0), out(W, 1)];
      const want: number[] = [];
      for (let plane = 0; plane < N * C; plane++) {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            const [y0, x0] = [oy * s[0] - p[0], ox * s[1] - p[1]];
            const [y1, x1] = [Math.min(y0 + k[0], H + p[0]), Math.min(x0 + k[1], W + p[1])];
            const vals: number[] = [];
            for (let y = Math.max(y0, 0); y < Math.min(y1, H); y++) for (let xx = Math.max(x0, 0); xx < Math.min(x1, W); xx++) vals.push(x[(plane * H + y) * W + xx]!);
            want.push(kind === 'max' ? (vals.some(Number.isNaN) ? NaN : Math.max(...vals)) : vals.reduce((a, b) => a + b, 0) / (includePad ? (y1 - y0) * (x1 - x0) : vals.length));
          }
        }
      }
      const X = h().tensor(x, { shape: [N, C, H, W] });
      const y = kind === 'max' ? h().max_pool2d(X, { kernelSize: [...k], stride: [...s], padding: [...p], ceilMode }) : h().avg_pool2d(X, { kernelSize: [...k], stride: [...s], padding: [...p], countIncludePad: includePad });
      expect(y.shape).toEqual([N, C, OH, OW]);
      expectClose(await y.data(), want, kind === 'max' ? 0 : 4e-7, 1);
    }
  });

  const RESIZE_MODES: [string, CoordinateTransformationMode, NearestMode][] = [
    ['nearest', 'half_pixel', 'round_prefer_floor'],
    ['nearest', 'asymmetric', 'floor'],
    ['nearest', 'align_corners', 'ceil'],
    ['linear', 'half_pixel', 'round_prefer_floor'],
    ['linear', 'pytorch_half_pixel', 'round_prefer_floor'],
    ['linear', 'align_corners', 'round_prefer_floor'],
    ['linear', 'asymmetric', 'round_prefer_floor'],
  ];

  it.each(RESIZE_MODES)('resize %s, %s, %s: up, down and past the threading threshold', async (mode, ctm, nearestMode) => {
    for (const [N, C, ih, iw, oh, ow] of [[1, 1, 3, 4, 7, 9], [2, 3, 9, 8, 4, 3], [1, 1, 1, 5, 3, 1], [2, 8, 64, 64, 128, 96]] as const) {
      const x = randomF32(ih * iw, N * C * ih * iw);
      const [sy, sx] = [oh / ih, ow / iw];
      const src = (i: number, scale: number, inSize: number, outSize: number) => resizeSource(ctm, i, scale, inSize, outSize);
      const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
      const want: number[] = [];
      for (let p = 0; p < N * C; p++) {
        const at = (y: number, xx: number) => x[(p * ih + y) * iw + xx]!;
        for (let y = 0; y < oh; y++) {
          for (let xo = 0; xo < ow; xo++) {
            if (mode === 'nearest') {
              want.push(at(nearestIndex(nearestMode, src(y, sy, ih, oh), ih), nearestIndex(nearestMode, src(xo, sx, iw, ow), iw)));
              continue;
            }
            const [fy, fx] = [clamp(src(y, sy, ih, oh), ih), clamp(src(xo, sx, iw, ow), iw)];
            const [y0, x0] = [Math.floor(fy), Math.floor(fx)];
            const [y1, x1] = [Math.min(y0 + 1, ih - 1), Math.min(x0 + 1, iw - 1)];
            const [wy, wx] = [fy - y0, fx - x0];
            want.push((at(y0, x0) * (1 - wx) + at(y0, x1) * wx) * (1 - wy) + (at(y1, x0) * (1 - wx) + at(y1, x1) * wx) * wy);
          }
        }
      }
      const y = h().resize(h().tensor(x, { shape: [N, C, ih, iw] }), { sizes: [oh, ow], mode: mode as 'nearest' | 'linear', coordinateTransformationMode: ctm, nearestMode });
      expectClose(await y.data(), want, mode === 'nearest' ? 0 : 2e-7, 1);
    }
  });
});
