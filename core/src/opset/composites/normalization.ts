import { HearthError } from '../../errors.js';
import { broadcastShapes, normalizeAxis, type Shape } from '../../shape.js';
import { attr } from '../attrs.js';
import { attrOf, promoted, type OpBuilder, type OpSchema, type TensorMeta } from '../schema.js';
import { bound, composite, ops } from './define.js';

const optional = (name: string) => ({ ...promoted(name, 'float'), optional: true });
const normBound = bound(16, 64, '16 ULP, or 64 epsilons of the normalized scale: a mean, a variance and a division, each with its own roundings.');

/** Throws unless `param` is a vector of the channel count `c` (axis 1 of x). */
function checkChannels(op: string, x: Shape, params: readonly (TensorMeta | undefined)[], names: readonly string[], minRank = 2): void {
  if (x.length < minRank) throw new HearthError('E_SHAPE', `${op}: x must have rank >= ${minRank} with channels on axis 1, got [${x.join(', ')}].`, { shape: x });
  params.forEach((p, i) => {
    if (p && (p.shape.length !== 1 || p.shape[0] !== x[1])) {
      throw new HearthError('E_SHAPE', `${op}: ${names[i]} must have shape [${x[1]}] (one value per channel), got [${p.shape.join(', ')}].`, { [names[i]!]: p.shape });
    }
  });
}

/** (x - mean) / sqrt(var + epsilon) over `axes` (kept as size 1), the shared body of every normalization. */
function normalize<T extends TensorMeta>(b: OpBuilder<T>, x: T, axes: readonly number[], epsilon: number, dtype: Parameters<typeof ops>[1]): T {
  const f = ops(b, dtype);
  const d = f.sub(x, f.mean(x, axes));
  const variance = f.mean(f.mul(d, d), axes);
  return f.div(d, f.sqrt(f.add(variance, epsilon)));
}

/** Multiplies by a per-channel scale and adds a per-channel bias, both reshaped to [C, 1, ...] for x's rank. */
function affine<T extends TensorMeta>(b: OpBuilder<T>, y: T, scale: T | undefined, bias: T | undefined, rank: number, dtype: Parameters<typeof ops>[1]): T {
  const f = ops(b, dtype);
  const asChannel = (p: T) => f.reshape(p, [p.shape[0]!, ...new Array<number>(rank - 2).fill(1)]);
  const scaled = scale ? f.mul(y, asChannel(scale)) : y;
  return bias ? f.add(scaled, asChannel(bias)) : scaled;
}

const epsilon = attr.number({ default: 1e-5 });

/** Normalizations (inference forms): each a mean, a variance and an affine map, over different axes. */
export const NORMALIZATION_COMPOSITES: readonly OpSchema[] = [
  composite({
    name: 'layer_norm',
    family: 'normalization',
    doc:
      'ONNX LayerNormalization: (x - mean) / sqrt(var + epsilon) over the axes from `axis` to the last (biased variance), ' +
      'times `scale` plus `bias` (optional, each broadcast to x.shape[axis:]). A slice holding NaN or ±Inf gives NaN.',
    inputs: [promoted('x', 'float'), optional('scale'), optional('bias')],
    attrs: { axis: attr.int({ default: -1 }), epsilon },
    bound: normBound,
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      const axis = normalizeAxis(attrOf<number>(attrs, 'axis'), x.length, 'layer_norm');
      const inner = x.slice(axis);
      for (const [i, name] of [[1, 'scale'], [2, 'bias']] as const) {
        const p = ins[i];
        if (p && (p.shape.length > inner.length || broadcastShapes(p.shape, inner).some((d, k) => d !== inner[k]))) {
          throw new HearthError('E_SHAPE', `layer_norm: ${name} [${p.shape.join(', ')}] must broadcast to the normalized shape [${inner.join(', ')}].`, { [name]: p.shape });
        }
      }
      return x;
    },
    decompose(b, [x, scale, bias], attrs, dtype) {
      const f = ops(b, dtype);
      const axis = normalizeAxis(attrOf<number>(attrs, 'axis'), x!.shape.length);
      const axes = x!.shape.map((_, i) => i).filter((i) => i >= axis);
      const y = normalize(b, x!, axes, attrOf<number>(attrs, 'epsilon'), dtype);
      const scaled = scale ? f.mul(y, scale) : y;
      return bias ? f.add(scaled, bias) : scaled;
    },
  }),
  composite({
    name: 'batch_norm',
    family: 'normalization',
    doc: 'Inference batch normalization (ONNX BatchNormalization, training_mode = 0): (x - mean) / sqrt(var + epsilon) · scale + bias, each parameter [C] on axis 1 of x.',
    inputs: [promoted('x', 'float'), promoted('scale', 'float'), promoted('bias', 'float'), promoted('mean', 'float'), promoted('var', 'float')],
    attrs: { epsilon },
    bound: bound(8, 16, '8 ULP, or 16 epsilons of the result scale: a subtraction, a square root, a division and an affine map.'),
    meta(ins) {
      checkChannels('batch_norm', ins[0]!.shape, ins.slice(1), ['scale', 'bias', 'mean', 'var']);
      return ins[0]!.shape;
    },
    decompose(b, [x, scale, bias, mean, variance], attrs, dtype) {
      const f = ops(b, dtype);
      const rank = x!.shape.length;
      const ch = (p: typeof x) => f.reshape(p!, [p!.shape[0]!, ...new Array<number>(rank - 2).fill(1)]);
      const y = f.div(f.sub(x!, ch(mean)), f.sqrt(f.add(ch(variance), attrOf<number>(attrs, 'epsilon'))));
      return affine(b, y, scale, bias, rank, dtype);
    },
  }),
  composite({
    name: 'instance_norm',
    family: 'normalization',
    doc: 'ONNX InstanceNormalization: each (n, c) slice normalized over the spatial axes 2.. (biased variance, epsilon), then scale and bias [C].',
    inputs: [promoted('x', 'float'), promoted('scale', 'float'), promoted('bias', 'float')],
    attrs: { epsilon },
    bound: normBound,
    meta(ins) {
      checkChannels('instance_norm', ins[0]!.shape, ins.slice(1), ['scale', 'bias'], 3);
      return ins[0]!.shape;
    },
    decompose(b, [x, scale, bias], attrs, dtype) {
      const rank = x!.shape.length;
      const axes = x!.shape.map((_, i) => i).filter((i) => i >= 2);
      return affine(b, normalize(b, x!, axes, attrOf<number>(attrs, 'epsilon'), dtype), scale, bias, rank, dtype);
    },
  }),
  composite({
    name: 'group_norm',
    family: 'normalization',
    doc: 'Group normalization (ONNX GroupNormalization-21, PyTorch group_norm): the C channels split into `numGroups` groups, each (n, group) normalized over its channels and spatial axes, then scale and bias [C] per channel.',
    inputs: [promoted('x', 'float'), promoted('scale', 'float'), promoted('bias', 'float')],
    attrs: { numGroups: attr.int({ min: 1 }), epsilon },
    bound: normBound,
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      checkChannels('group_norm', x, ins.slice(1), ['scale', 'bias'], 3);
      const g = attrOf<number>(attrs, 'numGroups');
      if (x[1]! % g !== 0) throw new HearthError('E_ATTR', `group_norm: numGroups = ${g} must divide the ${x[1]} channels.`, { numGroups: g, channels: x[1] });
      return x;
    },
    decompose(b, [x, scale, bias], attrs, dtype) {
      const f = ops(b, dtype);
      const shape = x!.shape;
      const g = attrOf<number>(attrs, 'numGroups');
      const grouped = f.reshape(x!, [shape[0]!, g, shape.slice(1).reduce((a, d) => a * d, 1) / g]);
      const y = f.reshape(normalize(b, grouped, [2], attrOf<number>(attrs, 'epsilon'), dtype), shape);
      return affine(b, y, scale, bias, shape.length, dtype);
    },
  }),
];
