import { HearthError, type Hearth, type Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';
import { hasOp } from './elementwise.js';
import { batchNormTraining, withLayerNormStats } from './nn.js';

// Mappings onto opset v2's primitives and composites. Each is in the table only where the runtime's core has
// the op, so a core with opset v1 reports these ONNX ops as unmapped rather than failing while running.

const one = (attrs: readonly string[], run: (c: OpContext) => Tensor | readonly Tensor[], extra: Partial<OnnxOp> = {}): OnnxOp => ({ kind: 'primitive', attrs, run, ...extra });
const when = (op: string, table: OpTable): OpTable => (hasOp(op) ? table : {});

/** Resize's and Upsample's attribute values Hearth's `resize` covers. */
const RESIZE_MODES = ['nearest', 'linear'];
const TRANSFORMS = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

function resizeCheck(node: Parameters<NonNullable<OnnxOp['check']>>[0], opset: number): string | undefined {
  const mode = (node.attrs.get('mode') as string | undefined) ?? 'nearest';
  if (!RESIZE_MODES.includes(mode)) return `mode "${mode}" (Hearth resizes nearest and linear)`;
  const ct = node.attrs.get('coordinate_transformation_mode') as string | undefined;
  if (ct !== undefined && !TRANSFORMS.includes(ct)) return `coordinate_transformation_mode "${ct}"`;
  const nm = node.attrs.get('nearest_mode') as string | undefined;
  if (nm !== undefined && !NEAREST_MODES.includes(nm)) return `nearest_mode "${nm}"`;
  if (node.attrs.get('antialias')) return 'antialias = 1';
  const policy = node.attrs.get('keep_aspect_ratio_policy') as string | undefined;
  if (policy !== undefined && policy !== 'stretch') return `keep_aspect_ratio_policy "${policy}"`;
  if (opset < 10 && node.opType === 'Resize') return 'Resize before opset 10';
  return undefined;
}

/**
 * Resize (opset 10: X, scales; 11+: X, roi, scales, sizes) and Upsample (7: scales attribute; 9: input) of
 * the last two axes. Before opset 11 the transform is asymmetric with floor for nearest, as ONNX defined it.
 */
function resize(c: OpContext): Tensor {
  const x = c.tensor(0);
  const legacy = c.node.opType === 'Upsample' || c.opset < 11;
  const scales = c.node.opType === 'Upsample' && c.opset < 9 ? (c.node.attrs.get('scales') as number[] | undefined) : c.numbers(legacy ? 1 : 2);
  const sizes = legacy ? undefined : c.numbers(3);
  const rank = x.rank;
  const axes = (c.node.attrs.get('axes') as number[] | undefined)?.map((a) => (a < 0 ? a + rank : a));
  const full = (v: number[] | undefined, fill: number) => {
    if (!v || v.length === 0) return undefined;
    if (!axes) return v;
    const out = new Array<number>(rank).fill(fill);
    axes.forEach((a, i) => (out[a] = v[i]!));
    return out;
  };
  const s = full(scales, 1);
  const z = full(sizes, -1)?.map((d, i) => (d < 0 ? x.shape[i]! : d));
  const lead = (v: readonly number[], same: (d: number, i: number) => boolean) => v.slice(0, rank - 2).every(same);
  if ((s && !lead(s, (d) => d === 1)) || (z && !lead(z, (d, i) => d === x.shape[i]))) {
    throw new HearthError('E_UNSUPPORTED', `${c.where}: Hearth resizes the last two axes only; scales [${s ?? ''}] sizes [${z ?? ''}].`, { node: c.node.name });
  }
  const out = z ? z.slice(-2) : [Math.floor(x.shape[rank - 2]! * s![rank - 2]!), Math.floor(x.shape[rank - 1]! * s![rank - 1]!)];
  const mode = c.attr('mode', 'nearest');
  return c.hearth.op('resize', [x], {
    sizes: out,
    scales: !z && s ? s.slice(-2) : null,
    mode: mode === 'linear' || mode === 'bilinear' ? 'linear' : 'nearest',
    coordinateTransformationMode: legacy ? 'asymmetric' : c.attr('coordinate_transformation_mode', 'half_pixel'),
    nearestMode: legacy ? 'floor' : c.attr('nearest_mode', 'round_prefer_floor'),
  });
}

/**
 * ConvTranspose, 2-D, and 1-D as 2-D over a leading spatial axis of size 1 (N, C, 1, L; kernel 1, stride 1,
 * no padding there): uneven pads become the smaller symmetric padding and a crop of the extra.
 */
function convTranspose(c: OpContext): Tensor {
  const h = c.hearth;
  const x = c.tensor(0);
  if (x.rank === 3) {
    const w = c.tensor(1);
    const lifted = (name: string) => {
      const v = c.node.attrs.get(name) as number[] | undefined;
      if (!v) return undefined;
      if (name === 'pads') return [0, v[0]!, 0, v[1]!];
      return name === 'output_shape' ? [1, v[v.length - 1]!] : [name === 'output_padding' ? 0 : 1, v[0]!];
    };
    const as4d = (t: Tensor) => h.reshape(t, [t.shape[0]!, t.shape[1]!, 1, t.shape[2]!]);
    const y = convTranspose2d(c, as4d(x), as4d(w), lifted);
    return h.reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
  }
  if (x.rank !== 4) throw new HearthError('E_UNSUPPORTED', `${c.where}: Hearth runs 1-D and 2-D ConvTranspose (inputs of rank 3 or 4), got rank ${x.rank}.`, { node: c.node.name });
  return convTranspose2d(c, x, c.tensor(1), (name) => c.node.attrs.get(name) as number[] | undefined);
}

/** ConvTranspose of a 4-D input, with the node's list attributes read through `ints`. */
function convTranspose2d(c: OpContext, x: Tensor, w: Tensor, ints: (name: string) => readonly number[] | undefined): Tensor {
  const h = c.hearth;
  const pair = (name: string, dflt: number): [number, number] => {
    const v = ints(name);
    return [v?.[0] ?? dflt, v?.[1] ?? dflt];
  };
  const stride = pair('strides', 1);
  const dilation = pair('dilations', 1);
  const outputPadding = pair('output_padding', 0);
  const pads = transposePads(c, [x.shape[2]!, x.shape[3]!], [w.shape[2]!, w.shape[3]!], stride, dilation, outputPadding, ints);
  const padding: [number, number] = [Math.min(pads[0]!, pads[2]!), Math.min(pads[1]!, pads[3]!)];
  return h.scope(() => {
    const y = h.op('conv_transpose2d', c.has(2) ? [x, w, c.tensor(2)] : [x, w], {
      stride,
      padding,
      outputPadding,
      dilation,
      groups: c.attr('group', 1),
    });
    if (pads[0] === pads[2] && pads[1] === pads[3]) return y;
    // The side with more padding loses that many more rows or columns.
    const [H, W] = [y.shape[2]!, y.shape[3]!];
    const top = pads[0]! - padding[0];
    const left = pads[1]! - padding[1];
    return h.slice(y, { starts: [top, left], ends: [H - (pads[2]! - padding[0]), W - (pads[3]! - padding[1])], axes: [2, 3] });
  });
}

/**
 * ConvTranspose's pads (begins, then ends): the `pads` attribute, or, where `output_shape` or SAME auto_pad
 * sets the output size (SAME: input x stride), the total padding that gives it, split as ONNX specifies
 * (SAME_UPPER puts the odd one at the end, the others at the beginning). A size past the natural one (a
 * negative total) is reached with more output_padding, which `outputPadding` takes.
 */
function transposePads(
  c: OpContext,
  input: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
  outputPadding: [number, number],
  ints: (name: string) => readonly number[] | undefined,
): number[] {
  const auto = c.attr('auto_pad', 'NOTSET');
  const shape = ints('output_shape')?.slice(-2);
  if (!shape && auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') return [...(auto === 'VALID' ? [] : (ints('pads') ?? [])), 0, 0, 0, 0].slice(0, 4);
  const pads = [0, 0, 0, 0];
  for (let i = 0; i < 2; i++) {
    const out = shape ? shape[i]! : input[i]! * stride[i]!;
    const total = stride[i]! * (input[i]! - 1) + outputPadding[i]! + (kernel[i]! - 1) * dilation[i]! + 1 - out;
    if (total < 0) {
      outputPadding[i] -= total;
      continue;
    }
    const half = Math.floor(total / 2);
    [pads[i], pads[i + 2]] = auto === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
  }
  return pads;
}

function topk(c: OpContext): Tensor[] {
  const h = c.hearth;
  const x = c.tensor(0);
  const k = c.opset < 10 ? c.attr('k', 0) : c.scalar(1)!;
  const axis = c.attr('axis', -1);
  const indices = h.op('topk', [x], { k, axis, largest: c.attr('largest', 1) !== 0 });
  return [h.op('gather_elements', [x, indices], { axis }), indices];
}

/** The ONNX ops that need opset v2, and the v1 mappings v2's composites replace with one op. */
export const V2_OPS: OpTable = {
  ...when('mod', { Mod: one(['fmod'], (c) => c.hearth.op('mod', [c.tensor(0), c.tensor(1)], { fmod: c.attr('fmod', 0) !== 0 })) }),
  ...when('cumsum', {
    CumSum: one(['exclusive', 'reverse'], (c) => c.hearth.op('cumsum', [c.tensor(0)], { axis: c.scalar(1)!, exclusive: c.attr('exclusive', 0) !== 0, reverse: c.attr('reverse', 0) !== 0 })),
  }),
  ...when('topk', { TopK: { kind: 'decomposed', attrs: ['axis', 'largest', 'sorted', 'k'], run: topk } }),
  ...when('gather_elements', { GatherElements: one(['axis'], (c) => c.hearth.op('gather_elements', [c.tensor(0), c.tensor(1)], { axis: c.attr('axis', 0) })) }),
  ...when('resize', {
    Resize: one(['mode', 'coordinate_transformation_mode', 'nearest_mode', 'cubic_coeff_a', 'exclude_outside', 'extrapolation_value', 'antialias', 'axes', 'keep_aspect_ratio_policy'], resize, { check: resizeCheck }),
    Upsample: one(['mode', 'scales'], resize, { check: resizeCheck }),
  }),
  ...when('conv_transpose2d', {
    ConvTranspose: one(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'output_padding', 'output_shape', 'auto_pad'], convTranspose),
  }),
  ...when('random_uniform', {
    RandomUniform: one(['shape', 'seed', 'low', 'high', 'dtype'], (c) =>
      c.hearth.op('random_uniform', [], { shape: c.attr<readonly number[]>('shape', []), seed: Math.trunc(Math.abs(c.attr('seed', 0))), low: c.attr('low', 0), high: c.attr('high', 1) }, { device: c.device })),
    RandomNormal: one(['shape', 'seed', 'mean', 'scale', 'dtype'], (c) =>
      c.hearth.op('random_normal', [], { shape: c.attr<readonly number[]>('shape', []), seed: Math.trunc(Math.abs(c.attr('seed', 0))), mean: c.attr('mean', 0), std: c.attr('scale', 1) }, { device: c.device })),
  }),
};

/** A composite's one op for an ONNX op that v1 decomposes, when the core has it. */
export function composite(op: string, run: (h: Hearth, c: OpContext) => Tensor | Tensor[]): (((c: OpContext) => Tensor | Tensor[]) & { readonly op: string }) | undefined {
  return hasOp(op) ? Object.assign((c: OpContext) => run(c.hearth, c), { op }) : undefined;
}

/** Where opset v2 has a composite for an ONNX op, the mapping that hands the whole node to it. */
export const V2_COMPOSITES: Readonly<Record<string, ((c: OpContext) => Tensor | Tensor[]) & { readonly op: string }>> = Object.fromEntries(
  Object.entries({
    LayerNormalization: composite('layer_norm', (h, c) =>
      withLayerNormStats(c, h.op('layer_norm', c.has(2) ? [c.tensor(0), c.tensor(1), c.tensor(2)] : [c.tensor(0), c.tensor(1)], c.fixedAttrs('layer_norm', () => ({ axis: c.attr('axis', -1), epsilon: c.attr('epsilon', 1e-5) })))),
    ),
    BatchNormalization: composite('batch_norm', (h, c) =>
      c.attr('training_mode', 0) ? batchNormTraining(c) : h.op('batch_norm', [0, 1, 2, 3, 4].map((i) => c.tensor(i)), c.fixedAttrs('batch_norm', () => ({ epsilon: c.attr('epsilon', 1e-5) }))),
    ),
    InstanceNormalization: composite('instance_norm', (h, c) => h.op('instance_norm', [0, 1, 2].map((i) => c.tensor(i)), c.fixedAttrs('instance_norm', () => ({ epsilon: c.attr('epsilon', 1e-5) })))),
    Gemm: composite('linear', (h, c) => h.op('linear', c.has(2) ? [0, 1, 2].map((i) => c.tensor(i)) : [c.tensor(0), c.tensor(1)], c.fixedAttrs('linear', () => ({ transA: c.attr('transA', 0) !== 0, transB: c.attr('transB', 0) !== 0, alpha: c.attr('alpha', 1), beta: c.attr('beta', 1) })))),
    HardSigmoid: composite('hard_sigmoid', (h, c) => h.op('hard_sigmoid', [c.tensor(0)], { alpha: c.attr('alpha', 0.2), beta: c.attr('beta', 0.5) })),
    HardSwish: composite('hard_swish', (h, c) => h.op('hard_swish', [c.tensor(0)])),
    LeakyRelu: composite('leaky_relu', (h, c) => h.op('leaky_relu', [c.tensor(0)], { alpha: c.attr('alpha', 0.01) })),
    Elu: composite('elu', (h, c) => h.op('elu', [c.tensor(0)], { alpha: c.attr('alpha', 1) })),
    Softplus: composite('softplus', (h, c) => h.op('softplus', [c.tensor(0)])),
    Softsign: composite('softsign', (h, c) => h.op('softsign', [c.tensor(0)])),
  }).filter((e): e is [string, ((c: OpContext) => Tensor | Tensor[]) & { readonly op: string }] => e[1] !== undefined),
);
