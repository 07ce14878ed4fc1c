import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { plugin } from '../src/index.js';

// Model-sized cases here take the plugin's plain C loops (od_loops.h, od_conv.h), larger or unusual ones
// oneDNN's primitives (the conformance test runs the suite down both paths); each expected value is computed
// in float64 apart from the plugin.

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

/** Max |got - want| over max(1, |want|), NaN matching NaN only. */
function worst(got: ArrayLike<number>, want: readonly number[]): number {
  expect(got.length).toBe(want.length);
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `element ${i}: ${g} vs ${w}`).toBe(true);
      continue;
    }
    e = Math.max(e, Math.abs(g - w) / Math.max(1, Math.abs(w)));
  }
  return e;
}

/** conv2d in float64: NCHW x, OIHW w, bias, stride, padding, dilation, groups; padded taps are skipped. */
function conv2d(x: number[], xs: number[], w: number[], ws: number[], bias: number[] | null, s: number[], p: number[], d: number[], g: number): { out: number[]; shape: number[] } {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [O, Cg, KH, KW] = ws as [number, number, number, number];
  const OH = Math.floor((H + 2 * p[0]! - d[0]! * (KH - 1) - 1) / s[0]!) + 1, OW = Math.floor((W + 2 * p[1]! - d[1]! * (KW - 1) - 1) / s[1]!) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = bias ? bias[o]! : 0;
          const c0 = Math.floor(o / (O / g)) * Cg;
          for (let c = 0; c < Cg; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const iy = oy * s[0]! - p[0]! + ky * d[0]!, ix = ox * s[1]! - p[1]! + kx * d[1]!;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) acc += x[((n * C + c0 + c) * H + iy) * W + ix]! * w[((o * Cg + c) * KH + ky) * KW + kx]!;
              }
          out.push(acc);
        }
  return { out, shape: [N, O, OH, OW] };
}

describe('the oneDNN plugin’s primitives', () => {
  let h: Hearth;
  beforeAll(async () => {
    h = createHearth({ plugins: [plugin], backends: ['onednn'], exclusive: true, fallback: 'error' });
    await h.ready();
  });
  afterAll(() => h.dispose());

  it('conv2d with groups, stride, dilation, padding and bias matches a float64 reference', async () => {
    const cases = [
      { xs: [2, 8, 11, 13], ws: [12, 4, 3, 3], s: [2, 1], p: [1, 2], d: [1, 2], g: 2, bias: true },
      { xs: [1, 6, 9, 9], ws: [6, 1, 3, 3], s: [1, 1], p: [1, 1], d: [1, 1], g: 6, bias: false }, // depthwise
      { xs: [1, 16, 14, 14], ws: [32, 16, 1, 1], s: [1, 1], p: [0, 0], d: [1, 1], g: 1, bias: true },
      { xs: [8, 3, 16, 16], ws: [8, 3, 3, 3], s: [1, 1], p: [1, 1], d: [1, 1], g: 1, bias: true }, // a ResNet stem
      { xs: [2, 5, 9, 13], ws: [12, 5, 5, 3], s: [1, 1], p: [2, 0], d: [1, 2], g: 1, bias: false }, // 12 channels, 9 columns: partial tiles
      { xs: [2, 32, 2, 95], ws: [200, 32, 1, 1], s: [1, 1], p: [0, 0], d: [1, 1], g: 1, bias: true }, // pointwise, as a product per image
    ];
    for (const c of cases) {
      const x = values(c.xs.reduce((a, b) => a * b), 1), w = values(c.ws.reduce((a, b) => a * b), 2), b = values(c.ws[0]!, 3);
      const want = conv2d(x, c.xs, w, c.ws, c.bias ? b : null, c.s, c.p, c.d, c.g);
      const ins = [h.tensor(x, { shape: c.xs }), h.tensor(w, { shape: c.ws }), ...(c.bias ? [h.tensor(b, { shape: [c.ws[0]!] })] : [])];
      const y = h.op('conv2d', ins, { stride: c.s, padding: c.p, dilation: c.d, groups: c.g });
      expect(y.shape).toEqual(want.shape);
      expect(worst(await y.data(), want.out)).toBeLessThan(1e-5);
    }
  });

  it('conv_transpose2d with groups, stride, dilation, padding, output padding and bias matches a float64 reference', async () => {
    const [N, C, H, W, O, K, g, s, p, d, op] = [2, 4, 5, 6, 6, 3, 2, 2, 1, 1, 1];
    const Cg = C / g, Og = O / g;
    const x = values(N * C * H * W, 20), w = values(C * Og * K * K, 21), b = values(O, 22);
    const OH = (H - 1) * s - 2 * p + d * (K - 1) + op + 1, OW = (W - 1) * s - 2 * p + d * (K - 1) + op + 1;
    const want = new Array<number>(N * O * OH * OW).fill(0).map((_, i) => b[Math.floor(i / (OH * OW)) % O]!);
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let iy = 0; iy < H; iy++)
          for (let ix = 0; ix < W; ix++)
            for (let o = 0; o < Og; o++)
              for (let ky = 0; ky < K; ky++)
                for (let kx = 0; kx < K; kx++) {
                  const oy = iy * s - p + ky * d, ox = ix * s - p + kx * d, oc = Math.floor(c / Cg) * Og + o;
                  if (oy >= 0 && oy < OH && ox >= 0 && ox < OW) want[((n * O + oc) * OH + oy) * OW + ox]! += x[((n * C + c) * H + iy) * W + ix]! * w[((c * Og + o) * K + ky) * K + kx]!;
                }
    const y = h.op('conv_transpose2d', [h.tensor(x, { shape: [N, C, H, W] }), h.tensor(w, { shape: [C, Og, K, K] }), h.tensor(b, { shape: [O] })], {
      stride: s, padding: p, dilation: d, groups: g, outputPadding: op,
    });
    expect(y.shape).toEqual([N, O, OH, OW]);
    expect(worst(await y.data(), want)).toBeLessThan(1e-5);
  });

  it('conv2d keeps padded taps out of the sum: a NaN weight over the padding leaves that output finite', async () => {
    const w = [0, 0, 0, 0, 1, 0, 0, 0, NaN]; // only the bottom-right tap is NaN
    const y = await h.op('conv2d', [h.tensor(new Array(16).fill(1), { shape: [1, 1, 4, 4] }), h.tensor(w, { shape: [1, 1, 3, 3] })], { padding: 1 }).data();
    expect(y[15]).toBe(1); // the bottom-right output's NaN tap falls in the padding
    expect(Number.isNaN(y[0]!)).toBe(true);
  });

  it('elementwise results at the edges of their range follow the opset: NaN stays NaN, exp keeps tiny results', async () => {
    const x = values(5000, 4).map((v) => Math.fround(v * 10));
    x.splice(0, 5, NaN, -88, -100, Infinity, -Infinity);
    const t = h.tensor(x);
    const relu = await h.relu(t).data();
    expect(Number.isNaN(relu[0]!)).toBe(true);
    expect(worst(relu, x.map((v) => (Number.isNaN(v) ? NaN : Math.max(v, 0))))).toBe(0);
    const exp = await h.exp(t).data();
    expect(Number.isNaN(exp[0]!)).toBe(true);
    expect(exp[1]! / Math.exp(-88)).toBeCloseTo(1, 5);
    expect(Math.abs(exp[2]! - Math.exp(-100))).toBeLessThanOrEqual(2 ** -149); // a subnormal, within half its ULP
    expect(worst(exp.slice(5), x.slice(5).map(Math.exp))).toBeLessThan(1e-6);
    const sig = await h.sigmoid(t).data();
    expect(sig[1]! / (1 / (1 + Math.exp(88)))).toBeCloseTo(1, 5);
    expect(worst(sig.slice(5), x.slice(5).map((v) => 1 / (1 + Math.exp(-v))))).toBeLessThan(1e-6);
  });

  it('binary ops broadcast either way; max and min over axes propagate NaN', async () => {
    const a = values(64 * 96, 5).map(Math.fround), b = values(96, 6).map(Math.fround);
    const want = a.map((v, i) => Math.fround(v - b[i % 96]!));
    expect(worst(await h.sub(h.tensor(a, { shape: [64, 96] }), h.tensor(b, { shape: [96] })).data(), want)).toBe(0);
    expect(worst(await h.sub(h.tensor(b, { shape: [96] }), h.tensor(a, { shape: [64, 96] })).data(), want.map((v) => -v))).toBe(0);
    expect(worst(await h.mul(h.tensor(b, { shape: [96] }), h.tensor(a, { shape: [64, 96] })).data(), a.map((v, i) => Math.fround(v * b[i % 96]!)))).toBe(0);
    const withNaN = a.slice();
    withNaN[5 * 96 + 7] = NaN;
    const max = await h.max(h.tensor(withNaN, { shape: [64, 96] }), 1).data();
    expect(Number.isNaN(max[5]!)).toBe(true);
    expect(max[4]).toBe(Math.max(...a.slice(4 * 96, 5 * 96)));
  });

  it('model-sized softmax rows, divisions by a scalar either way round and means over trailing axes match float64', async () => {
    for (const [rows, L] of [[512, 64], [7, 13], [3, 5]] as const) {
      const x = values(rows * L, L).map((v) => Math.fround(v * 6));
      const y = await h.softmax(h.tensor(x, { shape: [rows, L] }), -1).data();
      const want: number[] = [];
      for (let r = 0; r < rows; r++) {
        const row = x.slice(r * L, (r + 1) * L), m = Math.max(...row), s = row.reduce((a, v) => a + Math.exp(v - m), 0);
        for (const v of row) want.push(Math.exp(v - m) / s);
      }
      expect(worst(y, want), `softmax [${rows}, ${L}]`).toBeLessThan(1e-6);
    }
    const a = values(4 * 2 * 64 * 64, 30).map(Math.fround), k = Math.fround(Math.sqrt(8));
    const ta = h.tensor(a, { shape: [4, 2, 64, 64] }), tk = h.tensor([k], { shape: [] });
    expect(worst(await h.div(ta, tk).data(), a.map((v) => Math.fround(v / k)))).toBe(0);
    expect(worst(await h.div(tk, ta).data(), a.map((v) => Math.fround(k / v)))).toBe(0);
    const x = values(8 * 8 * 8 * 8, 31).map(Math.fround);
    const mean = await h.mean(h.tensor(x, { shape: [8, 8, 8, 8] }), [2, 3], true).data();
    expect(worst(mean, Array.from({ length: 64 }, (_, r) => x.slice(r * 64, r * 64 + 64).reduce((s, v) => s + v, 0) / 64))).toBeLessThan(1e-6);
  });

  it('softmax over a slice with NaN, or spread beyond exp’s range, follows the opset; mean does not overflow', async () => {
    const rows = 8, L = 600;
    const x = values(rows * L, 7).map((v) => v * 4);
    x[2 * L + 3] = NaN;
    x[5 * L] = 100; // e^(x - 100) of the rest is below 1e-38: tiny, not zero
    const y = await h.softmax(h.tensor(x, { shape: [rows, L] }), -1).data();
    for (let r = 0; r < rows; r++) {
      const row = x.slice(r * L, (r + 1) * L).map(Math.fround);
      const m = Math.max(...row), s = row.reduce((a, v) => a + Math.exp(v - m), 0);
      const got = Array.from(y.slice(r * L, (r + 1) * L));
      if (r === 2) expect(got.every(Number.isNaN)).toBe(true);
      else expect(worst(got, row.map((v) => Math.exp(v - m) / s))).toBeLessThan(1e-6);
      if (r === 5) expect(got[1]).toBeGreaterThan(0);
    }
    const big = new Array(4096).fill(3e38);
    expect((await h.mean(h.tensor(big)).data())[0]! / 3e38).toBeCloseTo(1, 6);
  });

  it('pools: max with NaN propagates it; avg with ceil mode and counted padding divides as the opset says', async () => {
    const x = values(2 * 3 * 33 * 33, 8);
    x[40] = NaN;
    const t = h.tensor(x, { shape: [2, 3, 33, 33] });
    const mp = await h.op('max_pool2d', [t], { kernelSize: 2 }).data();
    expect(Number.isNaN(mp[3]!)).toBe(true); // x[40] is row 1, column 7: window (0, 3)
    // padded, strided, ceil mode: padding never wins, so the max is over the window clipped to the input
    const mp3 = await h.op('max_pool2d', [t], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }).data();
    const clipped: number[] = [];
    for (let pl = 0; pl < 6; pl++)
      for (let oy = 0; oy < 17; oy++)
        for (let ox = 0; ox < 17; ox++) {
          let m = -Infinity;
          for (let y = Math.max(oy * 2 - 1, 0); y < Math.min(oy * 2 + 2, 33); y++)
            for (let z = Math.max(ox * 2 - 1, 0); z < Math.min(ox * 2 + 2, 33); z++) m = Number.isNaN(m) ? m : Math.max(m, Math.fround(x[pl * 1089 + y * 33 + z]!));
          clipped.push(m);
        }
    expect(worst(mp3, clipped)).toBe(0);
    const ap = await h.op('avg_pool2d', [t], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }).data();
    // PyTorch's rule: the divisor counts the padding but not the part of a window past it
    const [H, OH] = [33, 17];
    const at = (plane: number, oy: number, ox: number) => {
      let s = 0;
      const y0 = oy * 2 - 1, x0 = ox * 2 - 1, y1 = Math.min(y0 + 3, H + 1), x1 = Math.min(x0 + 3, H + 1);
      for (let y = Math.max(y0, 0); y < Math.min(y1, H); y++) for (let z = Math.max(x0, 0); z < Math.min(x1, H); z++) s += x[plane * H * H + y * H + z]!;
      return s / ((y1 - y0) * (x1 - x0));
    };
    const want: number[] = [];
    for (let pl = 0; pl < 6; pl++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OH; ox++) want.push(at(pl, oy, ox));
    expect(ap.length).toBe(want.length);
    expect(worst(Array.from(ap).slice(OH * OH), want.slice(OH * OH))).toBeLessThan(1e-6); // plane 0 holds the NaN
  });

  it('keeps at most a bounded set of primitives and stays right past it (more shapes than the cache holds)', async () => {
    for (let n = 1; n <= 80; n++) {
      const a = values(3 * n * 5, n), b = values(5 * 2, n + 1);
      const y = await h.matmul(h.tensor(a, { shape: [3, n, 5] }), h.tensor(b, { shape: [5, 2] })).data();
      const want: number[] = [];
      for (let i = 0; i < 3 * n; i++) for (let j = 0; j < 2; j++) want.push([0, 1, 2, 3, 4].reduce((s, k) => s + Math.fround(a[i * 5 + k]!) * Math.fround(b[k * 2 + j]!), 0));
      expect(worst(y, want)).toBeLessThan(1e-6);
    }
  });

  it('transpose and reshape move every element where a float64 index walk puts it, in every dtype and rank', async () => {
    const cases: { shape: number[]; perm?: number[] }[] = [
      { shape: [4, 64, 2, 8], perm: [0, 2, 1, 3] },
      { shape: [3, 5, 7], perm: [2, 0, 1] },
      { shape: [6, 9] },
      { shape: [11], perm: [0] },
      { shape: [2, 1, 3, 1, 4], perm: [4, 3, 2, 1, 0] },
    ];
    for (const dtype of ['float32', 'int32', 'bool'] as const)
      for (const { shape, perm } of cases) {
        const n = shape.reduce((a, b) => a * b, 1), p = perm ?? shape.map((_, d) => shape.length - 1 - d);
        const x = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? (i * 7) % 3 === 0 : dtype === 'int32' ? i * 3 - 50 : i / 8 - 3));
        const outShape = p.map((d) => shape[d]!), want: (number | boolean)[] = [];
        for (let o = 0; o < n; o++) {
          let rest = o, src = 0;
          const idx: number[] = [];
          for (let d = outShape.length - 1; d >= 0; d--) (idx[d] = rest % outShape[d]!, (rest = Math.floor(rest / outShape[d]!)));
          for (let d = 0; d < shape.length; d++) src = src * shape[d]! + idx[p.indexOf(d)]!;
          want.push(x[src]!);
        }
        const t = h.tensor(x, { shape, dtype });
        const y = h.transpose(t, perm);
        expect(y.shape, `${dtype} ${JSON.stringify(shape)}`).toEqual(outShape);
        const got = Array.from(await y.data()).map((v) => (dtype === 'bool' ? Boolean(v) : v));
        expect(got, `${dtype} ${JSON.stringify(shape)} perm ${JSON.stringify(p)}`).toEqual(want);
        expect(Array.from(await h.reshape(y, [n]).data()).map((v) => (dtype === 'bool' ? Boolean(v) : v))).toEqual(want);
      }
  });
});

describe('the oneDNN plugin’s fused composites', () => {
  it('runs linear, layer_norm, batch_norm and activations as one kernel each, matching a float64 reference', async () => {
    const h = createHearth({ plugins: [plugin], backends: ['onednn'], exclusive: true, fallback: 'error' });
    await h.ready();
    const f32 = (...shapes: number[][]) => shapes.map((shape) => ({ shape, dtype: 'float32' as const }));
    for (const [op, args] of [['linear', f32([4, 4], [4, 4])], ['layer_norm', f32([4, 4])], ['batch_norm', f32([2, 3, 2, 2], [3], [3], [3], [3])], ['silu', f32([4])], ['gelu_tanh', f32([4])]] as const) {
      expect(h.explain(op, args).runs).toBe('fused');
    }
    // activations over 5000 elements (oneDNN's path) with the values where its exp gives out: NaN, -Inf, -100
    const xa = values(5000, 23).map((v) => Math.fround(v * 8));
    xa.splice(0, 4, NaN, -Infinity, -100, 0);
    const ta = h.tensor(xa);
    const silu = await h.op('silu', [ta]).data();
    expect(worst(silu, xa.map((v) => v * (1 / (1 + Math.exp(-v)))))).toBeLessThan(1e-6);
    expect(silu[2]).toBeLessThan(0); // -100·e^-100 is a tiny negative float32, not 0
    const elu = await h.op('elu', [ta], { alpha: 0.5 }).data();
    expect(worst(elu, xa.map((v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))))).toBeLessThan(1e-6);
    const hs = await h.op('hard_swish', [ta]).data();
    expect(worst(hs, xa.map((v) => (Number.isNaN(v) ? NaN : v * Math.max(0, Math.min(1, v / 6 + 0.5)))))).toBeLessThan(1e-6); // -Inf·0: NaN
    const gt = await h.op('gelu_tanh', [ta]).data();
    expect(worst(gt, xa.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))))).toBeLessThan(1e-5);
    // linear: A' [3, 5] from a transposed [5, 3], B [5, 4], c [4], alpha 2, beta 0.5
    const a = values(15, 9), b = values(20, 10), c = values(4, 11);
    const lin = await h.op('linear', [h.tensor(a, { shape: [5, 3] }), h.tensor(b, { shape: [5, 4] }), h.tensor(c, { shape: [4] })], { transA: true, alpha: 2, beta: 0.5 }).data();
    const wantLin: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) wantLin.push(2 * [0, 1, 2, 3, 4].reduce((s, k) => s + Math.fround(a[k * 3 + i]!) * Math.fround(b[k * 4 + j]!), 0) + 0.5 * Math.fround(c[j]!));
    expect(worst(lin, wantLin)).toBeLessThan(1e-6);
    // model-sized products (od_gemm.h): partial tiles, a matrix-vector row, a batch against one matrix
    const dot = (x: number[], w: number[], M: number, K: number, N: number, bias?: number[]) => {
      const out: number[] = [];
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out.push((bias?.[j] ?? 0) + Array.from({ length: K }, (_, k) => Math.fround(x[i * K + k]!) * Math.fround(w[k * N + j]!)).reduce((s, v) => s + v, 0));
      return out;
    };
    for (const [M, K, N] of [[37, 21, 19], [1, 300, 64], [1, 32, 1], [256, 16, 16]] as const) {
      const x = values(M * K, M + K), w = values(K * N, N), bias = values(N, K).map(Math.fround);
      const got = await h.op('linear', [h.tensor(x, { shape: [M, K] }), h.tensor(w, { shape: [K, N] }), h.tensor(bias, { shape: [N] })]).data();
      expect(worst(got, dot(x, w, M, K, N, bias)), `linear [${M}, ${K}] x [${K}, ${N}]`).toBeLessThan(1e-5);
    }
    const qa = values(8 * 64 * 8, 40), kb = values(8 * 64, 41);
    const mm = await h.matmul(h.tensor(qa, { shape: [4, 2, 64, 8] }), h.tensor(kb, { shape: [8, 64] })).data();
    expect(worst(mm, Array.from({ length: 8 }, (_, t) => dot(qa.slice(t * 512, (t + 1) * 512), kb, 64, 8, 64)).flat())).toBeLessThan(1e-5);
    // layer_norm over the last two axes, a scale of the full normalized shape and one broadcast from [4]
    const x = values(2 * 3 * 4, 12).map((v) => Math.fround(v * 3));
    const norm = (scale: (j: number) => number) => {
      const out: number[] = [];
      for (let r = 0; r < 2; r++) {
        const row = x.slice(r * 12, r * 12 + 12), m = row.reduce((s, v) => s + v, 0) / 12, v = row.reduce((s, e) => s + (e - m) ** 2, 0) / 12;
        row.forEach((e, j) => out.push(((e - m) / Math.sqrt(v + 1e-5)) * scale(j)));
      }
      return out;
    };
    const full = values(12, 13).map(Math.fround), row4 = values(4, 14).map(Math.fround);
    const ln1 = await h.layer_norm(h.tensor(x, { shape: [2, 3, 4] }), h.tensor(full, { shape: [3, 4] }), null, { axis: 1 }).data();
    expect(worst(ln1, norm((j) => full[j]!))).toBeLessThan(1e-5);
    const ln2 = await h.layer_norm(h.tensor(x, { shape: [2, 3, 4] }), h.tensor(row4, { shape: [4] }), null, { axis: 1 }).data();
    expect(worst(ln2, norm((j) => row4[j % 4]!))).toBeLessThan(1e-5);
    // layer_norm of the transformer's shape on rows far from 0 (mean 1e4, spread 0.01): the offset must not
    // cost the normalized values their precision
    const xo = values(4 * 64 * 16, 24).map((v) => Math.fround(1e4 + v * 0.01)), so = values(16, 25).map(Math.fround), bo = values(16, 26).map(Math.fround);
    const lno = await h.layer_norm(h.tensor(xo, { shape: [4, 64, 16] }), h.tensor(so, { shape: [16] }), h.tensor(bo, { shape: [16] })).data();
    const wantLno: number[] = [];
    for (let r = 0; r < 256; r++) {
      const row = xo.slice(r * 16, r * 16 + 16), m = row.reduce((s, v) => s + v, 0) / 16, v = row.reduce((s, e) => s + (e - m) ** 2, 0) / 16;
      row.forEach((e, j) => wantLno.push(((e - m) / Math.sqrt(v + 1e-5)) * so[j]! + bo[j]!));
    }
    expect(worst(lno, wantLno)).toBeLessThan(2e-5);
    // batch_norm over [N, C, H, W] = [2, 3, 2, 2]
    const bx = values(24, 15).map(Math.fround), [sc, bi, mu] = [16, 17, 18].map((s) => values(3, s).map(Math.fround)), va = values(3, 19).map((v) => Math.fround(v + 1.5));
    const bn = await h.op('batch_norm', [bx, sc!, bi!, mu!, va].map((d, i) => h.tensor(d, { shape: i ? [3] : [2, 3, 2, 2] }))).data();
    expect(worst(bn, bx.map((v, i) => { const ch = Math.floor(i / 4) % 3; return ((v - mu![ch]!) / Math.sqrt(va[ch]! + 1e-5)) * sc![ch]! + bi![ch]!; }))).toBeLessThan(1e-5);
    await h.dispose();
  });
});
