import { HearthError, normalizeAxis, type Hearth, type Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';

type Reducer = (h: Hearth, x: Tensor, axes: number[] | null, keepdims: boolean) => Tensor;

/**
 * A Reduce* op. Its axes are an attribute up to `axesInputFrom` - 1 (13 for ReduceSum, 18 for the others)
 * and an optional input from then on, where `noop_with_empty_axes` makes "no axes" the identity.
 */
const reduce = (axesInputFrom: number, fn: Reducer, kind: OnnxOp['kind'] = 'primitive'): OnnxOp => ({
  kind,
  attrs: ['axes', 'keepdims', 'noop_with_empty_axes'],
  check: (node, opset) => (opset < axesInputFrom && node.inputs.length > 1 ? `an axes input before opset ${axesInputFrom} (it is an attribute there)` : undefined),
  run: (c) => {
    const h = c.hearth;
    const axes = c.opset < axesInputFrom ? (c.attr<readonly number[]>('axes', []) as number[]) : (c.numbers(1) ?? []);
    const keepdims = c.attr('keepdims', 1) !== 0;
    const x = c.tensor(0);
    if (axes.length === 0 && c.opset >= axesInputFrom && c.attr('noop_with_empty_axes', 0) !== 0) return h.reshape(x, x.shape);
    return h.scope(() => fn(h, x, axes.length ? [...axes] : null, keepdims));
  },
});

const sum: Reducer = (h, x, a, k) => h.sum(x, a, k);

/** Softmax-like ops: before opset 13 the input is flattened to 2-D at `axis` (default 1); from 13 one axis (default -1). */
const softmaxLike = (fn: (h: Hearth, x: Tensor, axis: number) => Tensor): OnnxOp => ({
  kind: 'primitive',
  attrs: ['axis'],
  run: (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    if (c.opset >= 13) return fn(h, x, c.attr('axis', -1));
    const axis = normalizeAxis(c.attr('axis', 1), x.rank);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return h.scope(() => h.reshape(fn(h, h.reshape(x, [outer, -1]), 1), x.shape));
  },
});

/**
 * ArgMax/ArgMin. Hearth's return the first index on ties; `select_last_index` takes the first index of the
 * axis reversed, counted from the end.
 */
const argReduce = (fn: (h: Hearth, x: Tensor, axis: number, keepdims: boolean) => Tensor): OnnxOp => ({
  kind: 'primitive',
  attrs: ['axis', 'keepdims', 'select_last_index'],
  run: (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    const axis = normalizeAxis(c.attr('axis', 0), x.rank);
    const keepdims = c.attr('keepdims', 1) !== 0;
    if (!c.attr('select_last_index', 0)) return fn(h, x, axis, keepdims);
    const n = x.shape[axis]!;
    return h.sub(n - 1, fn(h, h.slice(x, { starts: [n - 1], ends: [-n - 1], axes: [axis], steps: [-1] }), axis, keepdims)); // the node's scope frees the rest
  },
});

/** Gemm: alpha * A' B' + beta * C, A' and B' transposed on request. */
function gemm(c: OpContext): Tensor {
  const h = c.hearth;
  return h.scope(() => {
    let a = c.tensor(0);
    let b = c.tensor(1);
    if (a.rank !== 2 || b.rank !== 2) throw new HearthError('E_SHAPE', `${c.where}: A and B must be 2-D, got [${a.shape}] and [${b.shape}].`);
    if (c.attr('transA', 0)) a = h.transpose(a, [1, 0]);
    if (c.attr('transB', 0)) b = h.transpose(b, [1, 0]);
    let y = h.matmul(a, b);
    const alpha = c.attr('alpha', 1);
    if (alpha !== 1) y = h.mul(y, alpha);
    if (c.has(2)) {
      const beta = c.attr('beta', 1);
      y = h.add(y, beta === 1 ? c.tensor(2) : h.mul(c.tensor(2), beta));
    }
    return y;
  });
}

/** Reductions, softmax, arg-reductions and matrix products. */
export const REDUCE_OPS: OpTable = {
  ReduceSum: reduce(13, sum),
  ReduceMean: reduce(18, (h, x, a, k) => h.mean(x, a, k)),
  ReduceMax: reduce(18, (h, x, a, k) => h.max(x, a, k)),
  ReduceMin: reduce(18, (h, x, a, k) => h.min(x, a, k)),
  ReduceProd: reduce(18, (h, x, a, k) => h.prod(x, a, k)),
  ReduceL1: reduce(18, (h, x, a, k) => h.sum(h.abs(x), a, k), 'decomposed'),
  ReduceL2: reduce(18, (h, x, a, k) => h.sqrt(h.sum(h.mul(x, x), a, k)), 'decomposed'),
  ReduceSumSquare: reduce(18, (h, x, a, k) => h.sum(h.mul(x, x), a, k), 'decomposed'),
  ReduceLogSum: reduce(18, (h, x, a, k) => h.log(h.sum(x, a, k)), 'decomposed'),
  ReduceLogSumExp: reduce(18, (h, x, a, k) => {
    const m = h.max(x, a, true);
    const s = h.add(h.log(h.sum(h.exp(h.sub(x, m)), a, true)), m);
    return k ? s : h.reshape(s, h.sum(x, a, false).shape);
  }, 'decomposed'),
  ArgMax: argReduce((h, x, axis, k) => h.argmax(x, axis, k)),
  ArgMin: argReduce((h, x, axis, k) => h.argmin(x, axis, k)),
  Softmax: softmaxLike((h, x, axis) => h.softmax(x, axis)),
  LogSoftmax: softmaxLike((h, x, axis) => h.log_softmax(x, axis)),
  MatMul: { kind: 'primitive', attrs: [], run: (c) => c.hearth.matmul(c.tensor(0), c.tensor(1)) },
  Gemm: { kind: 'decomposed', attrs: ['alpha', 'beta', 'transA', 'transB'], run: gemm },
};
