import { sizeOf, type DType } from '@hearth/core';
import { exactInAnyOrder, exactSum, unravel } from './nd.js';
import { unitRoundoff } from '../numeric/float.js';
import { wrapInt32 } from './scalar.js';
import type { Expected, OracleFn, OracleTensor } from './types.js';

/** Groups the elements of `x` by the output element they reduce into. */
function groups(x: OracleTensor, axes: readonly number[], keepdims: boolean): { shape: number[]; groups: number[][] } {
  const rank = x.shape.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const kept = x.shape.map((_, i) => i).filter((i) => !reduced.has(i));
  const shape = keepdims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : kept.map((i) => x.shape[i]!);
  const keptShape = kept.map((i) => x.shape[i]!);
  const count = sizeOf(keptShape);
  // Reduced axes at the end: each group is a contiguous run (most calls, and the long ones).
  if (kept.every((k, i) => k === i) && count > 0) {
    const len = x.data.length / count;
    return { shape, groups: Array.from({ length: count }, (_, o) => x.data.slice(o * len, (o + 1) * len)) };
  }
  const out: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let o = 0;
    for (const k of kept) o = o * x.shape[k]! + idx[k]!;
    out[o]!.push(x.data[i]!);
  }
  return { shape, groups: out };
}

const allAxes = (x: OracleTensor) => x.shape.map((_, i) => i);

/**
 * A reduction from a function of each group: its value and, for bounds, its magnitude; for sum-like ones
 * (`sumLike`), which groups a float sum gives exactly in any order.
 */
function reduction(f: (g: number[], d: DType) => number, mag?: (g: number[], v: number) => number, sumLike = false): OracleFn {
  return ([x], attrs, compute, out) => {
    const axes = (attrs['axes'] as number[] | null) ?? allAxes(x!);
    const { shape, groups: gs } = groups(x!, axes, attrs['keepdims'] as boolean);
    const values = Float64Array.from(gs, (g) => f(g, compute));
    return {
      shape,
      dtype: out,
      values,
      ...(mag ? { mag: Float64Array.from(gs, (g, i) => mag(g, values[i]!)), terms: Float64Array.from(gs, (g) => g.length) } : {}),
      ...(sumLike && out !== 'int32' ? { exact: Uint8Array.from(gs, (g) => +exactInAnyOrder(g, unitRoundoff(out))) } : {}),
    };
  };
}

const hasNaN = (g: number[]) => g.some(Number.isNaN);
const absSum = (g: number[]) => g.reduce((a, b) => a + Math.abs(b), 0);

function extreme(g: number[], larger: boolean): number {
  if (hasNaN(g)) return NaN;
  let m = g[0]!;
  for (const v of g) if (larger ? v > m : v < m) m = v;
  return m;
}

/** For argmax/argmin: the first index of the extreme, a NaN counting as the extreme. */
function argExtreme(g: number[], larger: boolean): number {
  const nan = g.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  let best = 0;
  for (let i = 1; i < g.length; i++) if (larger ? g[i]! > g[best]! : g[i]! < g[best]!) best = i;
  return best;
}

function argReduction(larger: boolean): OracleFn {
  return ([x], attrs, _compute, out) => {
    const axis = attrs['axis'] as number | null;
    const keepdims = attrs['keepdims'] as boolean;
    if (axis === null) {
      return { shape: keepdims ? x!.shape.map(() => 1) : [], dtype: out, values: Float64Array.of(argExtreme([...x!.data], larger)) };
    }
    const { shape, groups: gs } = groups(x!, [axis], keepdims);
    return { shape, dtype: out, values: Float64Array.from(gs, (g) => argExtreme(g, larger)) };
  };
}

/** Softmax-like ops along one axis: slices are the groups of the other axes, written back in place. */
function alongAxis(f: (slice: number[], u: number) => { values: number[]; mag: number[]; terms?: number }): OracleFn {
  return ([x], attrs, _compute, out) => {
    const rank = x!.shape.length;
    const a = attrs['axis'] as number;
    const axis = a < 0 ? a + rank : a;
    const n = sizeOf(x!.shape);
    const values = new Float64Array(n);
    const mag = new Float64Array(n);
    const terms = new Float64Array(n).fill(x!.shape[axis]!);
    const stride = sizeOf(x!.shape.slice(axis + 1));
    const len = x!.shape[axis]!;
    for (let i = 0; i < n; i++) {
      if (Math.floor(i / stride) % len !== 0) continue; // i is the first element of its slice
      const at = Array.from({ length: len }, (_, k) => i + k * stride);
      const r = f(at.map((j) => x!.data[j]!), unitRoundoff(out));
      at.forEach((j, k) => {
        values[j] = r.values[k]!;
        mag[j] = r.mag[k]!;
        if (r.terms !== undefined) terms[j] = r.terms;
      });
    }
    return { shape: x!.shape.slice(), dtype: out, values, mag, terms };
  };
}

function softmax(slice: number[], log: boolean, u: number): { values: number[]; mag: number[]; terms?: number } {
  if (hasNaN(slice)) return { values: slice.map(() => NaN), mag: slice.map(() => 0) };
  // A loop, not Math.max(...slice): a row of millions overflows the call stack as arguments.
  const max = slice.reduce((m, v) => (v > m ? v : m), -Infinity);
  const exps = slice.map((v) => Math.exp(v - max));
  const s = exactSum(exps);
  const logS = Math.log(s);
  // Only the terms above u² count towards the sum's rounding: the max's term is 1, so all the others
  // together (under n·u², with their own errors) stay inside the base ULPs, however long the slice.
  const terms = exps.reduce((c, e) => c + (e > u * u ? 1 : 0), 0);
  return log
    ? { values: slice.map((v) => v - max - logS), mag: slice.map((v) => Math.abs(v - max) + Math.abs(logS) + 1), terms }
    : { values: exps.map((e) => e / s), mag: slice.map((v, k) => (exps[k]! / s) * (1 + Math.abs(v - max))), terms };
}

/** References of the reductions and softmax ops. */
export const reduceOracles: Record<string, OracleFn> = {
  sum: reduction((g, d) => (d === 'int32' ? wrapInt32(g.reduce((a, b) => a + BigInt(b), 0n)) : exactSum(g)), absSum, true),
  mean: reduction((g) => exactSum(g) / g.length, (g) => absSum(g) / g.length, true),
  max: reduction((g) => extreme(g, true)),
  min: reduction((g) => extreme(g, false)),
  prod: reduction(
    (g, d) => (d === 'int32' ? wrapInt32(g.reduce((a, b) => BigInt.asIntN(32, a * BigInt(b)), 1n)) : g.reduce((a, b) => a * b, 1)),
    (_g, v) => Math.abs(v),
  ),
  argmax: argReduction(true),
  argmin: argReduction(false),
  softmax: alongAxis((s, u) => softmax(s, false, u)),
  log_softmax: alongAxis((s, u) => softmax(s, true, u)),
};
