import { HearthError } from './errors.js';
import { opId } from './opset/index.js';
import { Hearth } from './runtime.js';
import { Tensor } from './tensor.js';
import type { DType, FloatTypeFor } from './dtype.js';
import type { BroadcastRankOf, CommonDType, DTypeOf, MatmulRank, RankOf } from './op-types.js';
import { checkCreateOptions, checkOptions, checkShapeArg } from './arguments.js';
import { define, pairOf, run, type Conv2dOptions, type CreateOptions, type TensorLike } from './api.js';
import { normalizeAxis } from './shape.js';
import type { CoordinateTransformationMode, NearestMode } from './opset/resize.js';

/** Options of `mod`. */
export interface ModOptions {
  /** Truncated remainder with the sign of a (C fmod) instead of the floored one with the sign of b (false). */
  fmod?: boolean;
}

/** Options of `cumsum`. */
export interface CumsumOptions {
  /** Leave each element out of its own sum (false). */
  exclusive?: boolean;
  /** Sum from the end of the axis (false). */
  reverse?: boolean;
}

/** Options of `topk`. */
export interface TopkOptions {
  /** The axis (-1). */
  axis?: number;
  /** The largest values (true) or the smallest (false). */
  largest?: boolean;
}

/** What `topk` gives: the values (of the input's dtype `D`) and their int32 indices along the axis, both of rank `R`. */
export interface TopkResult<D extends DType = DType, R extends number = number> {
  /** The k values, in order. */
  values: Tensor<D, R>;
  /** Their int32 indices along the axis. */
  indices: Tensor<'int32', R>;
}

/** Options of `resize`. */
export interface ResizeOptions {
  /** The output size of the last two axes, [height, width]. */
  sizes: readonly [number, number];
  /** The scales the coordinate transform uses ([outH / inH, outW / inW] when left out). */
  scales?: readonly [number, number];
  /** `nearest` (default) or `linear` (bilinear). */
  mode?: 'nearest' | 'linear';
  /** How output coordinates map to input ones (`half_pixel`). */
  coordinateTransformationMode?: CoordinateTransformationMode;
  /** How nearest mode rounds (`round_prefer_floor`). */
  nearestMode?: NearestMode;
}

/** Options of `conv_transpose2d`. */
export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** Extra size added on one side of each output axis (0); below max(stride, dilation). */
  outputPadding?: number | readonly [number, number];
}

/** Options of the normalizations. */
export interface NormOptions {
  /** Added to the variance (1e-5). */
  epsilon?: number;
}

/** Options of `layer_norm`. */
export interface LayerNormOptions extends NormOptions {
  /** The first normalized axis; it and every later axis are normalized (-1). */
  axis?: number;
}

/** The tensors and options of `batch_norm` (inference form): every parameter is one value per channel. */
export interface BatchNormOptions extends NormOptions {
  /** Multiplies the normalized values. */
  scale: TensorLike;
  /** Added after the scale. */
  bias: TensorLike;
  /** The running mean. */
  mean: TensorLike;
  /** The running variance. */
  variance: TensorLike;
}

/** Options of `linear` (ONNX Gemm). */
export interface LinearOptions {
  /** Transpose a first (false). */
  transA?: boolean;
  /** Transpose b first (false). */
  transB?: boolean;
  /** Multiplies the product (1). */
  alpha?: number;
  /** Multiplies c (1). */
  beta?: number;
}

/** Options of the seeded random tensors; `D` is the dtype TypeScript gives the result. */
export interface RandomOptions<D extends DType = DType> extends CreateOptions<D> {
  /** The seed: a safe integer >= 0. The same seed gives the same values on every backend. */
  seed: number;
}


/** The operators opset v2 adds, as functions (`hearth.erf(x)`) with method twins in {@link TensorOpsV2} (`x.erf()`). */
export interface OpsApiV2 {
  /** The error function. */ erf<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Remainder: floored (sign of b) unless `fmod`. */
  mod<A extends TensorLike, B extends TensorLike>(a: A, b: B, options?: ModOptions): Tensor<CommonDType<A, B>, BroadcastRankOf<A, B>>;
  /** Running sum along an axis. */
  cumsum<X extends TensorLike>(x: X, axis: number, options?: CumsumOptions): Tensor<DTypeOf<X>, RankOf<X>>;
  /** The k largest (or smallest) values along an axis and their indices. */
  topk<X extends TensorLike>(x: X, k: number, options?: TopkOptions): TopkResult<DTypeOf<X>, RankOf<X>>;
  /** ONNX GatherElements along an axis (0): the indices' shape, x's dtype. */
  gather_elements<X extends TensorLike, I extends TensorLike>(x: X, indices: I, axis?: number): Tensor<DTypeOf<X>, RankOf<I>>;
  /** Repeats x along each axis. */
  tile<X extends TensorLike>(x: X, repeats: readonly number[]): Tensor<DTypeOf<X>, RankOf<X>>;
  /** Resizes the last two axes (nearest or bilinear). */
  resize<X extends TensorLike>(x: X, options: ResizeOptions): Tensor<DTypeOf<X>, RankOf<X>>;
  /** Transposed 2-D convolution (NCHW; weight [C_in, C_out / groups, kH, kW]). */
  conv_transpose2d<X extends TensorLike, W extends TensorLike>(x: X, weight: W, bias?: TensorLike | null, options?: ConvTranspose2dOptions): Tensor<FloatTypeFor<CommonDType<X, W>>, 4>;
  /** Layer normalization from `axis` to the last axis, with optional scale and bias. */
  layer_norm<X extends TensorLike>(x: X, scale?: TensorLike | null, bias?: TensorLike | null, options?: LayerNormOptions): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Inference batch normalization over channels (axis 1). */
  batch_norm<X extends TensorLike>(x: X, options: BatchNormOptions): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Instance normalization: each (n, c) plane normalized, then per-channel scale and bias. */
  instance_norm<X extends TensorLike>(x: X, scale: TensorLike, bias: TensorLike, options?: NormOptions): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Group normalization over `numGroups` channel groups, then per-channel scale and bias. */
  group_norm<X extends TensorLike>(x: X, numGroups: number, scale: TensorLike, bias: TensorLike): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** Clamps to [min, max]; a null or absent bound is left out. */
  clip<X extends TensorLike>(x: X, min?: number | null, max?: number | null): Tensor<DTypeOf<X>, RankOf<X>>;
  /** max(0, min(1, alpha·x + beta)). */
  hard_sigmoid<X extends TensorLike>(x: X, alpha?: number, beta?: number): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** x · hard_sigmoid(x, 1/6, 1/2). */ hard_swish<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** x, or alpha·x below 0 (alpha 0.01). */
  leaky_relu<X extends TensorLike>(x: X, alpha?: number): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** x, or alpha·(e^x - 1) at or below 0 (alpha 1). */
  elu<X extends TensorLike>(x: X, alpha?: number): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** ln(1 + e^x). */ softplus<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** x / (1 + |x|). */ softsign<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** x · sigmoid(x). */ silu<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** GELU's tanh approximation. */ gelu_tanh<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, RankOf<X>>;
  /** alpha · a' · b' + beta · c (ONNX Gemm): a matrix. */
  linear<A extends TensorLike, B extends TensorLike>(a: A, b: B, c?: TensorLike | null, options?: LinearOptions): Tensor<FloatTypeFor<CommonDType<A, B>>, 2>;
  /** Mean over each channel's plane: [N, C, 1, 1]. */ global_avg_pool2d<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, 4>;
  /** Max over each channel's plane: [N, C, 1, 1]. */ global_max_pool2d<X extends TensorLike>(x: X): Tensor<FloatTypeFor<DTypeOf<X>>, 4>;
  /** Removes size-1 axes (all of them when left out). */
  squeeze<X extends TensorLike>(x: X, axes?: number | readonly number[]): Tensor<DTypeOf<X>>;
  /** Inserts size-1 axes at the given output positions. */
  unsqueeze<X extends TensorLike>(x: X, axes: number | readonly number[]): Tensor<DTypeOf<X>>;
  /** [size before axis, size from axis] (axis 1). */
  flatten<X extends TensorLike>(x: X, axis?: number): Tensor<DTypeOf<X>, 2>;
  /**
   * Splits along an axis (0) into `parts` equal pieces (the last one smaller when it does not divide) or
   * pieces of the listed sizes; each piece is a `slice`.
   */
  split<X extends TensorLike>(x: X, parts: number | readonly number[], axis?: number): Tensor<DTypeOf<X>, RankOf<X>>[];
}

/** Seeded random tensors, identical on every backend for the same seed: the dtype from `options.dtype` (float32), the rank from the shape. */
export interface RandomApi {
  /** Uniform values in [low, high) (0, 1). */
  random_uniform<const S extends readonly number[], D extends DType = 'float32'>(shape: S, options: RandomOptions<D> & { low?: number; high?: number }): Tensor<D, S['length']>;
  /** Normal values with `mean` (0) and `std` (1). */
  random_normal<const S extends readonly number[], D extends DType = 'float32'>(shape: S, options: RandomOptions<D> & { mean?: number; std?: number }): Tensor<D, S['length']>;
}

/** The methods opset v2 adds to every tensor: the operators of {@link OpsApiV2} with the tensor as first operand. */
export interface TensorOpsV2 {
  /** The error function. */ erf(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Remainder: floored (sign of b) unless `fmod`. */ mod<B extends TensorLike>(b: B, options?: ModOptions): Tensor<CommonDType<this, B>, BroadcastRankOf<this, B>>;
  /** Running sum along an axis. */ cumsum(axis: number, options?: CumsumOptions): Tensor<DTypeOf<this>, RankOf<this>>;
  /** The k largest (or smallest) values along an axis and their indices. */
  topk(k: number, options?: TopkOptions): TopkResult<DTypeOf<this>, RankOf<this>>;
  /** ONNX GatherElements along an axis (0): the indices' shape, this tensor's dtype. */
  gather_elements<I extends TensorLike>(indices: I, axis?: number): Tensor<DTypeOf<this>, RankOf<I>>;
  /** Repeats along each axis. */ tile(repeats: readonly number[]): Tensor<DTypeOf<this>, RankOf<this>>;
  /** Resizes the last two axes (nearest or bilinear). */ resize(options: ResizeOptions): Tensor<DTypeOf<this>, RankOf<this>>;
  /** Transposed 2-D convolution (NCHW; weight [C_in, C_out / groups, kH, kW]). */
  conv_transpose2d<W extends TensorLike>(weight: W, bias?: TensorLike | null, options?: ConvTranspose2dOptions): Tensor<FloatTypeFor<CommonDType<this, W>>, 4>;
  /** Layer normalization from `axis` to the last axis. */
  layer_norm(scale?: TensorLike | null, bias?: TensorLike | null, options?: LayerNormOptions): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Inference batch normalization over channels (axis 1). */ batch_norm(options: BatchNormOptions): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Instance normalization. */ instance_norm(scale: TensorLike, bias: TensorLike, options?: NormOptions): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Group normalization. */ group_norm(numGroups: number, scale: TensorLike, bias: TensorLike): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** Clamps to [min, max]. */ clip(min?: number | null, max?: number | null): Tensor<DTypeOf<this>, RankOf<this>>;
  /** max(0, min(1, alpha·x + beta)). */ hard_sigmoid(alpha?: number, beta?: number): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** x · hard_sigmoid(x, 1/6, 1/2). */ hard_swish(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** x, or alpha·x below 0 (alpha 0.01). */ leaky_relu(alpha?: number): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** x, or alpha·(e^x - 1) at or below 0 (alpha 1). */ elu(alpha?: number): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** ln(1 + e^x). */ softplus(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** x / (1 + |x|). */ softsign(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** x · sigmoid(x). */ silu(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** GELU's tanh approximation. */ gelu_tanh(): Tensor<FloatTypeFor<DTypeOf<this>>, RankOf<this>>;
  /** alpha · this' · b' + beta · c (ONNX Gemm): a matrix. */
  linear<B extends TensorLike>(b: B, c?: TensorLike | null, options?: LinearOptions): Tensor<FloatTypeFor<CommonDType<this, B>>, 2>;
  /** Mean over each channel's plane: [N, C, 1, 1]. */ global_avg_pool2d(): Tensor<FloatTypeFor<DTypeOf<this>>, 4>;
  /** Max over each channel's plane: [N, C, 1, 1]. */ global_max_pool2d(): Tensor<FloatTypeFor<DTypeOf<this>>, 4>;
  /** Removes size-1 axes (all of them when left out). */ squeeze(axes?: number | readonly number[]): Tensor<DTypeOf<this>>;
  /** Inserts size-1 axes at the given output positions. */ unsqueeze(axes: number | readonly number[]): Tensor<DTypeOf<this>>;
  /** [size before axis, size from axis] (axis 1). */ flatten(axis?: number): Tensor<DTypeOf<this>, 2>;
  /** Splits along an axis (0) into equal pieces or pieces of the listed sizes. */
  split(parts: number | readonly number[], axis?: number): Tensor<DTypeOf<this>, RankOf<this>>[];
}

declare module './runtime.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Hearth extends OpsApiV2, RandomApi {}
}
declare module './tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Tensor<D extends DType = DType, R extends number = number> extends TensorOpsV2 {}
}

const tensorArg = (name: string, what: string, x: unknown): TensorLike => {
  if (x === undefined || x === null) throw new HearthError('E_ARG', `${name}: ${what} is required.`, { op: name });
  return x as TensorLike;
};
const axesArg = (a: number | readonly number[]) => (typeof a === 'number' ? [a] : Array.isArray(a) ? [...a] : a);

function install(): void {
  const id = opId;
  for (const name of ['erf', 'hard_swish', 'softplus', 'softsign', 'silu', 'gelu_tanh', 'global_avg_pool2d', 'global_max_pool2d']) {
    const op = id(name);
    define(name, 1, function (x: TensorLike) {
      return run(this, op, [x]);
    });
  }
  define('mod', 3, function (a: TensorLike, b: TensorLike, o?: ModOptions) {
    return run(this, id('mod'), [a, b], { fmod: checkOptions('mod', o, ['fmod']).fmod ?? false });
  });
  define('cumsum', 3, function (x: TensorLike, axis: number, o?: CumsumOptions) {
    const opts = checkOptions('cumsum', o, ['exclusive', 'reverse']);
    return run(this, id('cumsum'), [x], { axis, exclusive: opts.exclusive ?? false, reverse: opts.reverse ?? false });
  });
  define('topk', 3, function (x: TensorLike, k: number, o?: TopkOptions): { values: Tensor; indices: Tensor } {
    const opts = checkOptions('topk', o, ['axis', 'largest']);
    const axis = opts.axis ?? -1;
    const indices = run(this, id('topk'), [x], { k, axis, largest: opts.largest ?? true });
    const source = x instanceof Tensor ? x : undefined;
    const rank = source ? source.shape.length : 0;
    try {
      const values = run(this, id('gather_elements'), [x, indices], { axis: source ? normalizeAxis(axis, rank, 'topk') : axis });
      return { values, indices };
    } catch (e) {
      indices.dispose();
      throw e;
    }
  });
  define('gather_elements', 3, function (x: TensorLike, indices: TensorLike, axis = 0) {
    return run(this, id('gather_elements'), [x, indices], { axis });
  });
  define('tile', 2, function (x: TensorLike, repeats: readonly number[]) {
    return run(this, id('tile'), [x], { repeats: Array.isArray(repeats) ? [...repeats] : repeats });
  });
  define('resize', 2, function (x: TensorLike, o: ResizeOptions) {
    if (o === undefined) throw new HearthError('E_ARG', 'resize takes options { sizes: [h, w], mode?, ... }, e.g. x.resize({ sizes: [64, 64] }).');
    const opts = checkOptions('resize', o, ['sizes', 'scales', 'mode', 'coordinateTransformationMode', 'nearestMode']);
    return run(this, id('resize'), [x], {
      sizes: Array.isArray(opts.sizes) ? [...opts.sizes] : opts.sizes,
      scales: opts.scales === undefined ? null : Array.isArray(opts.scales) ? [...opts.scales] : opts.scales,
      mode: opts.mode ?? 'nearest',
      coordinateTransformationMode: opts.coordinateTransformationMode ?? 'half_pixel',
      nearestMode: opts.nearestMode ?? 'round_prefer_floor',
    });
  });
  define('conv_transpose2d', 4, function (x: TensorLike, w: TensorLike, bias?: TensorLike | null, o?: ConvTranspose2dOptions) {
    const opts = checkOptions('conv_transpose2d', o, ['stride', 'padding', 'outputPadding', 'dilation', 'groups']);
    return run(this, id('conv_transpose2d'), [x, w, bias], {
      stride: pairOf(opts.stride) ?? 1,
      padding: pairOf(opts.padding) ?? 0,
      outputPadding: pairOf(opts.outputPadding) ?? 0,
      dilation: pairOf(opts.dilation) ?? 1,
      groups: opts.groups ?? 1,
    });
  });
  define('layer_norm', 4, function (x: TensorLike, scale?: TensorLike | null, bias?: TensorLike | null, o?: LayerNormOptions) {
    const opts = checkOptions('layer_norm', o, ['axis', 'epsilon']);
    if ((scale === undefined || scale === null) && bias !== undefined && bias !== null) {
      throw new HearthError('E_ARG', 'layer_norm: a bias needs a scale; pass a scale of ones for a bias alone.', { op: 'layer_norm' });
    }
    return run(this, id('layer_norm'), [x, scale, bias], { axis: opts.axis ?? -1, epsilon: opts.epsilon ?? 1e-5 });
  });
  define('batch_norm', 2, function (x: TensorLike, o: BatchNormOptions) {
    const opts = checkOptions('batch_norm', o, ['scale', 'bias', 'mean', 'variance', 'epsilon']);
    const t = (k: 'scale' | 'bias' | 'mean' | 'variance') => tensorArg('batch_norm', k, opts[k]);
    return run(this, id('batch_norm'), [x, t('scale'), t('bias'), t('mean'), t('variance')], { epsilon: opts.epsilon ?? 1e-5 });
  });
  define('instance_norm', 4, function (x: TensorLike, scale: TensorLike, bias: TensorLike, o?: NormOptions) {
    const opts = checkOptions('instance_norm', o, ['epsilon']);
    return run(this, id('instance_norm'), [x, tensorArg('instance_norm', 'scale', scale), tensorArg('instance_norm', 'bias', bias)], { epsilon: opts.epsilon ?? 1e-5 });
  });
  define('group_norm', 4, function (x: TensorLike, numGroups: number, scale: TensorLike, bias: TensorLike) {
    return run(this, id('group_norm'), [x, tensorArg('group_norm', 'scale', scale), tensorArg('group_norm', 'bias', bias)], { numGroups, epsilon: 1e-5 });
  });
  define('clip', 3, function (x: TensorLike, min?: number | null, max?: number | null) {
    return run(this, id('clip'), [x], { min: min ?? null, max: max ?? null });
  });
  define('hard_sigmoid', 3, function (x: TensorLike, alpha = 0.2, beta = 0.5) {
    return run(this, id('hard_sigmoid'), [x], { alpha, beta });
  });
  define('leaky_relu', 2, function (x: TensorLike, alpha = 0.01) {
    return run(this, id('leaky_relu'), [x], { alpha });
  });
  define('elu', 2, function (x: TensorLike, alpha = 1) {
    return run(this, id('elu'), [x], { alpha });
  });
  define('linear', 4, function (a: TensorLike, b: TensorLike, c?: TensorLike | null, o?: LinearOptions) {
    const opts = checkOptions('linear', o, ['transA', 'transB', 'alpha', 'beta']);
    return run(this, id('linear'), [a, b, c], { transA: opts.transA ?? false, transB: opts.transB ?? false, alpha: opts.alpha ?? 1, beta: opts.beta ?? 1 });
  });
  define('squeeze', 2, function (x: TensorLike, axes?: number | readonly number[]) {
    return run(this, id('squeeze'), [x], { axes: axes === undefined || axes === null ? null : axesArg(axes) });
  });
  define('unsqueeze', 2, function (x: TensorLike, axes: number | readonly number[]) {
    return run(this, id('unsqueeze'), [x], { axes: axesArg(axes) });
  });
  define('flatten', 2, function (x: TensorLike, axis = 1) {
    return run(this, id('flatten'), [x], { axis });
  });
  define('split', 3, function (x: TensorLike, parts: number | readonly number[], axis = 0): Tensor[] {
    if (!(x instanceof Tensor)) throw new HearthError('E_ARG', 'split: x must be a Tensor.', { op: 'split' });
    const ax = normalizeAxis(axis, x.shape.length, 'split');
    const dim = x.shape[ax]!;
    const sizes = splitSizes(dim, parts);
    const out: Tensor[] = [];
    let start = 0;
    try {
      for (const n of sizes) {
        out.push(run(this, id('slice'), [x], { starts: [start], ends: [start + n], axes: [ax], steps: null }));
        start += n;
      }
    } catch (e) {
      for (const t of out) t.dispose();
      throw e;
    }
    return out;
  });
  const R = Hearth.prototype as unknown as Record<keyof RandomApi, unknown>;
  for (const [name, params] of [['random_uniform', ['low', 'high']], ['random_normal', ['mean', 'std']]] as const) {
    R[name] = function (this: Hearth, shape: readonly number[], o: RandomOptions & Record<string, unknown>) {
      const opts = checkOptions(name, o, ['seed', 'dtype', 'device', ...params]) as RandomOptions & Record<string, unknown>;
      const { device, dtype } = checkCreateOptions(name, { device: opts.device, dtype: opts.dtype });
      const attrs: Record<string, unknown> = { shape: [...checkShapeArg(name, shape)], seed: opts.seed, dtype: dtype ?? 'float32' };
      for (const p of params) if (opts[p] !== undefined) attrs[p] = opts[p];
      return this.op(name, [], attrs, { device });
    };
  }
}

/** The sizes `split` cuts an axis of `dim` elements into. */
function splitSizes(dim: number, parts: number | readonly number[]): number[] {
  if (typeof parts === 'number') {
    if (!Number.isSafeInteger(parts) || parts < 1) throw new HearthError('E_ATTR', `split: the number of parts must be an integer >= 1, got ${parts}.`, { parts });
    const each = Math.ceil(dim / parts);
    return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, dim - i * each)));
  }
  if (!Array.isArray(parts) || !parts.every((n) => Number.isSafeInteger(n) && n >= 0) || parts.reduce((a, n) => a + n, 0) !== dim) {
    throw new HearthError('E_ATTR', `split: sizes ${JSON.stringify(parts)} must be integers >= 0 that add up to the axis size ${dim}.`, { parts, dim });
  }
  return [...parts];
}

install();
