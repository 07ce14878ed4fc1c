/**
 * Deliberately broken CPU plugins: each replaces one kernel of the reference CPU plugin with a version that
 * has one realistic bug. The suite's own tests assert which case IDs catch each one.
 */
import { CPU_KERNELS, createCpuPlugin, type CpuStorage } from '@hearth/plugin-cpu';
import { sizeOf, stridesOf, type DType, type HearthPlugin, type KernelFn, type KernelSpec, type KernelTensor } from '@hearth/core';
import { blockedSum, chunkedRowSum, gemm, im2colConv, loopLimitedMean, repeatingOperand, softmaxLaneCheck, splitKMatmul, twoPassSoftmax, withFastPath } from './broken-fast-paths.js';

const data = (t: KernelTensor) => (t.storage as CpuStorage).data;

/** The CPU kernel list with (op, dtypes) replaced by `run`; the op's other dtypes keep their real kernels. */
export function replaceKernel(op: string, dtypes: readonly DType[], run: KernelFn): KernelSpec[] {
  const out: KernelSpec[] = [];
  for (const k of CPU_KERNELS) {
    if (k.op !== op) {
      out.push(k);
      continue;
    }
    const keep = (typeof k.dtypes === 'string' ? [k.dtypes] : k.dtypes).filter((d) => !dtypes.includes(d));
    if (keep.length) out.push({ ...k, dtypes: keep });
  }
  out.push({ op, device: 'cpu', dtypes, run });
  return out;
}

const unravel = (i: number, shape: readonly number[]) => {
  const idx = shape.map(() => 0);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = i % shape[a]!;
    i = Math.floor(i / shape[a]!);
  }
  return idx;
};

/** A reduction kernel over attrs.axes from a fold over each group's values. */
function reduce(fold: (vals: number[]) => number): KernelFn {
  return ([x], out, attrs) => {
    const rank = x!.shape.length;
    const axes = ((attrs['axes'] as number[] | null) ?? x!.shape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
    const kept = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const groups: number[][] = Array.from({ length: data(out).length }, () => []);
    const xs = data(x!);
    for (let i = 0; i < xs.length; i++) {
      const idx = unravel(i, x!.shape);
      let o = 0;
      for (const k of kept) o = o * x!.shape[k]! + idx[k]!;
      groups[o]!.push(xs[i]!);
    }
    groups.forEach((g, o) => (data(out)[o] = fold(g)));
  };
}

/**
 * A broadcasting binary kernel from a scalar function. `align` says which end of the shapes lines up:
 * the trailing end is right; the leading end is the broadcasting bug one variant plants.
 */
function binary(fn: (a: number, b: number) => number, align: 'trailing' | 'leading' = 'trailing'): KernelFn {
  return ([a, b], out) => {
    const rank = out.shape.length;
    const pad = (s: readonly number[]) => {
      const ones: number[] = new Array(rank - s.length).fill(1);
      return align === 'trailing' ? [...ones, ...s] : [...s, ...ones];
    };
    const [sa, sb] = [pad(a!.shape), pad(b!.shape)];
    const [ta, tb] = [stridesOf(sa), stridesOf(sb)];
    const o = data(out);
    for (let i = 0; i < o.length; i++) {
      const idx = unravel(i, out.shape);
      const off = (s: number[], t: number[]) => idx.reduce((acc, v, k) => acc + (s[k] === 1 ? 0 : v) * t[k]!, 0);
      o[i] = fn(data(a!)[off(sa, ta)]!, data(b!)[off(sb, tb)]!);
    }
  };
}

function unary(fn: (x: number) => number): KernelFn {
  return ([x], out) => {
    const a = data(x!);
    const o = data(out);
    for (let i = 0; i < o.length; i++) o[i] = fn(a[i]!);
  };
}

/** One broken variant: its plugin and the case IDs that must catch it. */
export interface BrokenVariant {
  /** What is broken, in words. */
  readonly bug: string;
  /** The query the test runs (the op's cases and the life-cycle checks). */
  readonly query: readonly string[];
  /** The plugin. */
  readonly plugin: HearthPlugin;
  /** Exactly the case IDs that fail (the suite's seed is fixed, so this list is too). */
  readonly caughtBy: readonly string[];
  /** A phrase the failure message of the first catching case must contain. */
  readonly message: RegExp;
  /** The profile run (`core` when absent). */
  readonly profile?: string;
}

const variant = (name: string, bug: string, op: string, dtypes: DType[], run: KernelFn, caughtBy: string[], message: RegExp, profile?: string): BrokenVariant => ({
  bug,
  ...(profile ? { profile } : {}),
  query: [`hearth:op,${op}:*`, 'hearth:lifecycle,*'],
  plugin: createCpuPlugin({ kernels: replaceKernel(op, dtypes, run), name: `@broken/${name}` }),
  caughtBy,
  message,
});

const id = (op: string, dtype: string, name: string) => `hearth:op,${op}:dtype=${dtype};case=${name}`;

const axisOf = (attrs: Readonly<Record<string, unknown>>, rank: number, fix: (a: number) => number = (a) => (a < 0 ? a + rank : a)) => fix(attrs['axis'] as number);

/** softmax along a normalized axis (for variants that get the axis wrong before calling it). */
function softmaxAlong(x: KernelTensor, out: KernelTensor, axis: number): void {
  const xs = data(x);
  const o = data(out);
  const len = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = xs.length / Math.max(1, len * inner);
  for (let q = 0; q < outer * inner; q++) {
    const base = Math.floor(q / inner) * len * inner + (q % inner);
    let m = -Infinity;
    for (let j = 0; j < len; j++) m = Math.max(m, xs[base + j * inner]!);
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.exp(xs[base + j * inner]! - m);
    for (let j = 0; j < len; j++) o[base + j * inner] = Math.exp(xs[base + j * inner]! - m) / s;
  }
}

/** A sum over attrs.axes through a group key, where `plan(shape, attrs)` gives the axes reduced. */
function sumWithPlan(plan: (shape: readonly number[], attrs: Readonly<Record<string, unknown>>) => number[]): KernelFn {
  return ([x], out, attrs, ctx) => {
    const axes = plan(x!.shape, attrs);
    reduce((g) => g.reduce((a, b) => a + b, 0))([x!], out, { ...attrs, axes }, ctx);
  };
}

const allAxes = (shape: readonly number[]) => shape.map((_, i) => i);
const givenAxes = (shape: readonly number[], attrs: Readonly<Record<string, unknown>>) => ((attrs['axes'] as number[] | null) ?? allAxes(shape)).map((a) => (a < 0 ? a + shape.length : a));

/** A plan cache keyed on the input shape alone: the second call with other axes reuses the first's plan. */
function shapeKeyedSum(): KernelFn {
  const plans = new Map<string, number[]>();
  return sumWithPlan((shape, attrs) => {
    const key = shape.join('x');
    if (!plans.has(key)) plans.set(key, givenAxes(shape, attrs));
    return plans.get(key)!;
  });
}

/** A variant whose float32 kernel of `op` goes through a broken fast path (see broken-fast-paths.ts). */
const fastVariant = (name: string, bug: string, op: string, fast: Parameters<typeof withFastPath>[2], caughtBy: string[], message: RegExp, profile?: string): BrokenVariant =>
  variant(name, bug, op, ['float32'], withFastPath(op, 'float32', fast), caughtBy, message, profile);

/**
 * The fast-path bugs of issue 19, each in the regime a fixed list of small inputs never built: caught by the
 * cases and properties built for that regime.
 */
const FAST_PATH_VARIANTS: readonly BrokenVariant[] = [
  fastVariant('sub-swapped-16-wide', 'sub whose 16-wide loop over a repeating left operand computes b − a', 'sub', repeatingOperand((a, b) => a - b),
    [id('sub', 'float32', 'broadcast-row-16-left'), id('sub', 'float32', 'broadcast-row-17-left'), id('sub', 'float32', 'broadcast-row-33-left'), id('sub', 'float32', 'property')], /out of bound/),
  fastVariant('matmul-full-tile-drops-k-slices', 'matmul whose full 4×8 tiles keep only the last 256-deep K slice', 'matmul', gemm('full-tile-store'),
    [id('matmul', 'float32', 'tile-full-k-300'), id('matmul', 'float32', 'tile-full-k-513'), id('matmul', 'float32', 'sequence-threads-68x257x65'), id('matmul', 'float32', 'property')], /out of bound/),
  fastVariant('conv2d-im2col-width-stride', "conv2d whose 8-pixel im2col copy ignores the width stride", 'conv2d', im2colConv('width-stride'),
    [id('conv2d', 'float32', 'wide-stride-1x2'), id('conv2d', 'float32', 'wide-stride-2x3-dilation-1x2-padding-1x2'), id('conv2d', 'float32', 'property')], /out of bound/),
  fastVariant('conv2d-im2col-width-dilation', "conv2d whose 8-pixel im2col copy ignores the width dilation", 'conv2d', im2colConv('width-dilation'),
    [id('conv2d', 'float32', 'wide-dilation-1x2'), id('conv2d', 'float32', 'property')], /out of bound/),
  fastVariant('conv2d-empty-channels-no-bias', 'conv2d that returns zeros for zero input channels, skipping the bias', 'conv2d', im2colConv('empty-channels'),
    [id('conv2d', 'float32', 'empty-channels-bias'), id('conv2d', 'float32', 'property')], /out of bound/),
  fastVariant('softmax-exp-lane-0-check', "softmax whose fast exp is chosen by a vector's first lane, so other lanes' underflow gives garbage", 'softmax', softmaxLaneCheck,
    [id('softmax', 'float32', 'lanes-underflow-16'), id('softmax', 'float32', 'lanes-underflow-67'), id('softmax', 'float32', 'property')], /out of bound/),
  fastVariant('mean-no-overflow-redo', 'blocked mean without the float64 re-do of a block whose float32 lanes overflowed', 'mean', blockedSum(true),
    [id('mean', 'float32', 'lanes-near-max')], /out of bound/),
  fastVariant('sum-threads-floor-chunks', 'sum split over threads in 65,536-element chunks whose count is floored (the last chunk dropped)', 'sum', chunkedRowSum,
    [id('sum', 'float32', 'threads-300007'), id('sum', 'float32', 'threads-ones-262145')], /out of bound/),
  fastVariant('matmul-worker-not-awaited', "matmul whose parallel calls answer from the previous call's inputs (a worker's result not waited for)", 'matmul', gemm('await'),
    [id('matmul', 'float32', 'sequence-threads-68x257x65')], /out of bound/),
  fastVariant('mean-loop-limit', 'mean whose 64 threads stop after 65,535 iterations each (rows past 4,194,240 elements lose their end)', 'mean', loopLimitedMean(),
    [id('mean', 'float32', 'large-rows')], /out of bound/, 'large'),
  fastVariant('softmax-halved', 'softmax of long rows whose two passes both add their partial sums (every output halved)', 'softmax', twoPassSoftmax,
    [id('softmax', 'float32', 'large-row')], /out of bound/, 'large'),
  fastVariant('matmul-split-k-drops-slice', 'matmul with K past 65,536 that loses one 256-deep slice of its split', 'matmul', splitKMatmul,
    [id('matmul', 'float32', 'large-inner')], /out of bound/, 'large'),
];

/** Every broken variant the suite must catch. */
export const BROKEN_VARIANTS: readonly BrokenVariant[] = [
  ...FAST_PATH_VARIANTS,
  variant('sum-drops-last', 'sum that drops the last element of each group', 'sum', ['float32'],
    reduce((g) => g.slice(0, -1).reduce((a, b) => a + b, 0)),
    [id('sum', 'float32', 'all-axes'), id('sum', 'float32', 'axis0'), id('sum', 'float32', 'axis-last-keepdims'), id('sum', 'float32', 'axes-0-2'), id('sum', 'float32', 'all-keepdims'), id('sum', 'float32', 'rank6'), id('sum', 'float32', 'scalar'), id('sum', 'float32', 'long-row'), id('sum', 'float32', 'leading-axis-17'), id('sum', 'float32', 'middle-axis'), id('sum', 'float32', 'several-axes-rank4'), id('sum', 'float32', 'negative-axes'), id('sum', 'float32', 'negative-middle-axis'), id('sum', 'float32', 'axes-none'), id('sum', 'float32', 'row-4097'), id('sum', 'float32', 'rank8'), id('sum', 'float32', 'sequence-axes'), id('sum', 'float32', 'large-same-sign'), id('sum', 'float32', 'threads-300007'), id('sum', 'float32', 'threads-rows'), id('sum', 'float32', 'threads-ones-262145'), id('sum', 'float32', 'property')], /out of bound/),
  variant('add-wrong-broadcast-axis', 'add that aligns broadcast shapes on the leading axes instead of the trailing ones', 'add', ['float32'],
    binary((x, y) => x + y, 'leading'),
    [id('add', 'float32', 'broadcast-row'), id('add', 'float32', 'broadcast-rank'), id('add', 'float32', 'broadcast-lower-rank-first'), id('add', 'float32', 'broadcast-row-17'), id('add', 'float32', 'broadcast-row-16-right'), id('add', 'float32', 'broadcast-row-16-left'), id('add', 'float32', 'broadcast-row-17-right'), id('add', 'float32', 'broadcast-row-17-left'), id('add', 'float32', 'broadcast-row-33-right'), id('add', 'float32', 'broadcast-row-33-left'), id('add', 'float32', 'broadcast-rank8'), id('add', 'float32', 'promote-int32'), id('add', 'float32', 'property')], /out of bound/),
  variant('max-swallows-nan', 'max reduction that skips NaN', 'max', ['float32'],
    reduce((g) => g.reduce((m, v) => (v > m ? v : m), -Infinity)),
    [id('max', 'float32', 'special-values'), id('max', 'float32', 'property')], /out of bound/),
  variant('neg-loses-negative-zero', 'neg computed as 0 - x, which loses -0 (neg(+0) comes out +0)', 'neg', ['float32'],
    unary((x) => 0 - x),
    [id('neg', 'float32', 'special-values'), id('neg', 'float32', 'property')], /out of bound/),
  variant('round-half-away', 'round with ties away from zero instead of ties to even', 'round', ['float32'],
    unary((x) => Math.sign(x) * Math.round(Math.abs(x))),
    [id('round', 'float32', 'special-values'), id('round', 'float32', 'wide-range'), id('round', 'float32', 'property')], /out of bound/),
  variant('int32-mul-no-wrap', 'int32 mul as a float64 product, which loses the low bits instead of wrapping', 'mul', ['int32'],
    binary((x, y) => x * y),
    [id('mul', 'int32', 'special-values'), id('mul', 'int32', 'int32-wrap'), id('mul', 'int32', 'int32-above-2p24'), id('mul', 'int32', 'property')], /out of bound/),
  variant('softmax-overflow', 'softmax without subtracting the max, which overflows on large inputs', 'softmax', ['float32'],
    ([x], out, attrs) => {
      const xs = data(x!);
      const o = data(out);
      const rank = x!.shape.length;
      const a = attrs['axis'] as number;
      const axis = a < 0 ? a + rank : a;
      const len = x!.shape[axis]!;
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const outer = xs.length / Math.max(1, len * inner);
      for (let q = 0; q < outer * inner; q++) {
        const base = Math.floor(q / inner) * len * inner + (q % inner);
        // The bug: no max subtracted, so exp overflows to Inf on large inputs.
        let s = 0;
        for (let j = 0; j < len; j++) s += Math.fround(Math.exp(xs[base + j * inner]!));
        for (let j = 0; j < len; j++) o[base + j * inner] = Math.fround(Math.exp(xs[base + j * inner]!)) / s;
      }
    },
    [id('softmax', 'float32', 'large-inputs'), id('softmax', 'float32', 'large-same-sign'), id('softmax', 'float32', 'property')], /out of bound/),
  variant('argmax-last-tie', 'argmax that picks the last of tied maxima', 'argmax', ['float32'],
    ([x], out, attrs) => {
      const xs = data(x!);
      const axis = attrs['axis'] as number | null;
      const shape = axis === null ? [xs.length] : x!.shape;
      const ax = axis === null ? 0 : axis < 0 ? axis + shape.length : axis;
      const len = shape[ax]!;
      const inner = sizeOf(shape.slice(ax + 1));
      const o = data(out);
      for (let q = 0; q < o.length; q++) {
        const base = Math.floor(q / inner) * len * inner + (q % inner);
        let best = 0;
        for (let j = 1; j < len && !Number.isNaN(xs[base + best * inner]!); j++) {
          const v = xs[base + j * inner]!;
          // The bug: >= lets a later tie win.
          if (Number.isNaN(v) || v >= xs[base + best * inner]!) best = j;
        }
        o[q] = best;
      }
    },
    [id('argmax', 'float32', 'ties-axis1'), id('argmax', 'float32', 'ties-flattened'), id('argmax', 'float32', 'threads-300007'), id('argmax', 'float32', 'threads-rows'), id('argmax', 'float32', 'nan'), id('argmax', 'float32', 'signed-zero-tie'), id('argmax', 'float32', 'property')], /out of bound/),
  variant('transpose-inverted-perm', 'transpose that applies the inverse permutation', 'transpose', ['float32'],
    ([x], out, attrs) => {
      const rank = x!.shape.length;
      const perm = ((attrs['perm'] as number[] | null) ?? x!.shape.map((_, i) => rank - 1 - i)).map((p) => (p < 0 ? p + rank : p));
      const inv = perm.map((_, i) => perm.indexOf(i));
      const ts = stridesOf(x!.shape);
      const o = data(out);
      for (let i = 0; i < o.length; i++) {
        const idx = unravel(i, out.shape);
        let off = 0;
        inv.forEach((p, k) => (off += (idx[k]! % x!.shape[p]!) * ts[p]!));
        o[i] = data(x!)[off]!;
      }
    },
    [id('transpose', 'float32', 'perm-201'), id('transpose', 'float32', 'perm-120'), id('transpose', 'float32', 'negative-perm'), id('transpose', 'float32', 'rank6'), id('transpose', 'float32', 'rank8'), id('transpose', 'float32', 'sequence-perm'), id('transpose', 'float32', 'property')], /out of bound/),
  variant('conv2d-padding-off-by-one', 'conv2d that shifts the padded window by one', 'conv2d', ['float32'],
    ([x, w, bias], out, attrs) => {
      const [N, C, H, W] = x!.shape as [number, number, number, number];
      const [O, I, KH, KW] = w!.shape as [number, number, number, number];
      const [, , OH, OW] = out.shape as [number, number, number, number];
      const [sh, sw] = attrs['stride'] as [number, number];
      const [ph, pw] = attrs['padding'] as [number, number];
      const [dh, dw] = attrs['dilation'] as [number, number];
      const g = attrs['groups'] as number;
      const o = data(out);
      for (let n = 0; n < N; n++)
        for (let oc = 0; oc < O; oc++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let s = bias ? data(bias)[oc]! : 0;
              for (let i = 0; i < I; i++)
                for (let kh = 0; kh < KH; kh++)
                  for (let kw = 0; kw < KW; kw++) {
                    // The bug: padding + 1 where there is padding.
                    const ih = oh * sh - (ph ? ph + 1 : 0) + kh * dh;
                    const iw = ow * sw - (pw ? pw + 1 : 0) + kw * dw;
                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                    const c = Math.floor(oc / (O / g)) * I + i;
                    s += data(x!)[((n * C + c) * H + ih) * W + iw]! * data(w!)[((oc * I + i) * KH + kh) * KW + kw]!;
                  }
              o[((n * O + oc) * OH + oh) * OW + ow] = s;
            }
    },
    [id('conv2d', 'float32', 'padding'), id('conv2d', 'float32', 'padding-asymmetric-kernel'), id('conv2d', 'float32', 'stride2'), id('conv2d', 'float32', 'groups2'), id('conv2d', 'float32', 'depthwise'), id('conv2d', 'float32', 'stride-1x3-padding-2x1'), id('conv2d', 'float32', 'padding-0x2'), id('conv2d', 'float32', 'dilation-3x1-stride-1x2'), id('conv2d', 'float32', 'kernel-1x1-stride2-padding1'), id('conv2d', 'float32', 'kernel-1x1-stride-2x3-padding-1x2'), id('conv2d', 'float32', 'channels-17'), id('conv2d', 'float32', 'wide-stride-2x3-dilation-1x2-padding-1x2'), id('conv2d', 'float32', 'sequence-attributes'), id('conv2d', 'float32', 'property')], /out of bound/),
  variant('exp-leaks-scratch', 'exp that takes scratch storage and never releases it', 'exp', ['float32'],
    ([x], out, _attrs, ctx) => {
      ctx.allocate('float32', 4);
      unary(Math.exp)([x!], out, _attrs, ctx);
    },
    [id('exp', 'float32', 'basic'), id('exp', 'float32', 'scalar'), id('exp', 'float32', 'special-values'), id('exp', 'float32', 'wide-range'), id('exp', 'float32', 'empty'), id('exp', 'float32', 'rank6'), id('exp', 'float32', 'size-4097'), id('exp', 'float32', 'size-262161'), id('exp', 'float32', 'rank8'), id('exp', 'float32', 'sequence-values'), id('exp', 'float32', 'int32-input'), id('exp', 'float32', 'bool-input'), id('exp', 'float32', 'property'), 'hearth:lifecycle,leaks:case=end-of-run'], /leaked storage/),
  variant('relu-writes-outside-output', 'relu that also clamps its input in place (a write outside its output)', 'relu', ['float32'],
    ([x], out) => {
      const a = data(x!);
      const o = data(out);
      for (let i = 0; i < o.length; i++) {
        o[i] = a[i]! > 0 || Number.isNaN(a[i]!) ? a[i]! : 0;
        a[i] = o[i]!;
      }
    },
    [id('relu', 'float32', 'basic'), id('relu', 'float32', 'scalar'), id('relu', 'float32', 'special-values'), id('relu', 'float32', 'rank6'), id('relu', 'float32', 'size-4097'), id('relu', 'float32', 'size-262161'), id('relu', 'float32', 'rank8'), id('relu', 'float32', 'sequence-values'), id('relu', 'float32', 'property')], /input 0 changed/),
  variant('gelu-tanh-approximation', 'gelu with the tanh approximation instead of the documented erf form', 'gelu', ['float32'],
    unary((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))),
    [id('gelu', 'float32', 'basic'), id('gelu', 'float32', 'scalar'), id('gelu', 'float32', 'special-values'), id('gelu', 'float32', 'wide-range'), id('gelu', 'float32', 'rank6'), id('gelu', 'float32', 'size-4097'), id('gelu', 'float32', 'size-262161'), id('gelu', 'float32', 'rank8'), id('gelu', 'float32', 'sequence-values'), id('gelu', 'float32', 'int32-input'), id('gelu', 'float32', 'bool-input'), id('gelu', 'float32', 'property')], /out of bound/),
  variant('cast-rounds', 'cast float32 → int32 that rounds instead of truncating', 'cast', ['float32'],
    ([x], out, attrs) => {
      const to = attrs['dtype'] as DType;
      const a = data(x!);
      const o = data(out);
      for (let i = 0; i < o.length; i++) o[i] = to === 'int32' ? (Number.isNaN(a[i]!) ? 0 : Math.round(a[i]!)) : to === 'bool' ? +(a[i] !== 0) : a[i]!;
    },
    [id('cast', 'float32', 'basic'), id('cast', 'float32', 'to-int32'), id('cast', 'float32', 'size-4097'), id('cast', 'float32', 'property')], /out of bound/),
  variant('tanh-throws', 'a declared tanh kernel that throws', 'tanh', ['float32'],
    () => {
      throw new Error('not implemented yet');
    },
    [id('tanh', 'float32', 'basic'), id('tanh', 'float32', 'scalar'), id('tanh', 'float32', 'special-values'), id('tanh', 'float32', 'wide-range'), id('tanh', 'float32', 'empty'), id('tanh', 'float32', 'rank6'), id('tanh', 'float32', 'size-4097'), id('tanh', 'float32', 'size-262161'), id('tanh', 'float32', 'rank8'), id('tanh', 'float32', 'sequence-values'), id('tanh', 'float32', 'int32-input'), id('tanh', 'float32', 'bool-input'), id('tanh', 'float32', 'property')], /declared kernel threw/),
  variant('exp-unrolled-tail', 'exp with an 8-wide unrolled fast path for long tensors that skips the tail (n mod 8 elements)', 'exp', ['float32'],
    ([x], out) => {
      const a = data(x!);
      const o = data(out);
      if (o.length < 64) for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]!);
      else for (let i = 0; i + 8 <= o.length; i += 8) for (let j = 0; j < 8; j++) o[i + j] = Math.exp(a[i + j]!);
    },
    [id('exp', 'float32', 'size-4097'), id('exp', 'float32', 'size-262161'), id('exp', 'float32', 'property')], /out of bound/),
  variant('conv2d-stride-mixup', 'conv2d that uses the vertical stride for both axes', 'conv2d', ['float32'],
    (inputs, out, attrs, ctx) => {
      const [sh] = attrs['stride'] as [number, number];
      const real = CPU_KERNELS.find((k) => k.op === 'conv2d')!.run;
      real(inputs, out, { ...attrs, stride: [sh, sh] }, ctx);
    },
    [id('conv2d', 'float32', 'bias'), id('conv2d', 'float32', 'stride-2x1'), id('conv2d', 'float32', 'stride-1x3-padding-2x1'), id('conv2d', 'float32', 'dilation-3x1-stride-1x2'), id('conv2d', 'float32', 'kernel-1x1-stride-2x3-padding-1x2'), id('conv2d', 'float32', 'wide-stride-1x2'), id('conv2d', 'float32', 'wide-stride-2x3-dilation-1x2-padding-1x2'), id('conv2d', 'float32', 'sequence-attributes'), id('conv2d', 'float32', 'property')], /out of bound|shape/),
  variant('softmax-negative-axis-last', 'softmax that takes every negative axis as the last one', 'softmax', ['float32'],
    ([x], out, attrs) => softmaxAlong(x!, out, axisOf(attrs, x!.shape.length, (a) => (a < 0 ? x!.shape.length - 1 : a))),
    [id('softmax', 'float32', 'negative-axis'), id('softmax', 'float32', 'rank8'), id('softmax', 'float32', 'sequence-axis'), id('softmax', 'float32', 'property')], /out of bound/),
  variant('sum-empty-axes-reduce-all', 'sum that reads axes: [] as "all axes" instead of "none"', 'sum', ['float32'],
    sumWithPlan((shape, attrs) => {
      const axes = givenAxes(shape, attrs);
      return axes.length ? axes : allAxes(shape);
    }),
    [id('sum', 'float32', 'axes-none'), id('sum', 'float32', 'sequence-axes'), id('sum', 'float32', 'property')], /out of bound|shape/),
  variant('maximum-int32-through-float32', 'int32 maximum computed in float32, which cannot tell values above 2^24 apart', 'maximum', ['int32'],
    binary((x, y) => (Math.fround(x) >= Math.fround(y) ? x : y)),
    [id('maximum', 'int32', 'int32-above-2p24'), id('maximum', 'int32', 'property')], /out of bound/),
  variant('mean-float32-accumulator', 'mean accumulated in float32, which overflows on large same-sign values', 'mean', ['float32'],
    reduce((g) => g.reduce((a, b) => Math.fround(a + b), 0) / g.length),
    [id('mean', 'float32', 'large-same-sign'), id('mean', 'float32', 'lanes-near-max')], /out of bound/),
  variant('sum-plan-cached-by-shape', 'sum with a plan cache keyed on the input shape alone (not the axes)', 'sum', ['float32'],
    shapeKeyedSum(),
    [id('sum', 'float32', 'axis0'), id('sum', 'float32', 'axis-last-keepdims'), id('sum', 'float32', 'axes-none'), id('sum', 'float32', 'sequence-axes'), id('sum', 'float32', 'large-same-sign'), id('sum', 'float32', 'property')], /out of bound|shape/),
  variant('matmul-loop-limit', 'matmul whose inner loop stops after 65,535 iterations (what llvmpipe does to a long shader loop)', 'matmul', ['float32'],
    ([a, b], out) => {
      const [M, K] = a!.shape.length === 1 ? [1, a!.shape[0]!] : (a!.shape.slice(-2) as [number, number]);
      const N = b!.shape.length === 1 ? 1 : b!.shape[b!.shape.length - 1]!;
      const batches = data(out).length / Math.max(1, M * N);
      if (a!.shape.length > 2 || b!.shape.length > 2 || batches !== 1) throw new Error('2-D only');
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < Math.min(K, 65_535); k++) s += data(a!)[i * K + k]! * data(b!)[k * N + j]!;
          data(out)[i * N + j] = s;
        }
    },
    [id('matmul', 'float32', 'large-inner')], /out of bound/, 'large'),
];
