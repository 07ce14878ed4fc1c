import { HearthError } from './errors.js';
import { isFloat, type DType } from './dtype.js';
import { OPSET, opId } from './opset/index.js';
import { UNARY_OPS, BINARY_OPS } from './opset/elementwise.js';
import { Hearth } from './runtime.js';
import { Tensor } from './tensor.js';
import type { TensorData } from './host-data.js';
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

/** Options of creation functions. */
export interface CreateOptions {
  /** The dtype (float32). */
  dtype?: DType;
  /** The device (the default device). */
  device?: string;
}

type Unary = (x: TensorLike) => Tensor;
type Binary = (a: TensorLike, b: TensorLike) => Tensor;

/** The operators of opset v1 as functions (opset v2's are in `OpsApiV2`): `hearth.add(a, b)`. Each has a method twin: `a.add(b)`. */
export interface OpsApi {
  /** -x. */ neg: Unary;
  /** |x|. */ abs: Unary;
  /** The sign of x. */ sign: Unary;
  /** e^x. */ exp: Unary;
  /** ln x. */ log: Unary;
  /** √x. */ sqrt: Unary;
  /** 1/√x. */ rsqrt: Unary;
  /** 1/x. */ reciprocal: Unary;
  /** sin x. */ sin: Unary;
  /** cos x. */ cos: Unary;
  /** tanh x. */ tanh: Unary;
  /** 1/(1+e^-x). */ sigmoid: Unary;
  /** max(x, 0). */ relu: Unary;
  /** x·Φ(x). */ gelu: Unary;
  /** ⌊x⌋. */ floor: Unary;
  /** ⌈x⌉. */ ceil: Unary;
  /** Round half to even. */ round: Unary;
  /** a + b. */ add: Binary;
  /** a - b. */ sub: Binary;
  /** a · b. */ mul: Binary;
  /** a / b (true division). */ div: Binary;
  /** a ^ b. */ pow: Binary;
  /** Elementwise max (NaN propagates). */ maximum: Binary;
  /** Elementwise min (NaN propagates). */ minimum: Binary;
  /** a == b. */ eq: Binary;
  /** a != b. */ ne: Binary;
  /** a < b. */ lt: Binary;
  /** a <= b. */ le: Binary;
  /** a > b. */ gt: Binary;
  /** a >= b. */ ge: Binary;
  /** a && b. */ logical_and: Binary;
  /** a || b. */ logical_or: Binary;
  /** a where cond, else b. */
  where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor;
  /** Converts to `dtype`. */
  cast(x: TensorLike, dtype: DType): Tensor;
  /** Sum over axes: `sum(x)`, `sum(x, 1)`, `sum(x, [0, 1], true)` or `sum(x, { axes, keepdims })`. */
  sum(x: TensorLike, axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor;
  /** Mean over axes (arguments as {@link OpsApi.sum}). */
  mean(x: TensorLike, axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor;
  /** Max over axes (arguments as {@link OpsApi.sum}). */
  max(x: TensorLike, axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor;
  /** Min over axes (arguments as {@link OpsApi.sum}). */
  min(x: TensorLike, axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor;
  /** Product over axes (arguments as {@link OpsApi.sum}). */
  prod(x: TensorLike, axes?: ReduceOptions | ReduceOptions['axes'], keepdims?: boolean): Tensor;
  /** Index of the max (first on ties): `argmax(x)`, `argmax(x, 1)`, `argmax(x, 1, true)` or `argmax(x, { axis, keepdims })`. */
  argmax(x: TensorLike, axis?: ArgReduceOptions | ArgReduceOptions['axis'], keepdims?: boolean): Tensor;
  /** Index of the min (arguments as {@link OpsApi.argmax}). */
  argmin(x: TensorLike, axis?: ArgReduceOptions | ArgReduceOptions['axis'], keepdims?: boolean): Tensor;
  /** Softmax along an axis (-1). */
  softmax(x: TensorLike, axis?: number): Tensor;
  /** Log-softmax along an axis (-1). */
  log_softmax(x: TensorLike, axis?: number): Tensor;
  /** Matrix product with broadcast batch axes. */
  matmul(a: TensorLike, b: TensorLike): Tensor;
  /** A new shape for the same elements (one -1 is inferred). */
  reshape(x: TensorLike, shape: readonly number[]): Tensor;
  /** Permutes axes (reverses them by default). */
  transpose(x: TensorLike, perm?: readonly number[]): Tensor;
  /** Python-style slicing. */
  slice(x: TensorLike, options: SliceOptions): Tensor;
  /** Broadcasts to a shape. */
  expand(x: TensorLike, shape: readonly number[]): Tensor;
  /** Takes slices at indices along an axis. */
  gather(x: TensorLike, indices: TensorLike, axis?: number): Tensor;
  /** Pads each axis by [before, after] pairs, flattened. */
  pad(x: TensorLike, pads: readonly number[], options?: PadOptions): Tensor;
  /** 2-D convolution (NCHW, OIHW). */
  conv2d(x: TensorLike, weight: TensorLike, bias?: TensorLike | null, options?: Conv2dOptions): Tensor;
  /** 2-D max pooling. */
  max_pool2d(x: TensorLike, options: Pool2dOptions): Tensor;
  /** 2-D average pooling. */
  avg_pool2d(x: TensorLike, options: Pool2dOptions): Tensor;
}

/** Methods every tensor has: the operators with the tensor as first operand. */
export type TensorOps = {
  [K in keyof OpsApi]: OpsApi[K] extends (x: never, ...rest: infer A) => infer R ? (...rest: A) => R : never;
};

/** Creation functions of a runtime. */
export interface CreationApi {
  /** Joins tensors along an axis (0). */
  concat(xs: readonly TensorLike[], axis?: number): Tensor;
  /** A tensor of zeros. */
  zeros(shape: readonly number[], options?: CreateOptions): Tensor;
  /** A tensor of ones. */
  ones(shape: readonly number[], options?: CreateOptions): Tensor;
  /** A tensor filled with a value. */
  full(shape: readonly number[], value: number, options?: CreateOptions): Tensor;
  /** start, start+step, ... below stop; `arange(n)` is 0..n-1. */
  arange(start: number, stop?: number, step?: number, options?: CreateOptions): Tensor;
}

declare module './runtime.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Hearth extends OpsApi, CreationApi {}
}
declare module './tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorOps {}
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

  const C = Hearth.prototype as unknown as CreationApi & Record<string, unknown>;
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
