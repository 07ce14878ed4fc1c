/**
 * Broken fast paths: each is the CPU plugin with one kernel behind a fast path the way a tuned backend
 * (plugin-wasm's SIMD loops, packed GEMM, im2col, blocked sums, thread chunks) builds it, with one bug that
 * only its regime shows; outside that regime the fast path declines and the reference kernel runs. Each
 * names the cases that must catch it.
 */
import { CPU_KERNELS, type CpuStorage } from '@hearth/plugin-cpu';
import { normalizeAxis, reductionAxes, type DType, type KernelFn, type KernelTensor } from '@hearth/core';

const data = (t: KernelTensor) => (t.storage as CpuStorage).data;

/** A fast path: true when it wrote the output, false to leave the call to the reference kernel. */
type Fast = (...args: Parameters<KernelFn>) => boolean;

/** The CPU plugin's kernel for (op, dtype). */
export function reference(op: string, dtype: DType): KernelFn {
  const k = CPU_KERNELS.find((x) => x.op === op && (typeof x.dtypes === 'string' ? x.dtypes === dtype : x.dtypes.includes(dtype)));
  if (!k) throw new Error(`no CPU kernel for ${op}(${dtype})`);
  return k.run;
}

/** A kernel that tries `fast` and otherwise runs the reference kernel (plugin-wasm's withFallback). */
export const withFastPath =
  (op: string, dtype: DType, fast: Fast): KernelFn =>
  (inputs, out, attrs, ctx) => {
    if (!fast(inputs, out, attrs, ctx)) reference(op, dtype)(inputs, out, attrs, ctx);
  };

/** Where work is split over threads in plugin-wasm: elements, and multiply-adds. */
const PARALLEL_ELEMENTS = 1 << 18;
const PARALLEL_FLOPS = 1 << 20;

/**
 * A binary operator with one operand repeating every `period` elements (a row or a scalar), in spans like
 * assembly/elementwise.ts: a 16-wide loop, a 4-wide loop and a scalar tail per row. The bug: the 16-wide
 * loop forgets `swap`, so with the left operand repeating it computes b op a there.
 */
export function repeatingOperand(fn: (a: number, b: number) => number): Fast {
  return ([a, b], out) => {
    const n = out.size;
    let [full, rep, swap] = [a!, b!, false];
    if (a!.size !== n) [full, rep, swap] = [b!, a!, true];
    if (full.size !== n || rep.size === n || rep.size === 0) return false;
    const trailing = out.shape.slice(out.shape.length - rep.shape.length);
    if (rep.shape.some((d, i) => d !== trailing[i] && rep.size !== 1)) return false;
    const [x, y, o, period] = [data(full), data(rep), data(out), rep.size];
    const op = (p: number, q: number, swapped: boolean) => (swapped ? fn(q, p) : fn(p, q));
    for (let i = 0; i < n; ) {
      const stop = Math.min(n, i + (period - (i % period)));
      // The 16-wide loop, then the 4-wide one and the tail (one loop here: they compute alike).
      const blocks = period > 1 ? i + Math.floor((stop - i) / 16) * 16 : i;
      for (; i < blocks; i++) o[i] = op(x[i]!, y[i % period]!, false); // the bug: no swap
      for (; i < stop; i++) o[i] = op(x[i]!, y[i % period]!, swap);
    }
    return true;
  };
}

/**
 * 2-D float32 matmul through a 4×8 register-blocked micro-kernel over 256-deep K slices (assembly/gemm.ts).
 * `bug`: a full 4×8 tile stores each slice's product instead of adding it to the slices before, so only
 * the last slice survives (partial tiles go through a scratch tile and are right); or, with
 * `bug: 'await'`, a parallel call answers from the previous parallel call's inputs (a worker's result read
 * before it is written).
 */
export function gemm(bug: 'full-tile-store' | 'await'): Fast {
  let previous: Float64Array | undefined;
  return ([a, b], out) => {
    if (a!.shape.length !== 2 || b!.shape.length !== 2) return false;
    const [m, k] = a!.shape as [number, number];
    const n = b!.shape[1]!;
    const [A, B] = [data(a!), data(b!)];
    const c = new Float64Array(m * n);
    for (let pc = 0; pc < k; pc += 256) {
      const kc = Math.min(256, k - pc);
      for (let i0 = 0; i0 < m; i0 += 4) {
        for (let j0 = 0; j0 < n; j0 += 8) {
          const full = i0 + 4 <= m && j0 + 8 <= n;
          for (let i = i0; i < Math.min(m, i0 + 4); i++) {
            for (let j = j0; j < Math.min(n, j0 + 8); j++) {
              let s = 0;
              for (let p = pc; p < pc + kc; p++) s = Math.fround(s + A[i * k + p]! * B[p * n + j]!);
              c[i * n + j] = full && bug === 'full-tile-store' ? s : Math.fround(c[i * n + j]! + s);
            }
          }
        }
      }
    }
    let answer = c;
    if (bug === 'await' && m * n * k >= PARALLEL_FLOPS) {
      if (previous?.length === c.length) answer = previous;
      previous = c;
    }
    data(out).set(answer);
    return true;
  };
}

type Geometry = { KH: number; KW: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; OH: number; OW: number };

/**
 * conv2d (groups 1) as im2col panels of 8 output pixels and a dot product per output, as assembly/conv.ts:
 * 8 pixels of one output row are copied as 8 input neighbours. `bug` is what that copy ignores: the width
 * stride (it is taken whatever the stride), or the width dilation; with `bug: 'empty-channels'` a call with
 * no input channels returns zeros (the GEMM has nothing to do, and the bias is skipped with it).
 */
export function im2colConv(bug: 'width-stride' | 'width-dilation' | 'empty-channels'): Fast {
  return ([x, w, bias], out, attrs) => {
    if ((attrs['groups'] as number) !== 1) return false;
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [O, , KH, KW] = w!.shape as [number, number, number, number];
    const [sh, sw] = attrs['stride'] as [number, number];
    const [ph, pw] = attrs['padding'] as [number, number];
    const [dh, dw] = attrs['dilation'] as [number, number];
    const g: Geometry = { KH, KW, sh, sw, ph, pw, dh, dw, OH: out.shape[2]!, OW: out.shape[3]! };
    const K = C * KH * KW;
    const P = g.OH * g.OW;
    const o = data(out);
    if (K === 0 && bug === 'empty-channels') return o.fill(0), true;
    const X = data(x!);
    const Wt = data(w!);
    const pixel = (img: number, c: number, iy: number, ix: number) => (iy >= 0 && iy < H && ix >= 0 && ix < W ? X[((img * C + c) * H + iy) * W + ix]! : 0);
    const column = new Float64Array(K);
    for (let img = 0; img < N; img++) {
      for (let q0 = 0; q0 < P; q0 += 8) {
        const [oy0, ox0] = [Math.floor(q0 / g.OW), q0 % g.OW];
        const strideOk = bug === 'width-stride' || sw === 1;
        const oneRow = strideOk && q0 + 8 <= P && ox0 + 8 <= g.OW;
        for (let q = q0; q < Math.min(P, q0 + 8); q++) {
          const [oy, ox] = [Math.floor(q / g.OW), q % g.OW];
          let r = 0;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                // The 8-neighbour copy: input column ox0 + (q - q0) + kx·dw, or + kx under the dilation bug.
                const ix = oneRow ? ox0 - pw + (q - q0) + kx * (bug === 'width-dilation' ? 1 : dw) : ox * sw - pw + kx * dw;
                column[r++] = pixel(img, c, (oneRow ? oy0 : oy) * sh - ph + ky * dh, ix);
              }
          for (let oc = 0; oc < O; oc++) {
            let s = bias ? data(bias)[oc]! : 0;
            for (let p = 0; p < K; p++) s += Wt[oc * K + p]! * column[p]!;
            o[(img * O + oc) * P + q] = s;
          }
        }
      }
    }
    return true;
  };
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const fr = Math.fround;

/**
 * e^x for EXP_NORMAL_MIN <= x <= 0 by magic-bias rounding and a degree-5 polynomial, in float32
 * (assembly/exp.ts's expNormal): below that range the bits it builds for 2^k are garbage.
 */
function expNormal(x: number): number {
  const magic = 12583039.0;
  let n = fr(fr(x * 1.4426950216293335) + magic);
  f32[0] = n;
  i32[0] = i32[0]! << 23;
  const s = f32[0]!;
  n = fr(n - magic);
  let t = fr(fr(n * -0.693145751953125) + x);
  t = fr(fr(n * -1.428606765330187e-6) + t);
  let p = fr(fr(0.008289290592074394 * t) + 0.04189782217144966);
  p = fr(fr(p * t) + 0.16667652130126953);
  p = fr(fr(p * t) + 0.4999915063381195);
  p = fr(fr(p * t) + 0.9999997019767761);
  return fr(fr(fr(t * s) * p) + s);
}

const EXP_NORMAL_MIN = -87.33654022216797;

/**
 * softmax along the last axis, 16 elements at a time in four 4-lane vectors, each vector's exp by the short
 * polynomial when it is in range. The bug: the range check reads the vector's first lane only, so a vector
 * whose other lanes underflow (0, -100, -100, -100) gets garbage there.
 */
export const softmaxLaneCheck: Fast = ([x], out, attrs) => {
  const shape = x!.shape;
  if (shape.length === 0 || normalizeAxis(attrs['axis'] as number, shape.length, 'softmax') !== shape.length - 1) return false;
  const n = shape[shape.length - 1]!;
  const [X, o] = [data(x!), data(out)];
  for (let r = 0; r * n < X.length; r++) {
    const row = X.subarray(r * n, r * n + n);
    const max = row.reduce((m, v) => (v > m || Number.isNaN(v) ? v : m), -Infinity);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const vectorStart = i - (i % 4);
      const fast = i < n - (n % 16) && row[vectorStart]! - max >= EXP_NORMAL_MIN; // the bug: lane 0 only
      const e = fast ? expNormal(row[i]! - max) : Math.exp(row[i]! - max);
      o[r * n + i] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) o[r * n + i] = o[r * n + i]! / sum;
  }
  return true;
};

/** Whether a reduction's axes are the trailing ones (rows of contiguous elements); the number of rows. */
function rowsOf(x: KernelTensor, attrs: Readonly<Record<string, unknown>>, op: string): number | undefined {
  const axes = reductionAxes(x.shape, attrs['axes'] as number[] | null, op);
  if (axes.some((a, i) => a !== x.shape.length - axes.length + i)) return undefined;
  const len = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return len === 0 ? undefined : x.size / len;
}

/**
 * sum or mean over trailing axes in 512-element blocks of 16 float32 lanes (assembly/reduce.ts). The bug:
 * the float64 re-do of a block whose float32 lanes overflowed is left out (16 values of 3e38 give Inf).
 */
export function blockedSum(mean: boolean): Fast {
  return ([x], out, attrs) => {
    const rows = rowsOf(x!, attrs, mean ? 'mean' : 'sum');
    if (rows === undefined || rows === 0) return false;
    const [X, o] = [data(x!), data(out)];
    const n = X.length / rows;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let b = r * n; b < (r + 1) * n; b += 512) {
        const end = Math.min((r + 1) * n, b + 512);
        const lanes = new Float32Array(16);
        let i = b;
        for (; i + 16 <= end; i += 16) for (let l = 0; l < 16; l++) lanes[l] = lanes[l]! + X[i + l]!;
        const v = [0, 1, 2, 3].map((l) => fr(fr(lanes[l]! + lanes[4 + l]!) + fr(lanes[8 + l]! + lanes[12 + l]!)));
        let block = v[0]! + v[1]! + v[2]! + v[3]!;
        for (; i < end; i++) block += X[i]!;
        s += block; // the bug: no float64 re-do when !isFinite(block)
      }
      o[r] = mean ? s / n : s;
    }
    return true;
  };
}

/**
 * sum of one long row split over threads in chunks of 65,536 (fastSum's sum_part_f32). The bug: the number
 * of chunks is floored, so the last, shorter chunk is never added (300,000 ones sum to 262,144).
 */
export const chunkedRowSum: Fast = ([x], out, attrs) => {
  if (rowsOf(x!, attrs, 'sum') !== 1 || x!.size < PARALLEL_ELEMENTS) return false;
  const X = data(x!);
  const chunks = Math.floor(X.length / 65536); // the bug: Math.ceil
  let s = 0;
  for (let c = 0; c < chunks; c++) for (let i = c * 65536; i < Math.min(X.length, (c + 1) * 65536); i++) s += X[i]!;
  data(out)[0] = s;
  return true;
};

/**
 * A reduction split over 64 threads, each looping over its strided share at most 65,535 times (what
 * llvmpipe does to a long shader loop): rows past 64 × 65,535 elements lose their end.
 */
export function loopLimitedMean(): Fast {
  return ([x], out, attrs) => {
    const rows = rowsOf(x!, attrs, 'mean');
    if (rows === undefined) return false;
    const [X, o] = [data(x!), data(out)];
    const n = X.length / rows;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let i = 0; i < Math.min(n, 64 * 65_535); i++) s += X[r * n + i]!;
      o[r] = s / n;
    }
    return true;
  };
}

/**
 * softmax of rows past 2^22 elements in two passes whose partial sums are both added into the total (the
 * second pass re-adds the first's): every output comes out halved.
 */
export const twoPassSoftmax: Fast = ([x], out, attrs) => {
  const shape = x!.shape;
  const n = shape[shape.length - 1] ?? 0;
  if (n <= 1 << 22 || normalizeAxis(attrs['axis'] as number, shape.length, 'softmax') !== shape.length - 1) return false;
  const [X, o] = [data(x!), data(out)];
  for (let r = 0; r * n < X.length; r++) {
    let max = -Infinity;
    for (let i = r * n; i < (r + 1) * n; i++) max = Math.max(max, X[i]!);
    let total = 0;
    for (let pass = 0; pass < 2; pass++) for (let i = r * n; i < (r + 1) * n; i++) total += Math.exp(X[i]! - max);
    for (let i = r * n; i < (r + 1) * n; i++) o[i] = Math.exp(X[i]! - max) / total;
  }
  return true;
};

/** matmul with K past 65,536 split in 256-deep slices over workers, one slice's partial lost. */
export const splitKMatmul: Fast = ([a, b], out) => {
  if (a!.shape.length !== 2 || b!.shape.length !== 2 || a!.shape[1]! <= 65_536) return false;
  const [m, k] = a!.shape as [number, number];
  const n = b!.shape[1]!;
  const [A, B, o] = [data(a!), data(b!), data(out)];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) if (p < 256 || p >= 512) s += A[i * k + p]! * B[p * n + j]!;
      o[i * n + j] = s;
    }
  return true;
};
