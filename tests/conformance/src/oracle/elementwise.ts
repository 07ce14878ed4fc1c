import { sizeOf, type DType } from '@hearth/core';
import { broadcastAll, broadcastOffset, unravel } from './nd.js';
import { roundTo } from '../numeric/float.js';
import { erfc, int32Pow, logistic, roundHalfToEven, wrapInt32 } from './scalar.js';
import type { Expected, OracleFn, OracleTensor } from './types.js';

type Scalar = (x: number, dtype: DType) => number;

const int = (d: DType) => d === 'int32';

/** The unary references, from the opset's docs. */
const UNARY: Record<string, Scalar> = {
  neg: (x, d) => (int(d) ? wrapInt32(-BigInt(x)) : -x),
  abs: (x, d) => (int(d) ? wrapInt32(BigInt(Math.abs(x))) : Math.abs(x)),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: logistic,
  relu: (x) => (Number.isNaN(x) ? x : x > 0 ? x : 0),
  gelu: (x) => (Number.isNaN(x) ? x : x === -Infinity ? -0 : x === Infinity ? x : 0.5 * x * erfc(-x / Math.SQRT2)),
  floor: (x, d) => (int(d) ? x : Math.floor(x)),
  ceil: (x, d) => (int(d) ? x : Math.ceil(x)),
  round: (x, d) => (int(d) ? x : roundHalfToEven(x)),
};

/** maximum/minimum: NaN wins; maximum(-0, +0) = +0 and minimum(-0, +0) = -0. */
function pick(a: number, b: number, larger: boolean): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === 0 && b === 0) {
    const bothNeg = Object.is(a, -0) && Object.is(b, -0);
    const bothPos = Object.is(a, 0) && Object.is(b, 0);
    return larger ? (bothNeg ? -0 : 0) : bothPos ? 0 : -0;
  }
  return larger ? (a > b ? a : b) : a < b ? a : b;
}

const truth = (x: number) => x !== 0; // NaN is true

/** The binary references. */
const BINARY: Record<string, (a: number, b: number, d: DType) => number> = {
  add: (a, b, d) => (int(d) ? wrapInt32(BigInt(a) + BigInt(b)) : a + b),
  sub: (a, b, d) => (int(d) ? wrapInt32(BigInt(a) - BigInt(b)) : a - b),
  mul: (a, b, d) => (int(d) ? wrapInt32(BigInt(a) * BigInt(b)) : a * b),
  div: (a, b) => a / b,
  pow: (a, b, d) => (int(d) ? int32Pow(a, b) : Math.pow(a, b)),
  maximum: (a, b) => pick(a, b, true),
  minimum: (a, b) => pick(a, b, false),
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  logical_and: (a, b) => +(truth(a) && truth(b)),
  logical_or: (a, b) => +(truth(a) || truth(b)),
};

/** Elementwise over broadcast inputs. */
export function elementwiseOracle(inputs: readonly OracleTensor[], out: DType, f: (xs: number[]) => number, mag?: (xs: number[], v: number) => number): Expected {
  const shape = broadcastAll(inputs.map((t) => t.shape));
  if (!shape) throw new Error('oracle: inputs do not broadcast');
  const n = sizeOf(shape);
  const values = new Float64Array(n);
  const m = mag ? new Float64Array(n) : undefined;
  const xs = new Array<number>(inputs.length);
  // Inputs of the output's own size are read at i directly: the index walk is only for broadcast ones.
  const walked = inputs.filter((t) => sizeOf(t.shape) !== n);
  const datas = inputs.map((t) => t.data);
  for (let i = 0; i < n; i++) {
    const idx = walked.length ? unravel(i, shape) : undefined;
    for (let k = 0; k < inputs.length; k++) xs[k] = datas[k]!.length === n ? datas[k]![i]! : datas[k]![broadcastOffset(idx!, inputs[k]!.shape)]!;
    values[i] = f(xs);
    if (m) m[i] = mag!(xs, values[i]!);
  }
  return { shape, dtype: out, values, ...(m ? { mag: m } : {}) };
}

/**
 * exp and pow lose accuracy in proportion to their argument on real hardware: their bound scales with it.
 * sigmoid inherits exp's where exp decides the result (x < 0: 1/(1 + e^-x) ≈ e^x).
 */
const ARG_SCALED: Record<string, (xs: number[], v: number) => number> = {
  exp: (xs, v) => Math.abs(xs[0]! * v),
  sigmoid: (xs, v) => (xs[0]! < 0 ? Math.abs(xs[0]! * v) : 0),
  pow: (xs, v) => (xs[0]! > 0 && Number.isFinite(v) ? Math.abs(xs[1]! * Math.log(xs[0]!) * v) : 0),
};

/** References of the unary ops. */
export const unaryOracles: Record<string, OracleFn> = Object.fromEntries(
  Object.entries(UNARY).map(([name, f]) => [name, ((ins, _attrs, compute, out) => elementwiseOracle(ins, out, (xs) => f(xs[0]!, compute), ARG_SCALED[name])) as OracleFn]),
);

/** References of the binary ops. */
export const binaryOracles: Record<string, OracleFn> = Object.fromEntries(
  Object.entries(BINARY).map(([name, f]) => [name, ((ins, _attrs, compute, out) => elementwiseOracle(ins, out, (xs) => f(xs[0]!, xs[1]!, compute), ARG_SCALED[name])) as OracleFn]),
);

/** where(cond, a, b). */
export const whereOracle: OracleFn = (ins, _attrs, _compute, out) => elementwiseOracle(ins, out, ([c, a, b]) => (c !== 0 ? a! : b!));

/** cast(x, dtype). */
export const castOracle: OracleFn = (ins, attrs, _compute, out) => elementwiseOracle(ins, out, ([x]) => roundTo(attrs['dtype'] as DType, x!));
