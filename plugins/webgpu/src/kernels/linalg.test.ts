import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import type { WebGPUBackend } from '../backend.js';
import { close, f32, gpuRuntime, seeded, tensor, values } from '../../test/gpu-runtime.js';
import { K_CHUNK } from './gemm.js';

// Accuracy contract: float32 matmul/conv2d within 1e-5·Σ|a·b| of the float64 result (the error bound of
// any summation order); int32 matmul exact with wrap-around; pooling exact.

let hearth: Hearth;
beforeAll(async () => ({ hearth } = await gpuRuntime()));
afterAll(() => hearth.dispose());

/** float64 batched matmul of row-major [batch, m, k] @ [batch, k, n] with per-batch offsets. */
function matmulRef(a: readonly number[], b: readonly number[], m: number, k: number, n: number, aOff = 0, bOff = 0): { c: number[]; scale: number[] } {
  const c: number[] = [];
  const scale: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let mag = 0;
      for (let p = 0; p < k; p++) {
        const v = a[aOff + i * k + p]! * b[bOff + p * n + j]!;
        s += v;
        mag += Math.abs(v);
      }
      c.push(s);
      scale.push(mag);
    }
  }
  return { c, scale };
}

function within(got: readonly number[], want: readonly number[], scale: readonly number[], tol = 1e-5): void {
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `[${i}] ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * scale[i]! + 1e-6));
}

describe('matmul', () => {
  it.each([
    [1, 1, 1],
    [7, 13, 5],
    [64, 64, 64],
    [65, 33, 130],
    [3, 200, 2],
  ])('[%i, %i] @ [%i, ...] matches float64 across tile edges', async (m, k, n) => {
    const a = seeded(m * k, m + k, -1, 1).map(f32);
    const b = seeded(k * n, k + n, -1, 1).map(f32);
    const got = await values(hearth.op('matmul', [tensor(hearth, a, [m, k]), tensor(hearth, b, [k, n])]));
    const { c, scale } = matmulRef(a, b, m, k, n);
    within(got, c, scale);
  });

  it('broadcasts batch axes through strides ([2,1,3,4] @ [3,4,5])', async () => {
    const a = seeded(2 * 3 * 4, 1).map(f32);
    const b = seeded(3 * 4 * 5, 2).map(f32);
    const got = await values(hearth.op('matmul', [tensor(hearth, a, [2, 1, 3, 4]), tensor(hearth, b, [3, 4, 5])]));
    expect(got.length).toBe(2 * 3 * 3 * 5);
    const want: number[] = [];
    const scale: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const r = matmulRef(a, b, 3, 4, 5, i * 12, j * 20);
        want.push(...r.c);
        scale.push(...r.scale);
      }
    }
    within(got, want, scale);
  });

  it('treats 1-D operands as vectors (NumPy rules)', async () => {
    const m = tensor(hearth, [1, 2, 3, 4, 5, 6], [2, 3]);
    const v = tensor(hearth, [1, 0, -1], [3]);
    const mv = hearth.op('matmul', [m, v]);
    expect(mv.shape).toEqual([2]);
    expect(await values(mv)).toEqual([-2, -2]);
    const vm = hearth.op('matmul', [tensor(hearth, [1, -1], [2]), m]);
    expect(vm.shape).toEqual([3]);
    expect(await values(vm)).toEqual([-3, -3, -3]);
    const dot = hearth.op('matmul', [v, v]);
    expect(dot.shape).toEqual([]);
    expect(await values(dot)).toEqual([2]);
  });

  it('int32 matmul is exact and wraps around', async () => {
    const a = tensor(hearth, [65536, 1, 2, 3], [2, 2], 'int32');
    const b = tensor(hearth, [65536, 0, 5, 7], [2, 2], 'int32');
    expect(await values(hearth.op('matmul', [a, b]))).toEqual([5, 7, 131072 + 15, 21]);
  });
});

/** float64 conv2d (NCHW, OIHW, groups, stride, padding, dilation, bias), with Σ|x·w| per output. */
function convRef(x: number[], xs: number[], w: number[], ws: number[], o: { stride: number[]; padding: number[]; dilation: number[]; groups: number; bias?: number[] }) {
  const [n, c, h, wd] = xs as [number, number, number, number];
  const [oc, cg, kh, kw] = ws as [number, number, number, number];
  const og = oc / o.groups;
  const oh = Math.floor((h + 2 * o.padding[0]! - o.dilation[0]! * (kh - 1) - 1) / o.stride[0]!) + 1;
  const ow = Math.floor((wd + 2 * o.padding[1]! - o.dilation[1]! * (kw - 1) - 1) / o.stride[1]!) + 1;
  const out: number[] = [];
  const scale: number[] = [];
  for (let b = 0; b < n; b++)
    for (let q = 0; q < oc; q++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          const g = Math.floor(q / og);
          let s = o.bias ? o.bias[q]! : 0;
          let mag = Math.abs(s);
          for (let ci = 0; ci < cg; ci++)
            for (let a = 0; a < kh; a++)
              for (let e = 0; e < kw; e++) {
                const iy = y * o.stride[0]! - o.padding[0]! + a * o.dilation[0]!;
                const ix = z * o.stride[1]! - o.padding[1]! + e * o.dilation[1]!;
                if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
                const v = x[((b * c + g * cg + ci) * h + iy) * wd + ix]! * w[((q * cg + ci) * kh + a) * kw + e]!;
                s += v;
                mag += Math.abs(v);
              }
          out.push(s);
          scale.push(mag);
        }
  return { out, scale, shape: [n, oc, oh, ow] };
}

describe('conv2d', () => {
  it.each([
    { name: 'plain 3x3', xs: [2, 3, 9, 11], ws: [4, 3, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
    { name: 'stride 2, padding 1, bias', xs: [1, 4, 10, 7], ws: [70, 4, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true },
    { name: 'dilation 2, asymmetric', xs: [1, 2, 12, 12], ws: [3, 2, 3, 2], stride: [1, 2], padding: [2, 0], dilation: [2, 1], groups: 1 },
    { name: 'groups 2 with bias', xs: [2, 4, 6, 6], ws: [6, 2, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2, bias: true },
  ])('$name matches float64', async (c) => {
    const x = seeded(c.xs.reduce((a, b) => a * b), 3).map(f32);
    const w = seeded(c.ws.reduce((a, b) => a * b), 4).map(f32);
    const bias = c.bias ? seeded(c.ws[0]!, 5).map(f32) : undefined;
    const inputs = [tensor(hearth, x, c.xs), tensor(hearth, w, c.ws), ...(bias ? [tensor(hearth, bias, [bias.length])] : [])];
    const y = hearth.op('conv2d', inputs, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
    const ref = convRef(x, c.xs, w, c.ws, { ...c, bias });
    expect(y.shape).toEqual(ref.shape);
    within(await values(y), ref.out, ref.scale);
  });
});

describe('grid limits', () => {
  // Beyond the adapter's workgroups per dimension a dispatch would fail on the GPU; the call refuses it first.
  it('a matmul or conv2d with more batches than one grid axis takes is E_SHAPE at the call', async () => {
    const n = (hearth.device('webgpu').ctx.backend as WebGPUBackend).limits.maxComputeWorkgroupsPerDimension + 1; // the plugin's own backend, as kernels see it
    const shapeError = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'nothing thrown';
    };
    const ones = (shape: number[]) => tensor(hearth, new Array(shape.reduce((a, b) => a * b)).fill(1), shape);
    expect(shapeError(() => hearth.op('matmul', [ones([n, 1, 1]), ones([1, 1])]))).toBe('E_SHAPE');
    expect(shapeError(() => hearth.op('conv2d', [ones([n, 1, 1, 1]), ones([1, 1, 1, 1])]))).toBe('E_SHAPE');
  });
});

describe('loops past the loop budget', () => {
  // llvmpipe ends an invocation's loops after 65,535 iterations in all, silently: long reductions are split
  // across dispatches (GEMM K chunks that add into the output) or refused.
  it('conv2d with bias over a reduction longer than one K chunk adds the bias once', async () => {
    const [c, k] = [Math.ceil(K_CHUNK / 9) + 3, 3];
    const x = seeded(c * k * k, 21, 0.5, 1.5).map(f32);
    const w = seeded(2 * c * k * k, 22, 0.5, 1.5).map(f32);
    const bias = [f32(0.25), f32(-3.5)];
    const y = hearth.op('conv2d', [tensor(hearth, x, [1, c, k, k]), tensor(hearth, w, [2, c, k, k]), tensor(hearth, bias, [2])]);
    const got = await values(y);
    const want = [0, 1].map((o) => bias[o]! + x.reduce((s, v, i) => s + v * w[o * c * k * k + i]!, 0));
    within(got, want, want, 4 * c * k * k * 2 ** -24);
    expect(c * k * k).toBeGreaterThan(K_CHUNK);
  });

  it('a pool window needing more loop iterations than the budget is E_SHAPE, not a wrong answer', () => {
    const x = tensor(hearth, new Array(200 * 200).fill(1), [1, 1, 200, 200]);
    let code: string | undefined;
    try {
      hearth.op('max_pool2d', [x], { kernelSize: 200 });
    } catch (e) {
      code = (e as { code?: string; message: string }).code;
      expect((e as Error).message).toMatch(/loop iterations/);
    }
    expect(code).toBe('E_SHAPE');
    x.dispose();
  });
});

describe('pooling', () => {
  const x = seeded(2 * 5 * 5, 8).map(f32);
  const at = (p: number, i: number, j: number) => x[p * 25 + i * 5 + j]!;

  it('max_pool2d: windows with padding never pick the padding; NaN propagates', async () => {
    const got = await values(hearth.op('max_pool2d', [tensor(hearth, x, [1, 2, 5, 5])], { kernelSize: 3, stride: [2], padding: 1 }));
    const want: number[] = [];
    for (let p = 0; p < 2; p++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let m = -Infinity;
          for (let a = -1; a < 2; a++) for (let b = -1; b < 2; b++) if (2 * i + a >= 0 && 2 * j + b >= 0 && 2 * i + a < 5 && 2 * j + b < 5) m = Math.max(m, at(p, 2 * i + a, 2 * j + b));
          want.push(m);
        }
    expect(got).toEqual(want);
    const nan = await values(hearth.op('max_pool2d', [tensor(hearth, [1, NaN, 2, 3], [1, 1, 2, 2])], { kernelSize: 2 }));
    expect(Number.isNaN(nan[0])).toBe(true);
  });

  it.each([true, false])('avg_pool2d with countIncludePad=%s', async (include) => {
    const got = await values(hearth.op('avg_pool2d', [tensor(hearth, x, [1, 2, 5, 5])], { kernelSize: 2, stride: [2], padding: 1, countIncludePad: include }));
    const want: number[] = [];
    for (let p = 0; p < 2; p++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          let s = 0;
          let n = 0;
          for (let a = 0; a < 2; a++)
            for (let b = 0; b < 2; b++) {
              const y = 2 * i - 1 + a;
              const z = 2 * j - 1 + b;
              if (y >= 0 && z >= 0 && y < 5 && z < 5) {
                s += at(p, y, z);
                n++;
              }
            }
          want.push(s / (include ? 4 : n));
        }
    close(got, want.map(f32), 1e-6, 1e-7);
  });
});
