import { HearthError } from './errors.js';
import { isFloat, type DType, type FloatTypeFor } from './dtype.js';
import { OPSET, opId } from './opset/index.js';
import { UNARY_OPS, BINARY_OPS } from './opset/elementwise.js';
import { Hearth } from './runtime.js';
import { Tensor } from './tensor.js';
import type { TensorData } from './host-data.js';
import type { BroadcastRankOf, CommonDType, DTypeOf, MatmulRank, RankOf } from './op-types.js';
import { checkArgCount, checkCreateOptions, checkOptions, checkShapeArg, describeArg } from './arguments.js';

/** A tensor, or a JS number/boolean used as a scalar (it takes the other operand's dtype where it fits). */
export type TensorLike = Tensor | number | boolean;

/**
 * Options of the reductions. The axes may also be given positionally, as TensorFlow.js and PyTorch users
 * write them: `x.sum(1)`, `x.sum([0, 1], true)`.
 */
export interface ReduceOptions {
  /** The axes to reduce (an axis or a list; all when null or left out). */
  axes?: number | readonly number[] | null;
  /** Keep reduced axes as size 1. */
  keepdims?: boolean;
}

/** Options of argmax/argmin. The axis may also be given positionally: `x.argmax(1)`, `x.argmax(1, true)`. */
export interface ArgReduceOptions {
  /** The axis (the flattened tensor when null or left out). */
  axis?: number | null;
  /** Keep the reduced axis as size 1. */
  keepdims?: boolean;
}

/** Options of `slice`: Python slicing per listed axis. */
export interface SliceOptions {
  /** Start index per axis. */
  starts: readonly number[];
  /** End index (exclusive) per axis. */
  ends: readonly number[];
  /** The axes (0, 1, ... when left out). */
  axes?: readonly number[];
  /** Steps (1 when left out; negative walks backwards). */
  steps?: readonly number[];
}

/** Options of `pad`. */
export interface PadOptions {
  /** `constant` (default), `reflect` or `edge`. */
  mode?: 'constant' | 'reflect' | 'edge';
  /** The constant for `constant` mode (0). */
  value?: number;
}

/** Options of `conv2d`. */
export interface Conv2dOptions {
  /** Stride (1). */
  stride?: number | readonly [number, number];
  /** Zero padding on each side (0). */
  padding?: number | readonly [number, number];
  /** Dilation (1). */
  dilation?: number | readonly [number, number];
  /** Groups (1). */
  groups?: number;
}

/** Options of the pools. */
export interface Pool2dOptions {
  /** Window size. */
  kernelSize: number | readonly [number, number];
  /** Stride (the window size when left out). */
  stride?: number | readonly [number, number];
  /** Padding on each side (0); at most half the window. */
  padding?: number | readonly [number, number];
  /** Round the output size up (false). */
  ceilMode?: boolean;
  /** avg_pool2d only: count padding in the divisor (true). */
  countIncludePad?: boolean;
}

/** Options of creation functions; `D` is the dtype TypeScript gives the result. */
export interface CreateOptions<D extends DType = DType> {
  /** The dtype (float32). */
  dtype?: D;
  /** The device (the default device). */
  device?: string;
}

/**
 * A reduction as a runtime function, `hearth.sum(x, axes?, keepdims?)`, of kind `K` (which dtype it gives). Reducing every axis gives rank 0, `keepdims: true` keeps the rank, other calls leave it unknown.
 */
export interface ReductionFn<K extends ReductionKind> {
  /** Reduces every axis. */
  <X extends TensorLike>(x: X): Tensor<Reduced<K, X>, 0>;
  /** Reduces the axes and keeps them as size 1. */
  <X extends TensorLike>(x: X, axes: ReduceOptions['axes'], keepdims: true): Tensor<Reduced<K, X>, RankOf<X>>;
  /** Reduces the axes. */
  <X extends TensorLike>(x: X, axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor<Reduced<K, X>>;
}

/** A reduction as a tensor's method, `x.sum(axes?, keepdims?)`, of output dtype `D` and operand rank `R`. */
export interface ReductionMethod<D extends DType, R extends number> {
  /** Reduces every axis. */
  (): Tensor<D, 0>;
  /** Reduces the axes and keeps them as size 1. */
  (axes: ReduceOptions['axes'], keepdims: true): Tensor<D, R>;
  /** Reduces the axes. */
  (axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor<D>;
}

/** The output dtype of a reduction: `same` keeps the operand's (sum, max), `float` computes in a float (mean), `index` gives int32 (argmax). */
export type ReductionKind = 'same' | 'float' | 'index';

/** The dtype a reduction of kind `K` gives operand `X`. */
export type Reduced<K extends ReductionKind, X> = K extends 'index' ? 'int32' : K extends 'float' ? FloatTypeFor<DTypeOf<X>> : DTypeOf<X>;


/**
 * The operators of opset v1 as functions (opset v2's are in `OpsApiV2`): `hearth.add(a, b)`. Each has a
 * method twin in {@link TensorOps}: `a.add(b)`. Results carry the dtype and rank TypeScript can follow.
 */
export interface OpsApi {
  /** -x. */ neg<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** |x|. */ abs<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** The sign of x. */ sign<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** e^x. */ exp<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** ln x. */ log<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** √x. */ sqrt<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** 1/√x. */ rsqrt<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** 1/x. */ reciprocal<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** sin x. */ sin<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** cos x. */ cos<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** tanh x. */ tanh<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** 1/(1+e^-x). */ sigmoid<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** max(x, 0). */ relu<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** x·Φ(x). */ gelu<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** ⌊x⌋. */ floor<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** ⌈x⌉. */ ceil<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** Round half to even. */ round<X extends TensorLike>(x: X): Tensor<DTypeOf<X>, RankOf<X>>;
  /** a + b. */ add<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** a - b. */ sub<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** a · b. */ mul<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** a / b (true division, in a float dtype). */
  div<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<FloatTypeFor<CommonDType<A, B>>, BroadcastRankOf<A, B>>;
  /** a ^ b. */ pow<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** Elementwise max (NaN propagates). */ maximum<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** Elementwise min (NaN propagates). */ minimum<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** a == b. */ eq<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a != b. */ ne<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a < b. */ lt<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a <= b. */ le<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a > b. */ gt<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a >= b. */ ge<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a && b. */ logical_and<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a || b. */ logical_or<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<'bool', BroadcastRankOf<A, B>>;
  /** a where cond, else b. */
  where<A extends TensorLike, B extends TensorLike>(cond: TensorLike, a: A, b: B): Tensor<CommonDType<A, B>>;
  /** Converts to `dtype`. */
  cast<X extends TensorLike, D extends DType>(x: X, dtype: D): Tensor<D, RankOf<X>>;
  /** Sum over axes: `sum(x)`, `sum(x, 1)`, `sum(x, [0, 1], true)` or `sum(x, { axes, keepdims })`. */
  sum: ReductionFn<'same'>;
  /** Mean over axes (arguments as {@link OpsApi.sum}). */
  mean: ReductionFn<'float'>;
  /** Max over axes (arguments as {@link OpsApi.sum}). */
  max: ReductionFn<'same'>;
  /** Min over axes (arguments as {@link OpsApi.sum}). */
  min: ReductionFn<'same'>;
  /** Product over axes (arguments as {@link OpsApi.sum}). */
  prod: ReductionFn<'same'>;
  /** Index of the max (first on ties): `argmax(x)`, `argmax(x, 1)`, `argmax(x, 1, true)` or `argmax(x, { axis, keepdims })`. */
  argmax(x: TensorLike, axis?: ArgReduceOptions | ArgReduceOptions['axis'], keepdims?: boolean): Tensor<'int32'>;
  /** Index of the min (arguments as {@link OpsApi.argmax}). */
  argmin(x: TensorLike, axis?: ArgReduceOptions | ArgReduceOptions['axis'], keepdims?: boolean): Tensor<'int32'>;
  /** Softmax along an axis (-1). */
  softmax<X extends TensorLike>(x: X, axis?: number): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Log-softmax along an axis (-1). */
  log_softmax<X extends TensorLike>(x: X, axis?: number): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Matrix product with broadcast batch axes. */
  matmul<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>, MatmulRank<A, B>>;
  /** A new shape for the same elements (one -1 is inferred). */
  reshape<X extends TensorLike, const S extends readonly number[]>(x: X, shape: S): Tensor<DTypeOf<X>, S['length']>;
  /** Permutes axes (reverses them by default). */
  transpose<X extends TensorLike>(x: X, perm?: readonly number[]): Tensor<DTypeOf<X>, RankOf<X>>;
  /** Python-style slicing. */
  slice<X extends TensorLike>(x: X, options: SliceOptions): Tensor<DTypeOf<X>, RankOf<X>>;
  /** Broadcasts to a shape. */
  expand<X extends TensorLike, const S extends readonly number[]>(x: X, shape: S): Tensor<DTypeOf<X>, S['length']>;
  /** Takes slices at indices along an axis. */
  gather<X extends TensorLike>(x: X, indices: TensorLike, axis?: number): Tensor<DTypeOf<X>>;
  /** Pads each axis by [before, after] pairs, flattened. */
  pad<X extends TensorLike>(x: X, pads: readonly number[], options?: PadOptions): Tensor<DTypeOf<X>, RankOf<X>>;
  /** 2-D convolution (NCHW, OIHW). */
  conv2d<X extends TensorLike, W extends TensorLike>(x: X, weight: W, bias?: TensorLike | null, options?: Conv2dOptions): Tensor<FloatTypeFor<CommonDType<X, W>>, 4>;
  /** 2-D max pooling. */
  max_pool2d<X extends TensorLike>(x: X, options: Pool2dOptions): Tensor<FloatTypeFor<DTypeOf<X>>, 4>;
  /** 2-D average pooling. */
  avg_pool2d<X extends TensorLike>(x: X, options: Pool2dOptions): Tensor<FloatTypeFor<DTypeOf<X>>, 4>;
}

/** Methods every tensor has: the operators of {@link OpsApi} with the tensor as first operand. */
export interface TensorOps {
  /** -this. */ neg(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** |this|. */ abs(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** The sign. */ sign(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** e^this. */ exp(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** ln this. */ log(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** √this. */ sqrt(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** 1/√this. */ rsqrt(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** 1/this. */ reciprocal(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** sin this. */ sin(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** cos this. */ cos(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** tanh this. */ tanh(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** 1/(1+e^-this). */ sigmoid(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** max(this, 0). */ relu(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** this·Φ(this). */ gelu(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** ⌊this⌋. */ floor(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** ⌈this⌉. */ ceil(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** Round half to even. */ round(): Tensor<DTypeOf<this>, RankOf<this>>;
  /** this + b. */ add<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** this - b. */ sub<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** this · b. */ mul<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** this / b (true division, in a float dtype). */
  div<B extends TensorLike>(b: B): Tensor<FloatTypeFor<CommonDType<this, B>>, BroadcastRankOf<this, B>>;
  /** this ^ b. */ pow<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** Elementwise max (NaN propagates). */ maximum<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** Elementwise min (NaN propagates). */ minimum<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** this == b. */ eq<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this != b. */ ne<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this < b. */ lt<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this <= b. */ le<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this > b. */ gt<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this >= b. */ ge<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this && b. */ logical_and<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** this || b. */ logical_or<B extends TensorLike>(b: B): Tensor<'bool', BroadcastRankOf<this, B>>;
  /** a where this (a condition) is true, else b. */
  where<A extends TensorLike, B extends TensorLike>(a: A, b: B): Tensor<CommonDType<A, B>>;
  /** Converts to `dtype`. */
  cast<D extends DType>(dtype: D): Tensor<D, RankOf<this>>;
  /** Sum over axes: `x.sum()`, `x.sum(1)`, `x.sum([0, 1], true)` or `x.sum({ axes, keepdims })`. */
  sum: ReductionMethod<Reduced<'same', this>, RankOf<this>>;
  /** Mean over axes (arguments as {@link TensorOps.sum}). */
  mean: ReductionMethod<Reduced<'float', this>, RankOf<this>>;
  /** Max over axes (arguments as {@link TensorOps.sum}). */
  max: ReductionMethod<Reduced<'same', this>, RankOf<this>>;
  /** Min over axes (arguments as {@link TensorOps.sum}). */
  min: ReductionMethod<Reduced<'same', this>, RankOf<this>>;
  /** Product over axes (arguments as {@link TensorOps.sum}). */
  prod: ReductionMethod<Reduced<'same', this>, RankOf<this>>;
  /** Index of the max (first on ties): `x.argmax()`, `x.argmax(1)`, `x.argmax(1, true)` or `x.argmax({ axis, keepdims })`. */
  argmax(axis?: ArgReduceOptions | ArgReduceOptions['axis'], keepdims?: boolean): Tensor<'int32'>;
  /** Index of the min (arguments as {@link TensorOps.argmax}). */
  argmin(axis?: ArgReduceOptions | ArgReduceOptions['axis'], keepdims?: boolean): Tensor<'int32'>;
  /** Softmax along an axis (-1). */ softmax(axis?: number): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Log-softmax along an axis (-1). */ log_softmax(axis?: number): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Matrix product with broadcast batch axes. */ matmul<B extends TensorLike>(b: B): Tensor<CommonDType<this, B>, MatmulRank<this, B>>;
  /** A new shape for the same elements (one -1 is inferred). */
  reshape<const S extends readonly number[]>(shape: S): Tensor<DTypeOf<this>, S['length']>;
  /** Permutes axes (reverses them by default). */ transpose(perm?: readonly number[]): Tensor<DTypeOf<this>, RankOf<this>>;
  /** Python-style slicing. */ slice(options: SliceOptions): Tensor<DTypeOf<this>, RankOf<this>>;
  /** Broadcasts to a shape. */
  expand<const S extends readonly number[]>(shape: S): Tensor<DTypeOf<this>, S['length']>;
  /** Takes slices at indices along an axis. */ gather(indices: TensorLike, axis?: number): Tensor<DTypeOf<this>>;
  /** Pads each axis by [before, after] pairs, flattened. */ pad(pads: readonly number[], options?: PadOptions): Tensor<DTypeOf<this>, RankOf<this>>;
  /** 2-D convolution (NCHW, OIHW). */
  conv2d<W extends TensorLike>(weight: W, bias?: TensorLike | null, options?: Conv2dOptions): Tensor<FloatTypeFor<CommonDType<this, W>>, 4>;
  /** 2-D max pooling. */ max_pool2d(options: Pool2dOptions): Tensor<FloatTypeFor<DTypeOf<this>>, 4>;
  /** 2-D average pooling. */ avg_pool2d(options: Pool2dOptions): Tensor<FloatTypeFor<DTypeOf<this>>, 4>;
}

/** Creation functions of a runtime: the dtype comes from `options.dtype` (float32), the rank from the shape. */
export interface CreationApi {
  /** Joins tensors along an axis (0). */
  concat<X extends TensorLike>(xs: readonly X[], axis?: number): Tensor<DTypeOf<X>, RankOf<X>>;
  /** A tensor of zeros. */
  zeros<const S extends readonly number[], D extends DType = 'float32'>(shape: S, options?: CreateOptions<D>): Tensor<D, S['length']>;
  /** A tensor of ones. */
  ones<const S extends readonly number[], D extends DType = 'float32'>(shape: S, options?: CreateOptions<D>): Tensor<D, S['length']>;
  /** A tensor filled with a value. */
  full<const S extends readonly number[], D extends DType = 'float32'>(shape: S, value: number, options?: CreateOptions<D>): Tensor<D, S['length']>;
  /** start, start+step, ... below stop; `arange(n)` is 0..n-1. */
  arange<D extends DType = 'float32'>(start: number, stop?: number, step?: number, options?: CreateOptions<D>): Tensor<D, 1>;
}

declare module './runtime.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Hearth extends OpsApi, CreationApi {}
}
declare module './tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Tensor<D extends DType = DType, R extends number = number> extends TensorOps {}
}

/** Turns a JS scalar into a 0-d tensor that fits beside `like` (its dtype where the value fits, its device). */
function scalarFor(h: Hearth, x: number | boolean, like: Tensor | undefined): Tensor {
  const device = like?.device;
  if (typeof x === 'boolean') return h.tensor(x, { dtype: 'bool', device });
  let dtype: DType = 'float32';
  if (like && isFloat(like.dtype)) dtype = like.dtype;
  else if (like && isInt32(x)) dtype = 'int32';
  return h.tensor(x, { dtype, device });
}

/** True for an integer int32 holds exactly: [-2^31, 2^31). */
const isInt32 = (x: number) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31;

/**
 * @internal Runs an op on TensorLike inputs, making and disposing scalar tensors as needed. `xs` is the
 * call's own array (the dispatcher may replace its entries): pass a copy of anything the user holds.
 */
export function run(h: Hearth, op: number, xs: (TensorLike | null | undefined)[], attrs?: Record<string, unknown>): Tensor {
  let n = 0;
  while (n < xs.length && xs[n] instanceof Tensor) n++;
  if (n === xs.length) return h.dispatcher.call(op, xs as Tensor[], attrs); // all tensors: nothing to make
  let like: Tensor | undefined;
  for (let i = 0; i < xs.length && like === undefined; i++) if (xs[i] instanceof Tensor) like = xs[i] as Tensor;
  let temps: Tensor[] | undefined;
  const inputs: Tensor[] = [];
  for (const x of xs) {
    if (x === undefined || x === null) continue;
    if (x instanceof Tensor) inputs.push(x);
    else if (typeof x === 'number' || typeof x === 'boolean') {
      const t = scalarFor(h, x, like);
      (temps ??= []).push(t);
      inputs.push(t);
    } else {
      throw new HearthError('E_ARG', `${OPSET[op]!.name}: expected a Tensor, number or boolean, got ${describeArg(x)}; wrap data with hearth.tensor(...).`);
    }
  }
  try {
    return h.dispatcher.call(op, inputs, attrs);
  } finally {
    if (temps) h.store.disposeTemps(temps, `${OPSET[op]!.name}: freeing its scalar operands`);
  }
}

/** @internal A pair attribute as the schema takes it. */
export const pairOf = (v: number | readonly number[] | undefined) => (v === undefined ? undefined : typeof v === 'number' ? v : [...v]);

/** `sum(x, 1)`, `sum(x, [0, 1], true)` or `sum(x, { axes, keepdims })` as attributes. */
function reduceAttrs(name: string, a: unknown, keepdims: unknown): Record<string, unknown> {
  if (a === undefined || a === null || typeof a === 'number' || Array.isArray(a)) {
    const axes = a === undefined || a === null ? null : typeof a === 'number' ? [a] : [...(a as number[])];
    return { axes, keepdims: keepdims ?? false };
  }
  if (keepdims !== undefined) throw new HearthError('E_ARG', `${name}: pass keepdims either positionally, ${name}(axes, true), or in the options object, not both.`, { op: name });
  const o = checkOptions(name, a as ReduceOptions, ['axes', 'keepdims']);
  return reduceAttrs(name, o.axes, o.keepdims);
}

/** `argmax(x, 1)`, `argmax(x, 1, true)` or `argmax(x, { axis, keepdims })` as attributes. */
function argAttrs(name: string, a: unknown, keepdims: unknown): Record<string, unknown> {
  if (a === undefined || a === null || typeof a !== 'object' || Array.isArray(a)) return { axis: a ?? null, keepdims: keepdims ?? false };
  if (keepdims !== undefined) throw new HearthError('E_ARG', `${name}: pass keepdims either positionally, ${name}(axis, true), or in the options object, not both.`, { op: name });
  const o = checkOptions(name, a as ArgReduceOptions, ['axis', 'keepdims']);
  return { axis: o.axis ?? null, keepdims: o.keepdims ?? false };
}

/**
 * @internal Defines `hearth.name(...)` and its method twin `t.name(...)`. `arity` counts every parameter of
 * the runtime's function; the method takes one fewer (the tensor). Fixed parameters (no rest arguments)
 * keep the hot path free of array allocation.
 */
export function define(name: string, arity: number, fn: (this: Hearth, ...args: never[]) => unknown): void {
  const H = Hearth.prototype as unknown as Record<string, unknown>;
  const T = Tensor.prototype as unknown as Record<string, unknown>;
  const f = fn as (this: Hearth, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => unknown;
  H[name] = function (this: Hearth, a?: unknown, b?: unknown, c?: unknown, d?: unknown) {
    if (arguments.length > arity) checkArgCount(name, arguments.length - 1, arity - 1);
    return f.call(this, a, b, c, d);
  };
  T[name] = function (this: Tensor, b?: unknown, c?: unknown, d?: unknown) {
    if (arguments.length >= arity) checkArgCount(name, arguments.length, arity - 1);
    return f.call(this.hearth, this, b, c, d);
  };
}

function install(): void {
  for (const op of UNARY_OPS) {
    const id = opId(op.name);
    define(op.name, 1, function (x: TensorLike) {
      return run(this, id, [x]);
    });
  }
  for (const op of BINARY_OPS) {
    const id = opId(op.name);
    define(op.name, 2, function (a: TensorLike, b: TensorLike) {
      return run(this, id, [a, b]);
    });
  }
  const ids = (n: string) => opId(n);
  define('where', 3, function (c: TensorLike, a: TensorLike, b: TensorLike) {
    return run(this, ids('where'), [c, a, b]);
  });
  define('cast', 2, function (x: TensorLike, dtype: DType) {
    return run(this, ids('cast'), [x], { dtype });
  });
  for (const name of ['sum', 'mean', 'max', 'min', 'prod']) {
    const id = ids(name);
    define(name, 3, function (x: TensorLike, a?: unknown, keepdims?: unknown) {
      return run(this, id, [x], reduceAttrs(name, a, keepdims));
    });
  }
  for (const name of ['argmax', 'argmin']) {
    const id = ids(name);
    define(name, 3, function (x: TensorLike, a?: unknown, keepdims?: unknown) {
      return run(this, id, [x], argAttrs(name, a, keepdims));
    });
  }
  for (const name of ['softmax', 'log_softmax']) {
    const id = ids(name);
    define(name, 2, function (x: TensorLike, axis = -1) {
      return run(this, id, [x], { axis });
    });
  }
  define('matmul', 2, function (a: TensorLike, b: TensorLike) {
    return run(this, ids('matmul'), [a, b]);
  });
  define('reshape', 2, function (x: TensorLike, shape: readonly number[]) {
    return run(this, ids('reshape'), [x], { shape: [...checkShapeArg('reshape', shape)] });
  });
  define('transpose', 2, function (x: TensorLike, perm?: readonly number[]) {
    return run(this, ids('transpose'), [x], { perm: perm === undefined || perm === null ? null : perm });
  });
  define('slice', 2, function (x: TensorLike, o: SliceOptions) {
    if (o === undefined) throw new HearthError('E_ARG', 'slice takes options { starts, ends, axes?, steps? }, e.g. x.slice({ starts: [0], ends: [2] }).');
    checkOptions('slice', o, ['starts', 'ends', 'axes', 'steps']);
    return run(this, ids('slice'), [x], { starts: o.starts, ends: o.ends, axes: o.axes ?? null, steps: o.steps ?? null });
  });
  define('expand', 2, function (x: TensorLike, shape: readonly number[]) {
    return run(this, ids('expand'), [x], { shape: [...checkShapeArg('expand', shape)] });
  });
  define('gather', 3, function (x: TensorLike, indices: TensorLike, axis = 0) {
    return run(this, ids('gather'), [x, indices], { axis });
  });
  define('pad', 3, function (x: TensorLike, pads: readonly number[], o?: PadOptions) {
    const opts = checkOptions('pad', o, ['mode', 'value']);
    return run(this, ids('pad'), [x], { pads: Array.isArray(pads) ? [...pads] : pads, mode: opts.mode ?? 'constant', value: opts.value ?? 0 });
  });
  define('conv2d', 4, function (x: TensorLike, w: TensorLike, bias?: TensorLike | null, o?: Conv2dOptions) {
    const opts = checkOptions('conv2d', o, ['stride', 'padding', 'dilation', 'groups']);
    return run(this, ids('conv2d'), [x, w, bias], { stride: pairOf(opts.stride) ?? 1, padding: pairOf(opts.padding) ?? 0, dilation: pairOf(opts.dilation) ?? 1, groups: opts.groups ?? 1 });
  });
  define('max_pool2d', 2, function (x: TensorLike, o: Pool2dOptions) {
    return run(this, ids('max_pool2d'), [x], poolAttrs('max_pool2d', o, false));
  });
  define('avg_pool2d', 2, function (x: TensorLike, o: Pool2dOptions) {
    return run(this, ids('avg_pool2d'), [x], poolAttrs('avg_pool2d', o, true));
  });

  const C = Hearth.prototype as unknown as Record<keyof CreationApi, unknown>;
  C.concat = function (this: Hearth, xs: readonly TensorLike[], axis = 0) {
    if (!Array.isArray(xs)) throw new HearthError('E_ARG', 'concat takes an array of tensors.');
    return run(this, ids('concat'), xs.slice(), { axis });
  };
  C.full = function (this: Hearth, shape: readonly number[], value: number, o?: CreateOptions) {
    return fill(this, 'full', shape, value, o);
  };
  C.zeros = function (this: Hearth, shape: readonly number[], o?: CreateOptions) {
    return fill(this, 'zeros', shape, 0, o);
  };
  C.ones = function (this: Hearth, shape: readonly number[], o?: CreateOptions) {
    return fill(this, 'ones', shape, 1, o);
  };
  C.arange = function (this: Hearth, start: number, stop?: number, step = 1, o?: CreateOptions) {
    const opts = checkCreateOptions('arange', o);
    const [a, b] = stop === undefined ? [0, start] : [start, stop];
    return this.op('arange', [], { start: a, stop: b, step, dtype: opts.dtype ?? 'float32' }, { device: opts.device });
  };
}

/** `full`, `zeros` and `ones`: their arguments checked once, under the caller's name, then the `full` operator. */
function fill(h: Hearth, name: string, shape: readonly number[], value: number, o: CreateOptions | undefined): Tensor {
  const dims = [...checkShapeArg(name, shape)];
  const opts = checkCreateOptions(name, o);
  return h.op('full', [], { shape: dims, value, dtype: opts.dtype ?? 'float32' }, { device: opts.device });
}

function poolAttrs(name: string, o: Pool2dOptions, avg: boolean): Record<string, unknown> {
  checkOptions(name, o, ['kernelSize', 'stride', 'padding', 'ceilMode', ...(avg ? ['countIncludePad'] : [])]);
  if (!o || o.kernelSize === undefined) throw new HearthError('E_ATTR', `${name}: kernelSize is required, e.g. { kernelSize: 2 }.`);
  const stride = o.stride === undefined ? null : pairOf(o.stride);
  const attrs: Record<string, unknown> = { kernelSize: pairOf(o.kernelSize), stride, padding: pairOf(o.padding) ?? 0, ceilMode: o.ceilMode ?? false };
  if (avg) attrs['countIncludePad'] = o.countIncludePad ?? true;
  return attrs;
}

install();

/** Data accepted by `hearth.tensor`, re-exported for convenience. */
export type { TensorData };
