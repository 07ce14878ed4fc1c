import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, Hearth } from '@hearth/core';
import { cpuHearth, expectClose, leakFree, numel, randomValues, rng, t, tolFor, values } from './test-util.js';

interface ConvCase {
  x: number[];
  w: number[];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
  bias: boolean;
}

/** Output length of a window along one axis (PyTorch; with ceil mode the last window must start inside input + left pad). */
function outLen(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = d * (k - 1) + 1;
  let n = (ceil ? Math.ceil((size + 2 * p - span) / s) : Math.floor((size + 2 * p - span) / s)) + 1;
  if (ceil && (n - 1) * s >= size + p) n--;
  return n;
}

/** Naive direct convolution in float64, reading x through an explicit zero-padding test. */
function refConv(xd: number[], wd: number[], bd: number[] | null, c: ConvCase): { shape: number[]; values: number[] } {
  const [N, C, H, W] = c.x as [number, number, number, number];
  const [O, Cg, KH, KW] = c.w as [number, number, number, number];
  const OH = outLen(H, KH, c.stride[0], c.padding[0], c.dilation[0], false);
  const OW = outLen(W, KW, c.stride[1], c.padding[1], c.dilation[1], false);
  const at = (n: number, ch: number, y: number, x: number) => (y < 0 || y >= H || x < 0 || x >= W ? 0 : xd[((n * C + ch) * H + y) * W + x]!);
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const g = Math.floor(o / (O / c.groups));
          let s = bd ? bd[o]! : 0;
          for (let ci = 0; ci < Cg; ci++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const y = oy * c.stride[0] - c.padding[0] + ky * c.dilation[0];
                const x = ox * c.stride[1] - c.padding[1] + kx * c.dilation[1];
                s += at(n, g * Cg + ci, y, x) * wd[((o * Cg + ci) * KH + ky) * KW + kx]!;
              }
          out.push(s);
        }
  return { shape: [N, O, OH, OW], values: out };
}

/** Naive pooling: visits all kh*kw window positions, classifying each as real, padding, or beyond the padding. */
function refPool(xd: number[], shape: number[], avg: boolean, k: [number, number], s: [number, number], p: [number, number], ceil: boolean, includePad: boolean) {
  const [N, C, H, W] = shape as [number, number, number, number];
  const OH = outLen(H, k[0], s[0], p[0], 1, ceil);
  const OW = outLen(W, k[1], s[1], p[1], 1, ceil);
  const out: number[] = [];
  for (let plane = 0; plane < N * C; plane++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let acc = avg ? 0 : -Infinity;
        let real = 0;
        let padded = 0;
        for (let ky = 0; ky < k[0]; ky++)
          for (let kx = 0; kx < k[1]; kx++) {
            const y = oy * s[0] - p[0] + ky;
            const x = ox * s[1] - p[1] + kx;
            if (y >= -p[0] && y < H + p[0] && x >= -p[1] && x < W + p[1]) padded++;
            if (y < 0 || y >= H || x < 0 || x >= W) continue;
            real++;
            const v = xd[(plane * H + y) * W + x]!;
            acc = avg ? acc + v : Number.isNaN(v) || Number.isNaN(acc) ? NaN : Math.max(acc, v);
          }
        out.push(avg ? acc / (includePad ? padded : real) : acc);
      }
  return { shape: [N, C, OH, OW], values: out };
}

describe('conv2d', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

  it('hand-checked: plain, bias, padding with stride, dilation and groups', () =>
    leakFree(h, () => {
      const x = t(h, nine, [1, 1, 3, 3]);
      const ones = t(h, [1, 1, 1, 1], [1, 1, 2, 2]);
      expect(values(h.conv2d(x, ones))).toEqual([12, 16, 24, 28]);
      expect(values(h.conv2d(x, ones, t(h, [0.5], [1])))).toEqual([12.5, 16.5, 24.5, 28.5]);
      const sp = h.conv2d(x, ones, null, { stride: 2, padding: 1 });
      expect(sp.shape).toEqual([1, 1, 2, 2]);
      expect(values(sp)).toEqual([1, 5, 11, 28]);
      expect(values(h.conv2d(x, ones, null, { dilation: 2 }))).toEqual([20]);
      const g = h.conv2d(t(h, [2, 3], [1, 2, 1, 1]), t(h, [10, 100], [2, 1, 1, 1]), null, { groups: 2 });
      expect(values(g)).toEqual([20, 300]);
      const asym = h.conv2d(x, t(h, [1, -1], [1, 1, 1, 2]), null, { stride: [2, 1], padding: [0, 1] });
      expect(asym.shape).toEqual([1, 1, 2, 4]);
      expect(values(asym)).toEqual([-1, -1, -1, 3, -7, -1, -1, 9]);
    }));

  it('propagates NaN and computes int32 inputs in float32', () =>
    leakFree(h, () => {
      const x = t(h, [NaN, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 3, 3]);
      expect(values(h.conv2d(x, t(h, [1, 1, 1, 1], [1, 1, 2, 2])))).toEqual([NaN, 4, 4, 4]);
      const y = h.conv2d(t(h, nine, [1, 1, 3, 3], 'int32'), t(h, [1], [1, 1, 1, 1], 'int32'));
      expect(y.dtype).toBe('float32');
      expect(values(y)).toEqual(nine);
    }));

  it('matches the float64 reference on random cases (stride, padding, dilation, groups, bias)', () =>
    leakFree(h, () => {
      const rand = rng(12);
      const cases: ConvCase[] = [
        { x: [2, 3, 5, 6], w: [4, 3, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true },
        { x: [1, 4, 7, 5], w: [6, 2, 3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, bias: false },
        { x: [2, 6, 6, 6], w: [6, 1, 3, 3], stride: [2, 3], padding: [2, 1], dilation: [2, 1], groups: 6, bias: true },
        { x: [1, 2, 4, 4], w: [3, 2, 1, 1], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true },
        { x: [0, 2, 4, 4], w: [3, 2, 2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: false },
      ];
      for (const dtype of ['float32', 'float64'] as DType[]) {
        for (const c of cases) {
          const xd = randomValues(rand, numel(c.x), dtype);
          const wd = randomValues(rand, numel(c.w), dtype);
          const bd = c.bias ? randomValues(rand, c.w[0]!, dtype) : null;
          const y = h.conv2d(t(h, xd, c.x, dtype), t(h, wd, c.w, dtype), bd ? t(h, bd, [c.w[0]!], dtype) : null, {
            stride: c.stride,
            padding: c.padding,
            dilation: c.dilation,
            groups: c.groups,
          });
          const ref = refConv(xd, wd, bd, c);
          expect(y.shape).toEqual(ref.shape);
          expectClose(values(y), dtype === 'float32' ? ref.values.map(Math.fround) : ref.values, tolFor(dtype), 1e-12);
        }
      }
    }));
});

describe('max_pool2d and avg_pool2d', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = await cpuHearth();
  });
  afterAll(() => h.dispose());

  const sixteen = Array.from({ length: 16 }, (_, i) => i + 1);
  const twentyFive = Array.from({ length: 25 }, (_, i) => i + 1);

  it('hand-checked windows, padding that never wins, and countIncludePad', () =>
    leakFree(h, () => {
      const x = t(h, sixteen, [1, 1, 4, 4]);
      expect(values(h.max_pool2d(x, { kernelSize: 2 }))).toEqual([6, 8, 14, 16]);
      expect(values(h.avg_pool2d(x, { kernelSize: 2 }))).toEqual([3.5, 5.5, 11.5, 13.5]);
      expect(values(h.max_pool2d(t(h, [-5, -5, -5, -5], [1, 1, 2, 2]), { kernelSize: 2, padding: 1 }))).toEqual([-5, -5, -5, -5]);
      const small = t(h, [1, 2, 3, 4], [1, 1, 2, 2]);
      expect(values(h.avg_pool2d(small, { kernelSize: 2, padding: 1 }))).toEqual([0.25, 0.5, 0.75, 1]);
      expect(values(h.avg_pool2d(small, { kernelSize: 2, padding: 1, countIncludePad: false }))).toEqual([1, 2, 3, 4]);
      expect(values(h.max_pool2d(x, { kernelSize: [1, 2], stride: [2, 1] }))).toEqual([2, 3, 4, 10, 11, 12]);
    }));

  it('ceilMode adds partial windows at the end, averaged over their in-bounds part', () =>
    leakFree(h, () => {
      const x = t(h, twentyFive, [1, 1, 5, 5]);
      expect(h.max_pool2d(x, { kernelSize: 2 }).shape).toEqual([1, 1, 2, 2]);
      const m = h.max_pool2d(x, { kernelSize: 2, ceilMode: true });
      expect(m.shape).toEqual([1, 1, 3, 3]);
      expect(values(m)).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
      expect(values(h.avg_pool2d(x, { kernelSize: 2, ceilMode: true }))).toEqual([4, 6, 7.5, 14, 16, 17.5, 21.5, 23.5, 25]);
    }));

  it('max_pool2d propagates NaN', () =>
    leakFree(h, () => {
      expect(values(h.max_pool2d(t(h, [1, NaN, 3, 4], [1, 1, 2, 2]), { kernelSize: [1, 2] }))).toEqual([NaN, 4]);
      expect(values(h.avg_pool2d(t(h, [1, NaN, 3, 4], [1, 1, 2, 2]), { kernelSize: [1, 2] }))).toEqual([NaN, 3.5]);
    }));

  it('match the reference on random inputs across strides, padding, ceilMode and countIncludePad', () =>
    leakFree(h, () => {
      const rand = rng(13);
      const shape = [2, 3, 7, 6];
      const configs: [[number, number], [number, number] | null, [number, number]][] = [
        [[2, 2], null, [0, 0]],
        [[3, 3], [2, 2], [1, 1]],
        [[3, 2], [2, 1], [1, 0]],
        [[2, 3], [3, 2], [1, 1]],
        [[4, 4], [3, 3], [2, 2]],
      ];
      for (const dtype of ['float32', 'float64'] as DType[]) {
        const xd = randomValues(rand, numel(shape), dtype);
        const x = t(h, xd, shape, dtype);
        for (const [k, s, p] of configs) {
          for (const ceilMode of [false, true]) {
            const stride = s ?? k;
            const mx = h.max_pool2d(x, { kernelSize: k, stride: s ?? undefined, padding: p, ceilMode });
            const rm = refPool(xd, shape, false, k, stride, p, ceilMode, true);
            expect(mx.shape).toEqual(rm.shape);
            expect(values(mx)).toEqual(rm.values);
            for (const countIncludePad of [true, false]) {
              const av = h.avg_pool2d(x, { kernelSize: k, stride: s ?? undefined, padding: p, ceilMode, countIncludePad });
              const ra = refPool(xd, shape, true, k, stride, p, ceilMode, countIncludePad);
              expect(av.shape).toEqual(ra.shape);
              expectClose(values(av), dtype === 'float32' ? ra.values.map(Math.fround) : ra.values, tolFor(dtype), 1e-12);
            }
          }
        }
      }
    }));
});
