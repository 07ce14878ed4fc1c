import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hearth } from '@hearth/core';
import { expectClose, randomF32, wasmHearth } from '../test-util.js';

// The wasm plugin's fused kernels of opset v2 composites (src/kernels/fused.ts) against float64 references
// written from the composites' definitions: every case the composites allow (transposes, alpha and beta,
// each bias shape that broadcasts; normalization axes, partial scale and bias shapes, rows far from zero).

let hs: Hearth[];
beforeAll(async () => {
  hs = [await wasmHearth(1), await wasmHearth(2)];
});
afterAll(async () => {
  for (const h of hs) await h.dispose();
});

/** Row-major [rows, cols] element (i, j) of `x`, read through a transpose when `t`. */
const at = (x: ArrayLike<number>, cols: number, t: boolean, i: number, j: number) => (t ? x[j * cols + i]! : x[i * cols + j]!);

describe.each([1, 2])('wasm fused composites on %i thread(s)', (threads) => {
  const h = () => hs[threads - 1]!;

  it('runs layer_norm, linear, gelu_tanh and silu as fused kernels, not decomposed', () => {
    const x = h().tensor(randomF32(1, 6), { shape: [2, 3] });
    const w = h().tensor(randomF32(2, 12), { shape: [3, 4] });
    expect(h().explain('layer_norm', [x]).runs).toBe('fused');
    expect(h().explain('linear', [x, w]).runs).toBe('fused');
    expect(h().explain('gelu_tanh', [x]).runs).toBe('fused');
    expect(h().explain('silu', [x]).runs).toBe('fused');
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('linear with transA = %s, transB = %s, alpha, beta and every bias shape', async (transA, transB) => {
    for (const [m, k, n] of [[3, 5, 7], [17, 33, 9], [1, 64, 130]] as const) {
      const a = randomF32(m + k, m * k);
      const b = randomF32(k + n, k * n);
      const A = h().tensor(a, { shape: transA ? [k, m] : [m, k] });
      const B = h().tensor(b, { shape: transB ? [n, k] : [k, n] });
      for (const cShape of [[], [n], [1, n], [m, 1], [m, n]]) {
        const c = randomF32(7, cShape.reduce((p, d) => p * d, 1));
        for (const [alpha, beta] of [[1, 1], [0.5, -2]] as const) {
          const got = await h().linear(A, B, h().tensor(c, { shape: cShape }), { transA, transB, alpha, beta }).data();
          const want = Array.from({ length: m * n }, (_, idx) => {
            const [i, j] = [Math.floor(idx / n), idx % n];
            let s = 0;
            for (let p = 0; p < k; p++) s += at(a, transA ? m : k, transA, i, p) * at(b, transB ? k : n, transB, p, j);
            const ci = c.length === 1 ? 0 : cShape.length === 1 || cShape[0] === 1 ? j : cShape[1] === 1 ? i : idx;
            return alpha * s + beta * c[ci]!;
          });
          expectClose(got, want, 1e-5 * k, 1);
        }
      }
    }
  });

  it('linear with an empty inner dimension is beta · c, and without c the bare product', async () => {
    const got = await h().linear(h().tensor([], { shape: [2, 0] }), h().tensor([], { shape: [0, 3] }), h().tensor([1, 2, 3]), { beta: 2 }).data();
    expect(Array.from(got)).toEqual([2, 4, 6, 2, 4, 6]);
    const bare = await h().linear(h().tensor([1, 2], { shape: [1, 2] }), h().tensor([3, 4], { shape: [2, 1] })).data();
    expect(Array.from(bare)).toEqual([11]);
  });

  /** layer_norm in float64 over rows of n, with scale and bias given per element of the row (or absent). */
  function layerNormRef(x: Float32Array, n: number, eps: number, scale?: (i: number) => number, bias?: (i: number) => number): number[] {
    const out: number[] = [];
    for (let r = 0; r < x.length / n; r++) {
      const row = Array.from(x.subarray(r * n, (r + 1) * n));
      const mean = row.reduce((s, v) => s + v, 0) / n;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      row.forEach((v, i) => out.push(((v - mean) / Math.sqrt(variance + eps)) * (scale ? scale(i) : 1) + (bias ? bias(i) : 0)));
    }
    return out;
  }

  it('layer_norm over trailing axes, with full, partial and absent scale and bias', async () => {
    // [64, 1100] is past the threading threshold (2^16 elements): rows split over the threads.
    for (const [shape, axis] of [[[4, 16], -1], [[150, 16], -1], [[3, 1029], 1], [[2, 3, 4], 1], [[5, 6], 0], [[64, 1100], -1]] as const) {
      const x = randomF32(shape.length, shape.reduce((a, b) => a * b, 1));
      const inner = shape.slice(axis < 0 ? shape.length + axis : axis);
      const n = inner.reduce((a, b) => a * b, 1);
      const X = h().tensor(x, { shape: [...shape] });
      const s = randomF32(3, n);
      const b = randomF32(4, inner[inner.length - 1]!);
      const got = await h().layer_norm(X, h().tensor(s, { shape: [...inner] }), h().tensor(b, { shape: [inner[inner.length - 1]!] }), { axis, epsilon: 1e-3 }).data();
      expectClose(got, layerNormRef(x, n, 1e-3, (i) => s[i]!, (i) => b[i % b.length]!), 2e-5, 1);
      expectClose(await h().layer_norm(X, undefined, undefined, { axis }).data(), layerNormRef(x, n, 1e-5), 2e-5, 1);
    }
  });

  it('layer_norm keeps the small differences of rows far from zero, and a NaN row is NaN', async () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => 1000 + ((i * 37) % 64) / 64);
    expectClose(await h().layer_norm(h().tensor(x, { shape: [2, 32] })).data(), layerNormRef(x, 32, 1e-5), 1e-3, 1);
    const nan = await h().layer_norm(h().tensor([NaN, 1, 2, 3, 4, 5], { shape: [2, 3] })).data();
    expect(Array.from(nan.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from(nan.subarray(3)).some(Number.isNaN)).toBe(false);
  });

  it('gelu_tanh and silu follow their definitions, with the limits at ±Inf', async () => {
    const x = randomF32(9, 1003, 12);
    const logistic = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    // x · sigmoid(2u) is 0.5·x·(1 + tanh(u)) without its cancellation, so the reference uses it too.
    const geluTanh = (v: number) => v * logistic(2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3));
    expectClose(await h().gelu_tanh(h().tensor(x)).data(), Array.from(x, geluTanh), 2e-6, 1e-6);
    expectClose(await h().silu(h().tensor(x)).data(), Array.from(x, (v) => v * logistic(v)), 2e-6, 1e-6);
    expect(Array.from(await h().silu(h().tensor([Infinity, -Infinity])).data())).toEqual([Infinity, NaN]);
    expect(Array.from(await h().gelu_tanh(h().tensor([Infinity])).data())).toEqual([Infinity]);
  });

  it('hard_sigmoid and hard_swish run fused and follow their definitions, alpha and beta included, at every length', async () => {
    const clamp01 = (v: number) => (Number.isNaN(v) ? NaN : Math.max(0, Math.min(1, v)));
    // Lengths off the 4- and 8-element steps, and one long enough to split over threads. Near x = -3 the
    // sum x/6 + 1/2 cancels: its float32 rounding (~6e-8) is an absolute error, hence the floor of 1.
    for (const n of [1, 3, 7, 9, 1003, 300_001]) {
      const x = randomF32(n, n, 8);
      const t = h().tensor(x);
      expect(h().explain('hard_swish', [t]).runs).toBe('fused');
      expect(h().explain('hard_sigmoid', [t]).runs).toBe('fused');
      expectClose(await h().hard_swish(t).data(), Array.from(x, (v) => v * clamp01(v / 6 + 0.5)), 1e-6);
      expectClose(await h().hard_sigmoid(t).data(), Array.from(x, (v) => clamp01(0.2 * v + 0.5)), 1e-6);
      expectClose(await h().hard_sigmoid(t, 0.7, -0.25).data(), Array.from(x, (v) => clamp01(0.7 * v - 0.25)), 1e-6);
    }
  });

  it('hard_sigmoid and hard_swish keep NaN, saturate at ±Inf and keep the sign of zero', async () => {
    const x = h().tensor([NaN, Infinity, -Infinity, -0, 0, -3, 3]);
    // -Inf · hard_sigmoid(-Inf) is -Inf · 0: NaN, as the definition's product gives.
    expect(Array.from(await h().hard_swish(x).data())).toEqual([NaN, Infinity, NaN, -0, 0, -0, 3]);
    expect(Array.from(await h().hard_sigmoid(x).data())).toEqual([NaN, 1, 0, 0.5, 0.5, 0, 1]);
  });

  it('clip and leaky_relu run fused and follow their definitions at every length, bounds and alpha included', async () => {
    for (const n of [1, 5, 9, 1003, 300_001]) {
      const x = randomF32(n + 1, n, 8);
      const t = h().tensor(x);
      for (const op of ['clip', 'leaky_relu']) expect(h().explain(op, [t], op === 'clip' ? { min: 0, max: 6 } : {}).runs).toBe('fused');
      const f32 = Math.fround;
      expect(Array.from(await h().op('clip', [t], { min: 0, max: 6 }).data())).toEqual(Array.from(x, (v) => Math.min(Math.max(v, 0), 6)));
      expect(Array.from(await h().op('clip', [t], { min: -0.5, max: null }).data())).toEqual(Array.from(x, (v) => Math.max(v, -0.5)));
      expect(Array.from(await h().op('clip', [t], { min: null, max: 0.25 }).data())).toEqual(Array.from(x, (v) => Math.min(v, 0.25)));
      expect(Array.from(await h().op('leaky_relu', [t], { alpha: 0.1 }).data())).toEqual(Array.from(x, (v) => (v >= 0 ? v : f32(v * f32(0.1)))));
    }
  });

  it('clip and leaky_relu keep NaN and the sign of zero as their definitions do; clip with min > max gives max', async () => {
    const values = [NaN, Infinity, -Infinity, -0, 0, -3, 3];
    const x = h().tensor(values);
    for (const [min, max] of [[-0, 2], [0, 2], [-4, -0]] as const) {
      expect(Array.from(await h().op('clip', [x], { min, max }).data())).toEqual(values.map((v) => Math.min(Math.max(v, min), max)));
    }
    expect(Array.from(await h().op('clip', [x], { min: 1, max: -1 }).data())).toEqual([NaN, -1, -1, -1, -1, -1, -1]);
    expect(Array.from(await h().op('clip', [x], { min: null, max: null }).data())).toEqual([NaN, Infinity, -Infinity, -0, 0, -3, 3]);
    expect(Array.from(await h().op('leaky_relu', [x], { alpha: 0.5 }).data())).toEqual([NaN, Infinity, -Infinity, -0, 0, -1.5, 3]);
  });
});
