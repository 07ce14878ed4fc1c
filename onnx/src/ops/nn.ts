import { HearthError, type Hearth, type Tensor } from '@hearth/core';
import type { Attribute, GraphNode } from '../graph.js';
import { outputsAtMost, type OnnxOp, type OpContext, type OpTable } from './context.js';

/** The window attributes of Conv and the pools, as Hearth's symmetric 2-D pairs plus any extra padding. */
interface Window {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** Symmetric padding per axis. */
  padding: [number, number];
  /** Padding beyond the symmetric part, as Hearth `pad` pairs for the 4-D input, or undefined. */
  extra?: number[];
  /** All the padding, as Hearth `pad` pairs for the 4-D input. */
  pads: number[];
}

const pair = (v: readonly number[] | undefined, dflt: number): [number, number] => [v?.[0] ?? dflt, v?.[1] ?? dflt];

type Attrs = GraphNode['attrs'];

/**
 * A 1-D node's window attributes as 2-D ones, over a leading spatial axis of size 1 (its kernel 1, stride 1,
 * no padding): ONNX's 1-D Conv and pools run as 2-D ones on N, C, 1, L.
 */
function lift1d(attrs: Attrs): Attrs {
  const out = new Map(attrs);
  for (const k of ['strides', 'dilations', 'kernel_shape']) if (out.has(k)) out.set(k, [1, (out.get(k) as number[])[0]!]);
  const pads = attrs.get('pads') as number[] | undefined;
  if (pads) out.set('pads', [0, pads[0]!, 0, pads[1]!]);
  return out;
}

/**
 * Reads kernel_shape, strides, dilations, pads and auto_pad for a 4-D input. ONNX pads are begins then ends;
 * where a begin and its end differ, the difference becomes explicit padding before the op.
 */
function windowOf(attrs: Attrs, spatial: readonly number[], kernel: readonly number[]): Window {
  const stride = pair(attrs.get('strides') as number[] | undefined, 1);
  const dilation = pair(attrs.get('dilations') as number[] | undefined, 1);
  const k = pair(kernel, 1);
  const auto = (attrs.get('auto_pad') as string | undefined) ?? 'NOTSET';
  let pads = [...((attrs.get('pads') as number[] | undefined) ?? [0, 0, 0, 0])];
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    for (let i = 0; i < 2; i++) {
      const out = Math.ceil(spatial[i]! / stride[i]!);
      const total = Math.max(0, (out - 1) * stride[i]! + (k[i]! - 1) * dilation[i]! + 1 - spatial[i]!);
      const small = Math.floor(total / 2);
      pads[i] = auto === 'SAME_UPPER' ? small : total - small;
      pads[i + 2] = total - pads[i]!;
    }
  } else if (auto === 'VALID') pads = [0, 0, 0, 0];
  const padding: [number, number] = [Math.min(pads[0]!, pads[2]!), Math.min(pads[1]!, pads[3]!)];
  const asym = pads[0] !== pads[2] || pads[1] !== pads[3];
  const extra = asym ? [0, 0, 0, 0, pads[0]! - padding[0], pads[2]! - padding[0], pads[1]! - padding[1], pads[3]! - padding[1]] : undefined;
  return { kernel: k, stride, dilation, padding, extra, pads: [0, 0, 0, 0, pads[0]!, pads[2]!, pads[1]!, pads[3]!] };
}

/** Runs a 2-D op on a 3-D (N, C, L) input as N, C, 1, L, with the node's attributes lifted to 2-D. */
function as2d(c: OpContext, x: Tensor, fn: (x4: Tensor, attrs: Attrs) => Tensor): Tensor {
  const h = c.hearth;
  if (x.rank === 4) return fn(x, c.node.attrs);
  if (x.rank !== 3) throw new HearthError('E_UNSUPPORTED', `${c.where}: Hearth runs 1-D and 2-D ${c.node.opType} (inputs of rank 3 or 4), got rank ${x.rank}.`, { node: c.node.name });
  return h.scope(() => {
    const y = fn(h.reshape(x, [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]), lift1d(c.node.attrs));
    return h.reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
  });
}

function conv(c: OpContext): Tensor {
  const h = c.hearth;
  const w = c.tensor(1);
  return as2d(c, c.tensor(0), (x4, attrs) => {
    const w4 = w.rank === 3 ? h.reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]) : w;
    const win = windowOf(attrs, x4.shape.slice(2), [w4.shape[2]!, w4.shape[3]!]);
    const input = win.extra ? h.pad(x4, win.extra) : x4;
    return h.conv2d(input, w4, c.optTensor(2) ?? null, { stride: win.stride, padding: win.padding, dilation: win.dilation, groups: c.attr('group', 1) });
  });
}

/** A 2-D pool of a 4-D input with the window attributes in `attrs` (ceil_mode and count_include_pad the node's). */
function pool2d(c: OpContext, max: boolean, x4: Tensor, attrs: Attrs): Tensor {
  const h = c.hearth;
  const win = windowOf(attrs, x4.shape.slice(2), (attrs.get('kernel_shape') as number[] | undefined) ?? []);
  const ceilMode = c.attr('ceil_mode', 0) !== 0;
  const countIncludePad = max || c.attr('count_include_pad', 0) !== 0;
  // Hearth's pools take symmetric padding of at most half the kernel (PyTorch's rule); ONNX takes any pads.
  // The rest is padded explicitly before the pool: -inf for max, zeros for the mean.
  const fits = win.padding.every((p, i) => p <= Math.floor(win.kernel[i]! / 2));
  if (fits && (!win.extra || countIncludePad)) {
    const input = win.extra ? h.pad(x4, win.extra, max ? { value: -Infinity } : {}) : x4;
    const options = { kernelSize: win.kernel, stride: win.stride, padding: win.padding, ceilMode };
    return max ? h.max_pool2d(input, options) : h.avg_pool2d(input, { ...options, countIncludePad });
  }
  const options = { kernelSize: win.kernel, stride: win.stride, padding: [0, 0] as [number, number], ceilMode };
  if (max) return h.max_pool2d(h.pad(x4, win.pads, { value: -Infinity }), options);
  const mean = h.avg_pool2d(h.pad(x4, win.pads), options);
  if (countIncludePad) return mean;
  // Without the pads in the divisor: the window sums over the window counts of real elements, both as means.
  const real = h.avg_pool2d(h.pad(h.ones([1, 1, x4.shape[2]!, x4.shape[3]!], { dtype: x4.dtype, device: x4.device }), win.pads), options);
  return h.div(mean, real);
}

/** ONNX pads of N spatial axes (begins, then ends), with auto_pad resolved. */
function resolvedPads(attrs: Attrs, spatial: readonly number[], kernel: readonly number[], strides: readonly number[]): number[] {
  const auto = (attrs.get('auto_pad') as string | undefined) ?? 'NOTSET';
  const n = spatial.length;
  if (auto === 'VALID') return new Array<number>(2 * n).fill(0);
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') return [...((attrs.get('pads') as number[] | undefined) ?? new Array<number>(2 * n).fill(0))];
  const pads = new Array<number>(2 * n);
  spatial.forEach((size, i) => {
    const total = Math.max(0, (Math.ceil(size / strides[i]!) - 1) * strides[i]! + kernel[i]! - size);
    const small = Math.floor(total / 2);
    pads[i] = auto === 'SAME_UPPER' ? small : total - small;
    pads[i + n] = total - pads[i]!;
  });
  return pads;
}

/**
 * A 3-D pool as two 2-D ones: over H and W with D folded into the channels, then over D with H and W
 * flattened. A max over a box is the max over D of the maxima over H and W; a mean is the mean over D of the
 * means over H and W, the window counts being products of per-axis counts, pads in or out of them alike.
 */
function pool3d(c: OpContext, max: boolean, x: Tensor): Tensor {
  const h = c.hearth;
  const [n, ch, d, hh, w] = x.shape as [number, number, number, number, number];
  const kernel = c.attr<readonly number[]>('kernel_shape', []);
  const strides = c.attr<readonly number[]>('strides', [1, 1, 1]);
  const pads = resolvedPads(c.node.attrs, [d, hh, w], kernel, strides);
  const stage = (k: number[], s: number[], p: number[]): Attrs => new Map<string, Attribute>([['kernel_shape', k], ['strides', s], ['pads', p]]);
  const hw = pool2d(c, max, h.reshape(x, [n, ch * d, hh, w]), stage([kernel[1]!, kernel[2]!], [strides[1]!, strides[2]!], [pads[1]!, pads[2]!, pads[4]!, pads[5]!]));
  const [oh, ow] = [hw.shape[2]!, hw.shape[3]!];
  const y = pool2d(c, max, h.reshape(hw, [n, ch, d, oh * ow]), stage([kernel[0]!, 1], [strides[0]!, 1], [pads[0]!, 0, pads[3]!, 0]));
  return h.reshape(y, [n, ch, y.shape[2]!, oh, ow]);
}

const pool = (max: boolean): OnnxOp => ({
  kind: 'primitive',
  attrs: ['kernel_shape', 'strides', 'pads', 'auto_pad', 'ceil_mode', 'dilations', 'storage_order', 'count_include_pad'],
  check: (node: GraphNode) => {
    const d = node.attrs.get('dilations') as number[] | undefined;
    if (d && d.some((v) => v !== 1)) return 'dilations other than 1';
    if (node.attrs.get('storage_order')) return 'storage_order = 1';
    return outputsAtMost(1)(node);
  },
  // Runs in the node's scope, which frees the intermediates. Hearth's pools are float: an integer MaxPool
  // (uint8 and int8 ones, held as int32) runs on float32, exact for every value below 2^24, and goes back.
  run: (c) => {
    const x = c.tensor(0);
    const int = x.dtype === 'int32';
    const xf = int ? c.hearth.cast(x, 'float32') : x;
    const y = xf.rank === 5 ? pool3d(c, max, xf) : as2d(c, xf, (x4, attrs) => pool2d(c, max, x4, attrs));
    return int ? c.hearth.cast(y, 'int32') : y;
  },
});

/** The spatial axes of an N, C, ... tensor. */
const spatialAxes = (x: Tensor) => Array.from({ length: x.rank - 2 }, (_, i) => i + 2);

/** A per-channel [C] parameter shaped to broadcast against N, C, ... */
const perChannel = (h: Hearth, p: Tensor, rank: number) => h.reshape(p, [p.shape[0]!, ...new Array<number>(rank - 2).fill(1)]);

/** Inference BatchNormalization: (x - mean) / sqrt(var + eps) * scale + bias, per channel. */
function batchNorm(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  return h.scope(() => {
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(h, c.tensor(i), x.rank));
    const k = h.mul(scale!, h.rsqrt(h.add(variance!, c.attr('epsilon', 1e-5))));
    return h.add(h.mul(h.sub(x, mean!), k), bias!);
  });
}

/** The axes LayerNormalization normalises over: from `axis` on. */
function layerNormAxes(c: OpContext, rank: number): number[] {
  const axis = c.attr('axis', -1);
  const from = axis < 0 ? axis + rank : axis;
  return Array.from({ length: rank - from }, (_, i) => from + i);
}

/**
 * LayerNormalization's outputs: `y`, then its optional Mean and InvStdDev (1 / sqrt(var + epsilon)) over the
 * normalised axes, kept as 1, when the node names them.
 */
export function withLayerNormStats(c: OpContext, y: Tensor): Tensor | Tensor[] {
  if (!c.node.outputs.slice(1).some((o) => o !== '')) return y;
  const h = c.hearth;
  const x = c.tensor(0);
  const axes = layerNormAxes(c, x.rank);
  const mean = h.mean(x, axes, true);
  const centred = h.sub(x, mean); // the node's scope frees it
  return [y, mean, h.rsqrt(h.add(h.mean(h.mul(centred, centred), axes, true), c.attr('epsilon', 1e-5)))];
}

/**
 * BatchNormalization with training_mode = 1 (opset 14+): normalised by the batch's own mean and (biased)
 * variance over every axis but the channels; the running mean and variance outputs move towards them by
 * 1 - momentum, as ONNX defines.
 */
export function batchNormTraining(c: OpContext): Tensor[] {
  const h = c.hearth;
  const x = c.tensor(0);
  const axes = [0, ...spatialAxes(x)];
  const mean = h.mean(x, axes, true);
  const centred = h.sub(x, mean);
  const variance = h.mean(h.mul(centred, centred), axes, true);
  const [scale, bias] = [1, 2].map((i) => perChannel(h, c.tensor(i), x.rank));
  const y = h.add(h.mul(h.mul(centred, h.rsqrt(h.add(variance, c.attr('epsilon', 1e-5)))), scale!), bias!);
  const momentum = c.attr('momentum', 0.9);
  const running = (input: Tensor, batch: Tensor) => h.add(h.mul(input, momentum), h.mul(h.reshape(batch, input.shape), 1 - momentum));
  return [y, running(c.tensor(3), mean), running(c.tensor(4), variance)]; // the node's scope frees the rest
}

/** LayerNormalization over the axes from `axis` on: (x - mean) / sqrt(var + eps) * scale + bias. */
function layerNorm(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const axes = layerNormAxes(c, x.rank);
  return h.scope(() => {
    const centred = h.sub(x, h.mean(x, axes, true));
    const variance = h.mean(h.mul(centred, centred), axes, true);
    let y = h.mul(centred, h.rsqrt(h.add(variance, c.attr('epsilon', 1e-5))));
    y = h.mul(y, c.tensor(1));
    return c.has(2) ? h.add(y, c.tensor(2)) : y;
  });
}

function instanceNorm(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const axes = spatialAxes(x);
  return h.scope(() => {
    const centred = h.sub(x, h.mean(x, axes, true));
    const variance = h.mean(h.mul(centred, centred), axes, true);
    const y = h.mul(centred, h.rsqrt(h.add(variance, c.attr('epsilon', 1e-5))));
    return h.add(h.mul(y, perChannel(h, c.tensor(1), x.rank)), perChannel(h, c.tensor(2), x.rank));
  });
}

/**
 * LRN: x / (bias + alpha / size * the sum of squares over the `size` channels around each one)^beta. The
 * channel window sum is a [size, 1] mean pool over N, 1, C, spatial, times size.
 */
function lrn(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  const size = c.attr('size', 1);
  const [n, ch] = [x.shape[0]!, x.shape[1]!];
  const flat = h.reshape(x, [n, 1, ch, x.shape.slice(2).reduce((a, b) => a * b, 1)]);
  const padded = h.pad(h.mul(flat, flat), [0, 0, 0, 0, Math.floor((size - 1) / 2), Math.ceil((size - 1) / 2), 0, 0]);
  const sums = h.mul(h.avg_pool2d(padded, { kernelSize: [size, 1], stride: [1, 1], padding: [0, 0] }), size);
  const scale = h.pow(h.add(h.mul(sums, c.attr('alpha', 1e-4) / size), c.attr('bias', 1)), c.attr('beta', 0.75));
  return h.div(x, h.reshape(scale, x.shape)); // the node's scope frees the rest
}

/** Convolutions, pools and normalisations. */
export const NN_OPS: OpTable = {
  Conv: { kind: 'primitive', attrs: ['kernel_shape', 'strides', 'pads', 'auto_pad', 'dilations', 'group'], run: conv },
  MaxPool: pool(true),
  AveragePool: pool(false),
  GlobalAveragePool: { kind: 'primitive', attrs: [], run: (c) => c.hearth.mean(c.tensor(0), spatialAxes(c.tensor(0)), true) },
  GlobalMaxPool: { kind: 'primitive', attrs: [], run: (c) => c.hearth.max(c.tensor(0), spatialAxes(c.tensor(0)), true) },
  BatchNormalization: {
    kind: 'decomposed',
    attrs: ['epsilon', 'momentum', 'spatial', 'training_mode', 'is_test', 'consumed_inputs'],
    check: (node, opset) => {
      if (node.attrs.get('spatial') === 0) return 'spatial = 0';
      if (node.attrs.get('training_mode')) return opset < 14 ? 'training_mode before opset 14' : outputsAtMost(3)(node);
      return outputsAtMost(1)(node);
    },
    run: (c) => (c.attr('training_mode', 0) ? batchNormTraining(c) : batchNorm(c)),
  },
  LRN: { kind: 'decomposed', attrs: ['alpha', 'beta', 'bias', 'size'], run: lrn },
  // (x - mean) / (std + 1e-9) over `axes`, as ONNX's function body for it computes.
  MeanVarianceNormalization: {
    kind: 'decomposed',
    attrs: ['axes'],
    since: 9,
    run: (c) => {
      const h = c.hearth;
      const x = c.tensor(0);
      const axes = c.attr<readonly number[]>('axes', [0, 2, 3]).map((a) => (a < 0 ? a + x.rank : a));
      const centred = h.sub(x, h.mean(x, axes, true));
      return h.div(centred, h.add(h.sqrt(h.mean(h.mul(centred, centred), axes, true)), 1e-9));
    },
  },
  LayerNormalization: { kind: 'decomposed', attrs: ['axis', 'epsilon', 'stash_type'], since: 17, run: (c) => withLayerNormStats(c, layerNorm(c)) },
  InstanceNormalization: { kind: 'decomposed', attrs: ['epsilon'], run: instanceNorm },
};
