import { sizeOf } from '@hearth/core';
import { broadcastAll, broadcastOffset, exactInAnyOrder, exactSum, unravel } from './nd.js';
import { unitRoundoff } from '../numeric/float.js';
import { wrapInt32 } from './scalar.js';
import type { Expected, OracleFn } from './types.js';

type Pair = [number, number];

/**
 * A float dot product from its products (compensated), with Σ|a·b| for the bound and whether a float sum of
 * the products is exact in any order (`u` the output's unit roundoff).
 */
function dot(terms: readonly number[], u: number): { v: number; m: number; exact: number } {
  return { v: exactSum(terms), m: terms.reduce((s, t) => s + Math.abs(t), 0), exact: +exactInAnyOrder(terms, u) };
}

/** An int32 dot product of `k` pairs, exact and wrapping. */
function intDot(k: number, a: (t: number) => number, b: (t: number) => number): number {
  let s = 0n;
  for (let t = 0; t < k; t++) s += BigInt(a(t)) * BigInt(b(t));
  return wrapInt32(s);
}

/** matmul with NumPy rules: 1-D operands become a row (a) or column (b), batch axes broadcast. */
export const matmulOracle: OracleFn = ([a, b], _attrs, compute, out) => {
  const as = a!.shape.length === 1 ? [1, a!.shape[0]!] : a!.shape;
  const bs = b!.shape.length === 1 ? [b!.shape[0]!, 1] : b!.shape;
  const [m, k] = as.slice(-2) as Pair;
  const n = bs[bs.length - 1]!;
  const batch = broadcastAll([as.slice(0, -2), bs.slice(0, -2)]);
  if (!batch || bs[bs.length - 2] !== k) throw new Error('oracle: matmul shapes do not fit');
  const shape = [...batch, ...(a!.shape.length > 1 ? [m] : []), ...(b!.shape.length > 1 ? [n] : [])];
  const nb = sizeOf(batch);
  const values = new Float64Array(nb * m * n);
  const mag = new Float64Array(values.length);
  const exact = new Uint8Array(values.length);
  const [A, B, u] = [a!.data, b!.data, unitRoundoff(out)];
  for (let bi = 0; bi < nb; bi++) {
    const idx = unravel(bi, batch);
    const aOff = broadcastOffset(idx, as.slice(0, -2)) * m * k;
    const bOff = broadcastOffset(idx, bs.slice(0, -2)) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const at = (bi * m + i) * n + j;
        if (compute === 'int32') {
          values[at] = intDot(k, (t) => A[aOff + i * k + t]!, (t) => B[bOff + t * n + j]!);
          continue;
        }
        const terms = new Array<number>(k);
        for (let t = 0; t < k; t++) terms[t] = A[aOff + i * k + t]! * B[bOff + t * n + j]!;
        const r = dot(terms, u);
        values[at] = r.v;
        mag[at] = r.m;
        exact[at] = r.exact;
      }
    }
  }
  return { shape, dtype: out, values, mag, terms: new Float64Array(values.length).fill(k + 1), exact };
};

/** conv2d: NCHW input, OIHW weights, zero padding, stride, dilation, groups, optional bias. */
export const conv2dOracle: OracleFn = ([x, w, bias], attrs, _compute, out) => {
  const [N, C, H, W] = x!.shape as number[] as [number, number, number, number];
  const [O, I, KH, KW] = w!.shape as number[] as [number, number, number, number];
  const [sh, sw] = attrs['stride'] as Pair;
  const [ph, pw] = attrs['padding'] as Pair;
  const [dh, dw] = attrs['dilation'] as Pair;
  const groups = attrs['groups'] as number;
  const size = (len: number, k: number, s: number, p: number, d: number) => Math.max(0, Math.floor((len + 2 * p - d * (k - 1) - 1) / s) + 1);
  const OH = size(H, KH, sh, ph, dh);
  const OW = size(W, KW, sw, pw, dw);
  const values = new Float64Array(N * O * OH * OW);
  const mag = new Float64Array(values.length);
  const exact = new Uint8Array(values.length);
  const u = unitRoundoff(out);
  const [X, Wt] = [x!.data, w!.data];
  const perGroup = O / groups;
  let at = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / perGroup);
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const terms: number[] = [];
          for (let i = 0; i < I; i++) {
            const c = g * I + i;
            for (let kh = 0; kh < KH; kh++) {
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * sh - ph + kh * dh;
                const iw = ow * sw - pw + kw * dw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                terms.push(X[((n * C + c) * H + ih) * W + iw]! * Wt[((o * I + i) * KH + kh) * KW + kw]!);
              }
            }
          }
          if (bias) terms.push(bias.data[o]!);
          const r = dot(terms, u);
          values[at] = r.v;
          exact[at] = r.exact;
          mag[at++] = r.m;
        }
      }
    }
  }
  return { shape: [N, O, OH, OW], dtype: out, values, mag, terms: new Float64Array(values.length).fill(I * KH * KW + 2), exact };
};

/** Output size of a pool window, PyTorch's rule (the last window starts inside the input or its left padding). */
function poolSize(len: number, k: number, s: number, p: number, ceil: boolean): number {
  const room = len + 2 * p - k;
  let n = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
  if (ceil && (n - 1) * s >= len + p) n--;
  return n;
}

/** max_pool2d and avg_pool2d; padding never wins a max; avg divisors follow PyTorch (countIncludePad, ceilMode). */
function pool(avg: boolean): OracleFn {
  return ([x], attrs, _compute, out): Expected => {
    const [N, C, H, W] = x!.shape as number[] as [number, number, number, number];
    const [kh, kw] = attrs['kernelSize'] as Pair;
    const st = attrs['stride'] as number[] | null;
    const [sh, sw] = st === null ? [kh, kw] : st.length === 1 ? [st[0]!, st[0]!] : [st[0]!, st[1]!];
    const [ph, pw] = attrs['padding'] as Pair;
    const ceil = attrs['ceilMode'] as boolean;
    const includePad = attrs['countIncludePad'] as boolean | undefined;
    const OH = poolSize(H, kh, sh, ph, ceil);
    const OW = poolSize(W, kw, sw, pw, ceil);
    const values = new Float64Array(N * C * OH * OW);
    const mag = new Float64Array(values.length);
    const terms = new Float64Array(values.length);
    let at = 0;
    for (let nc = 0; nc < N * C; nc++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const h0 = oh * sh - ph;
          const w0 = ow * sw - pw;
          const h1 = Math.min(h0 + kh, H + ph);
          const w1 = Math.min(w0 + kw, W + pw);
          const padded = (h1 - h0) * (w1 - w0);
          const win: number[] = [];
          for (let h = Math.max(h0, 0); h < Math.min(h1, H); h++) {
            for (let w = Math.max(w0, 0); w < Math.min(w1, W); w++) win.push(x!.data[(nc * H + h) * W + w]!);
          }
          if (avg) {
            const divisor = includePad ? padded : win.length;
            values[at] = exactSum(win) / divisor;
            mag[at] = win.reduce((s, v) => s + Math.abs(v), 0) / divisor;
            terms[at] = win.length + 2;
          } else {
            values[at] = win.some(Number.isNaN) ? NaN : Math.max(...win);
          }
          at++;
        }
      }
    }
    return { shape: [N, C, OH, OW], dtype: out, values, ...(avg ? { mag, terms } : {}) };
  };
}

/** References of the pools. */
export const poolOracles: Record<string, OracleFn> = { max_pool2d: pool(false), avg_pool2d: pool(true) };
