import { normalizeAxis, type Hearth, type Tensor } from '@hearth/core';
import { elementType } from '../proto.js';
import { deviceDtype } from '../values.js';
import type { OnnxOp, OpContext, OpTable } from './context.js';

// Ops whose outputs are masks or one-hots: index grids compared, then selected or cast. Each runs in its
// node's scope, which frees the grids.

/** The [rows, 1] - [1, cols] grid of column minus row indices, as int32 on `device`. */
function diagonalOffsets(h: Hearth, rows: number, cols: number, device: string): Tensor {
  const r = h.reshape(h.arange(0, rows, 1, { dtype: 'int32', device }), [rows, 1]);
  return h.sub(h.reshape(h.arange(0, cols, 1, { dtype: 'int32', device }), [1, cols]), r);
}

/** 0, 1, ... n - 1 along `axis` of a tensor of `rank`, 1 along the other axes (for broadcasting). */
function positions(h: Hearth, n: number, axis: number, rank: number, device: string): Tensor {
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = n;
  return h.reshape(h.arange(0, n, 1, { dtype: 'int32', device }), shape);
}

/** Trilu: the upper (column - row >= k) or lower (<= k) triangle of the last two axes, zeros elsewhere. */
function trilu(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const k = c.scalar(1) ?? 0;
  const d = diagonalOffsets(h, x.shape[x.rank - 2]!, x.shape[x.rank - 1]!, x.device);
  return h.where(c.attr('upper', 1) !== 0 ? h.ge(d, k) : h.le(d, k), x, 0);
}

/** EyeLike: ones on the k-th diagonal of a 2-D shape, in `dtype` (the input's when left out). */
function eyeLike(c: OpContext): Tensor {
  const h = c.hearth;
  const [rows, cols] = c.shape(0) as [number, number];
  const dtype = c.node.attrs.has('dtype') ? deviceDtype(elementType(c.attr('dtype', 1), `${c.where} attribute "dtype"`)) : c.dtype(0);
  return h.cast(h.eq(diagonalOffsets(h, rows, cols, c.device), c.attr('k', 0)), dtype);
}

/** OneHot: a new axis of `depth`, `values[1]` where it equals the index (negative ones counted from the end), else `values[0]`. */
function oneHot(c: OpContext): Tensor {
  const h = c.hearth;
  const indices = h.cast(c.tensor(0), 'int32');
  const depth = Math.trunc(c.scalar(1)!);
  const rank = indices.rank + 1;
  const axis = normalizeAxis(c.attr('axis', -1), rank);
  const wrapped = h.where(h.lt(indices, 0), h.add(indices, depth), indices);
  const shape = [...indices.shape];
  shape.splice(axis, 0, 1);
  const values = c.tensor(2);
  const [off, on] = [0, 1].map((i) => h.reshape(h.slice(values, { starts: [i], ends: [i + 1] }), []));
  return h.where(h.eq(h.reshape(wrapped, shape), positions(h, depth, axis, rank, indices.device)), on!, off!);
}

/** Hardmax along `axis`: 1 at the first maximum, 0 elsewhere (flattened to 2-D at `axis` before opset 13). */
function hardmax(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const along = (t: Tensor, axis: number) => h.cast(h.eq(positions(h, t.shape[axis]!, axis, t.rank, t.device), h.argmax(t, axis, true)), t.dtype);
  if (c.opset >= 13) return along(x, normalizeAxis(c.attr('axis', -1), x.rank));
  const axis = normalizeAxis(c.attr('axis', 1), x.rank);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  return h.reshape(along(h.reshape(x, [outer, -1]), 1), x.shape);
}

const decomposed = (attrs: readonly string[], run: (c: OpContext) => Tensor, since: number): OnnxOp => ({ kind: 'decomposed', attrs, since, run });

/** Triangles, diagonals, one-hots. */
export const MASK_OPS: OpTable = {
  Trilu: decomposed(['upper'], trilu, 14),
  EyeLike: decomposed(['dtype', 'k'], eyeLike, 9),
  OneHot: decomposed(['axis'], oneHot, 9),
  Hardmax: decomposed(['axis'], hardmax, 1),
};
