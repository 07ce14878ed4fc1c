import { HearthError, normalizeAxis, type Tensor } from '@hearth/core';
import { deviceDtype, type HostValue } from '../values.js';
import { elementType } from '../proto.js';
import { outputsAtMost, type OnnxOp, type OpContext, type OpTable } from './context.js';
import { hasOp } from './elementwise.js';
import { expandedShape, flattened, reshapeTarget, sliceArgs, splitSizes, squeezed, unsqueezed } from './shapes.js';

const op = (attrs: readonly string[], run: (c: OpContext) => Tensor | readonly Tensor[], kind: OnnxOp['kind'] = 'primitive', extra: Partial<OnnxOp> = {}): OnnxOp => ({ kind, attrs, run, ...extra });

/**
 * Dropout for inference: the identity. From opset 12 `training_mode` (an input, read before the node runs)
 * may ask for a random mask with `ratio` (0.5 by default), which Hearth does not draw: that is E_UNSUPPORTED,
 * not a silent identity. A ratio of 0 keeps every element, so it is the identity in training mode too. The
 * optional mask output is then all true.
 */
function dropout(c: OpContext): Tensor | Tensor[] {
  const training = c.opset >= 12 && c.has(2) && c.scalar(2) !== 0;
  if (training && (c.has(1) ? c.scalar(1)! : 0.5) !== 0) {
    throw new HearthError('E_UNSUPPORTED', `${c.where}: training_mode = true drops elements at random; Hearth runs Dropout for inference. Feed training_mode = false, or export the model in eval mode.`, { node: c.node.name });
  }
  const x = c.tensor(0);
  const y = c.hearth.reshape(x, x.shape);
  return c.node.outputs[1] ? [y, c.hearth.full(x.shape, 1, { dtype: 'bool', device: x.device })] : y;
}

/** Axes from an attribute before `from`, from input `i` after. */
const axesOf = (c: OpContext, from: number, i: number): number[] | undefined => (c.opset < from ? (c.node.attrs.get('axes') as number[] | undefined) : c.numbers(i));

/** Pad's pads (ONNX: all begins then all ends) as Hearth's [before, after] pairs per axis. */
function padPairs(c: OpContext, rank: number): number[] {
  const pads = c.opset < 11 ? (c.attr<readonly number[]>('pads', []) as number[]) : (c.numbers(1) ?? []);
  const axes = c.opset >= 18 && c.has(3) ? c.numbers(3)!.map((a) => normalizeAxis(a, rank)) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * axes.length) throw new HearthError('E_ATTR', `${c.where}: pads has ${pads.length} values; ${2 * axes.length} are needed (begins then ends).`);
  const out = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    out[2 * a] = pads[i]!;
    out[2 * a + 1] = pads[i + axes.length]!;
  });
  return out;
}

/** Tile as reshape -> expand -> reshape: [d0, d1] repeated [r0, r1] is [1, d0, 1, d1] broadcast to [r0, d0, r1, d1]. */
function tile(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const reps = c.numbers(1)!;
  if (hasOp('tile')) return h.op('tile', [x], { repeats: reps });
  return h.scope(() => {
    const spread = x.shape.flatMap((d) => [1, d]);
    const big = x.shape.flatMap((d, i) => [reps[i]!, d]);
    return h.reshape(h.expand(h.reshape(x, spread), big), x.shape.map((d, i) => d * reps[i]!));
  });
}

function split(c: OpContext): Tensor[] {
  const h = c.hearth;
  const x = c.tensor(0);
  const axis = normalizeAxis(c.attr('axis', 0), x.rank);
  const given = c.opset < 13 ? (c.node.attrs.get('split') as number[] | undefined) : c.numbers(1);
  const sizes = splitSizes(x.shape[axis]!, given, c.attr('num_outputs', c.node.outputs.length));
  let start = 0;
  return sizes.map((s) => {
    const t = h.slice(x, { starts: [start], ends: [start + s], axes: [axis] });
    start += s;
    return t;
  });
}

/** DepthToSpace on N, C, H, W: DCR takes the blocks depth-first, CRD channel-first (ONNX's two modes). */
function depthToSpace(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const b = c.attr('blocksize', 0);
  const [n, ch, hh, w] = x.shape as [number, number, number, number];
  const crd = c.attr('mode', 'DCR') === 'CRD';
  const blocks = crd ? h.reshape(x, [n, ch / (b * b), b, b, hh, w]) : h.reshape(x, [n, b, b, ch / (b * b), hh, w]);
  return h.reshape(h.transpose(blocks, crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]), [n, ch / (b * b), hh * b, w * b]);
}

/** SpaceToDepth on N, C, H, W: each b x b block becomes b * b channels, depth-first. */
function spaceToDepth(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const b = c.attr('blocksize', 0);
  const [n, ch, hh, w] = x.shape as [number, number, number, number];
  const blocks = h.transpose(h.reshape(x, [n, ch, hh / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
  return h.reshape(blocks, [n, ch * b * b, hh / b, w / b]);
}

/**
 * GatherND as one gather: the first `batch_dims` axes and the `k` indexed ones of `data` flattened into one,
 * each index tuple turned into a position along it (negative indices counted from the end).
 */
function gatherND(c: OpContext): Tensor {
  const h = c.hearth;
  const data = c.tensor(0);
  const indices = h.cast(c.tensor(1), 'int32');
  const b = c.attr('batch_dims', 0);
  const k = indices.shape[indices.rank - 1]!;
  const dims = data.shape.slice(b, b + k);
  const size = (xs: readonly number[]) => xs.reduce((p, q) => p * q, 1);
  const strides = Int32Array.from(dims, (_, j) => size(dims.slice(j + 1)));
  const wrapped = h.where(h.lt(indices, 0), h.add(indices, h.tensor(Int32Array.from(dims), { dtype: 'int32', shape: [k], device: data.device })), indices);
  let flat: Tensor = h.sum(h.mul(wrapped, h.tensor(strides, { dtype: 'int32', shape: [k], device: data.device })), [-1]);
  const batches = data.shape.slice(0, b);
  if (b > 0) {
    const lead = [...batches, ...new Array<number>(flat.rank - b).fill(1)];
    flat = h.add(flat, h.mul(h.reshape(h.arange(0, size(batches), 1, { dtype: 'int32', device: data.device }), lead), size(dims)));
  }
  return h.gather(h.reshape(data, [size(batches) * size(dims), ...data.shape.slice(b + k)]), flat, 0); // the node's scope frees the rest
}

/** Movement and shape ops on device tensors (their host evaluation is in host.ts). */
export const MOVEMENT_OPS: OpTable = {
  Identity: op([], (c) => c.hearth.reshape(c.tensor(0), c.tensor(0).shape)),
  Dropout: op(['seed', 'ratio', 'is_test'], dropout, 'primitive', { check: outputsAtMost(2) }),
  CastLike: op(['saturate'], (c) => c.hearth.cast(c.tensor(0), c.dtype(1)), 'primitive', { since: 15 }),
  DepthToSpace: op(['blocksize', 'mode'], depthToSpace, 'decomposed'),
  SpaceToDepth: op(['blocksize'], spaceToDepth, 'decomposed'),
  Cast: op(['to', 'saturate'], (c) => c.hearth.cast(c.tensor(0), deviceDtype(elementType(c.attr('to', 0), `${c.where} attribute "to"`)))),
  Reshape: op(['allowzero'], (c) => c.hearth.reshape(c.tensor(0), reshapeTarget(c.shape(0), c.numbers(1)!, c.attr('allowzero', 0) !== 0)), 'primitive', {
    check: (_n, opset) => (opset < 5 ? 'Reshape before opset 5 (shape as an attribute)' : undefined),
  }),
  Flatten: op(['axis'], (c) => c.hearth.reshape(c.tensor(0), flattened(c.shape(0), c.attr('axis', 1)))),
  Squeeze: op(['axes'], (c) => c.hearth.reshape(c.tensor(0), squeezed(c.shape(0), axesOf(c, 13, 1)))),
  Unsqueeze: op(['axes'], (c) => c.hearth.reshape(c.tensor(0), unsqueezed(c.shape(0), axesOf(c, 13, 1) ?? []))),
  Transpose: op(['perm'], (c) => c.hearth.transpose(c.tensor(0), c.node.attrs.get('perm') as number[] | undefined)),
  Concat: op(['axis'], (c) => c.hearth.concat(Array.from({ length: c.inputCount }, (_, i) => c.tensor(i)), c.attr('axis', 0))),
  GatherND: op(['batch_dims'], gatherND, 'decomposed', { since: 11 }),
  Gather: op(['axis'], (c) => c.hearth.gather(c.tensor(0), c.tensor(1), c.attr('axis', 0))),
  Expand: op([], (c) => c.hearth.expand(c.tensor(0), expandedShape(c.shape(0), c.numbers(1)!))),
  Slice: op(['starts', 'ends', 'axes'], (c) => {
    const [starts, ends, axes, steps] =
      c.opset < 10
        ? [c.attr<readonly number[]>('starts', []), c.attr<readonly number[]>('ends', []), c.node.attrs.get('axes') as number[] | undefined, undefined]
        : [c.numbers(1)!, c.numbers(2)!, c.numbers(3), c.numbers(4)];
    return c.hearth.slice(c.tensor(0), sliceArgs(c.shape(0), starts as number[], ends as number[], axes, steps));
  }),
  Pad: op(['mode', 'pads', 'value'], (c) => {
    const x = c.tensor(0);
    const value = c.opset < 11 ? c.attr('value', 0) : (c.scalar(2) ?? 0);
    const mode = c.attr('mode', 'constant') as 'constant' | 'reflect' | 'edge';
    return c.hearth.pad(x, padPairs(c, x.rank), { mode, value });
  }, 'primitive', { check: (n) => (['constant', 'reflect', 'edge'].includes((n.attrs.get('mode') as string) ?? 'constant') ? undefined : `mode "${n.attrs.get('mode')}"`) }),
  Tile: op([], tile, hasOp('tile') ? 'primitive' : 'decomposed'),
  Split: op(['axis', 'split', 'num_outputs'], split, 'decomposed'),
  // Shape and Size read only their input's shape: they always run on the host (host.ts); these give the same
  // result as a device tensor for completeness.
  Shape: op(['start', 'end'], (c) => {
    const dims = c.shape(0);
    const norm = (v: number) => Math.max(0, Math.min(dims.length, v < 0 ? v + dims.length : v));
    const s = dims.slice(norm(c.attr('start', 0)), norm(c.attr('end', dims.length)));
    return c.hearth.tensor(Int32Array.from(s), { dtype: 'int32', device: c.device });
  }),
  Size: op([], (c) => c.hearth.tensor(c.shape(0).reduce((a, b) => a * b, 1), { dtype: 'int32', device: c.device })),
  ConstantOfShape: op(['value'], (c) => {
    const v = c.node.attrs.get('value') as HostValue | undefined;
    const type = v ? deviceDtype(v.type) : 'float32';
    return c.hearth.full(c.numbers(0)!, v ? v.data[0]! : 0, { dtype: type, device: c.device });
  }),
  Range: op([], (c) => {
    const [start, limit, delta] = [c.scalar(0)!, c.scalar(1)!, c.scalar(2)!];
    const dtype = c.dtype(0);
    return c.hearth.arange(start, limit, delta, { dtype, device: c.device });
  }),
};
