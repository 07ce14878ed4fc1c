import type { Hearth, Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';

// ScatterND and ScatterElements as Hearth ops. Both come down to writing M rows of R values into a [P, R]
// view of the data at flat row positions: a [P, M] one-hot of the positions times the [M, R] updates (one
// matmul) gives the written values and, summed, where anything was written. This costs P x M x R
// multiply-adds, fine for the index updates exporters write (a few rows); a large scatter runs slowly but
// right. Indices written twice with reduction `none` (which ONNX leaves undefined) sum their updates. Each op
// runs in the node's scope.

const size = (xs: readonly number[]) => xs.reduce((p, q) => p * q, 1);
const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'];

/** Writes `updates` [M, R] into `data` [P, R] at rows `rows` [M] by `reduction`. */
function scatterRows(h: Hearth, data: Tensor, rows: Tensor, updates: Tensor, reduction: string): Tensor {
  const [P, M] = [data.shape[0]!, rows.shape[0]!];
  const hits = h.eq(h.reshape(h.arange(0, P, 1, { dtype: 'int32', device: data.device }), [P, 1]), h.reshape(rows, [1, M])); // [P, M]
  const written = h.reshape(h.gt(h.sum(h.cast(hits, 'int32'), [1]), 0), [P, 1]);
  if (reduction === 'none' || reduction === 'add') {
    const sums = h.matmul(h.cast(hits, data.dtype), updates);
    return reduction === 'add' ? h.add(data, sums) : h.where(written, sums, data);
  }
  // mul, max, min: each row's updates side by side, [P, M, R], those not written there neutral.
  const neutral = reduction === 'mul' ? 1 : reduction === 'max' ? -Infinity : Infinity;
  const each = h.where(h.reshape(hits, [P, M, 1]), h.reshape(updates, [1, M, updates.shape[1]!]), neutral);
  if (reduction === 'mul') return h.mul(data, h.prod(each, [1]));
  const folded = reduction === 'max' ? h.maximum(data, h.max(each, [1])) : h.minimum(data, h.min(each, [1]));
  return h.where(written, folded, data);
}

/** Negative indices counted from the end of their axis of size `n` (a tensor of sizes, or one size). */
const wrapped = (h: Hearth, idx: Tensor, n: Tensor | number) => h.where(h.lt(idx, 0), h.add(idx, n), idx);

/** ScatterND: data [d...], indices [..., k] naming rows of data's first k axes, updates [..., d_k...]. */
function scatterND(c: OpContext): Tensor {
  const h = c.hearth;
  const data = c.tensor(0);
  const indices = h.cast(c.tensor(1), 'int32');
  const k = indices.shape[indices.rank - 1]!;
  const dims = data.shape.slice(0, k);
  const device = data.device;
  const idx = wrapped(h, indices, h.tensor(Int32Array.from(dims), { dtype: 'int32', shape: [k], device }));
  const strides = h.tensor(Int32Array.from(dims, (_, j) => size(dims.slice(j + 1))), { dtype: 'int32', shape: [k], device });
  const rows = h.reshape(h.sum(h.mul(idx, strides), [-1]), [-1]);
  const R = size(data.shape.slice(k));
  const y = scatterRows(h, h.reshape(data, [size(dims), R]), rows, h.reshape(c.tensor(2), [rows.shape[0]!, R]), c.attr('reduction', 'none'));
  return h.reshape(y, data.shape);
}

/** ScatterElements (and Scatter before opset 11): each update goes where its own position, with `axis` replaced by its index, points. */
function scatterElements(c: OpContext): Tensor {
  const h = c.hearth;
  const data = c.tensor(0);
  const updates = c.tensor(2);
  const axis = c.attr('axis', 0) < 0 ? c.attr('axis', 0) + data.rank : c.attr('axis', 0);
  const device = data.device;
  const idx = wrapped(h, h.cast(c.tensor(1), 'int32'), data.shape[axis]!);
  // The flat position in data of each update: its coordinates in data's strides, the axis's from idx.
  let flat = h.mul(idx, size(data.shape.slice(axis + 1)));
  updates.shape.forEach((n, d) => {
    if (d === axis) return;
    const grid = h.reshape(h.arange(0, n, 1, { dtype: 'int32', device }), updates.shape.map((m, e) => (e === d ? m : 1)));
    flat = h.add(flat, h.mul(grid, size(data.shape.slice(d + 1))));
  });
  const y = scatterRows(h, h.reshape(data, [size(data.shape), 1]), h.reshape(flat, [-1]), h.reshape(updates, [-1, 1]), c.attr('reduction', 'none'));
  return h.reshape(y, data.shape);
}

const check = (node: Parameters<NonNullable<OnnxOp['check']>>[0]) => {
  const r = node.attrs.get('reduction') as string | undefined;
  return r === undefined || REDUCTIONS.includes(r) ? undefined : `reduction "${r}"`;
};

/** ScatterND, ScatterElements and the older Scatter. */
export const SCATTER_OPS: OpTable = {
  ScatterND: { kind: 'decomposed', attrs: ['reduction'], since: 11, check, run: scatterND },
  ScatterElements: { kind: 'decomposed', attrs: ['axis', 'reduction'], since: 11, check, run: scatterElements },
  Scatter: { kind: 'decomposed', attrs: ['axis'], since: 9, check: (_n, opset) => (opset >= 11 ? 'Scatter from opset 11 (ScatterElements replaced it)' : undefined), run: scatterElements },
};
