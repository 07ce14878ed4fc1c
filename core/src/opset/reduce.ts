import { HearthError } from '../errors.js';
import { normalizeAxes, normalizeAxis, sizeOf, type Shape } from '../shape.js';
import { attr, } from './attrs.js';
import { attrOf, promoted, type OpSchema, type TensorMeta, type DTypeClass, type ComputeRule, type OutputRule } from './schema.js';

/** The axes a reduction runs over, normalized and sorted; `null` means all axes. */
export function reductionAxes(shape: Shape, axes: readonly number[] | null, op: string): number[] {
  if (axes === null) return shape.map((_, i) => i);
  return normalizeAxes(axes, shape.length, op).sort((a, b) => a - b);
}

/** The shape after reducing `axes` (sorted, normalized), keeping them as 1 when `keepdims`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]!);
    else if (keepdims) out.push(1);
  }
  return out;
}

function reduction(name: string, doc: string, dtypes: DTypeClass, compute: ComputeRule, output: OutputRule, nonEmpty: boolean): OpSchema {
  return {
    name,
    family: 'reduce',
    doc,
    inputs: [promoted('x')],
    attrs: { axes: attr.ints({ nullable: true, default: null }), keepdims: attr.bool({ default: false }) },
    compute,
    output,
    computeDtypes: dtypes,
    meta(ins: readonly TensorMeta[], attrs) {
      const shape = ins[0]!.shape;
      const axes = reductionAxes(shape, attrOf<number[] | null>(attrs, 'axes'), name);
      if (nonEmpty && axes.some((a) => shape[a] === 0)) {
        throw new HearthError('E_EMPTY', `${name} over an empty axis has no identity; reduce a non-empty axis or use sum.`, { op: name, shape });
      }
      return reducedShape(shape, axes, attrOf<boolean>(attrs, 'keepdims'));
    },
  };
}

function argReduction(name: string, doc: string): OpSchema {
  return {
    name,
    family: 'reduce',
    doc,
    inputs: [promoted('x')],
    attrs: { axis: attr.intOrNull({ default: null }), keepdims: attr.bool({ default: false }) },
    compute: 'promote',
    output: 'int32',
    computeDtypes: 'numeric',
    meta(ins, attrs) {
      const shape = ins[0]!.shape;
      const axis = attrOf<number | null>(attrs, 'axis');
      if (axis === null) {
        if (sizeOf(shape) === 0) throw new HearthError('E_EMPTY', `${name} of an empty tensor is undefined; pass a non-empty tensor.`, { op: name, shape });
        return attrOf<boolean>(attrs, 'keepdims') ? shape.map(() => 1) : [];
      }
      const a = normalizeAxis(axis, shape.length, name);
      if (shape[a] === 0) throw new HearthError('E_EMPTY', `${name} over an empty axis is undefined; pass a non-empty axis.`, { op: name, shape });
      return reducedShape(shape, [a], attrOf<boolean>(attrs, 'keepdims'));
    },
  };
}

/** Reductions over `axes` (null: all) with `keepdims`; argmax/argmin over one `axis` (null: flattened). */
export const REDUCE_OPS: readonly OpSchema[] = [
  reduction('sum', 'Sum; 0 over an empty axis (the sign of a zero result is unspecified). int32 wraps around.', 'numeric', 'promote', 'compute', false),
  reduction('mean', 'Arithmetic mean in a float dtype; NaN over an empty axis.', 'float', 'float', 'compute', false),
  reduction('max', 'Maximum; NaN if any element is NaN. An empty axis is an E_EMPTY error.', 'numeric', 'promote', 'compute', true),
  reduction('min', 'Minimum; NaN if any element is NaN. An empty axis is an E_EMPTY error.', 'numeric', 'promote', 'compute', true),
  reduction('prod', 'Product; 1 over an empty axis. int32 wraps around.', 'numeric', 'promote', 'compute', false),
  argReduction('argmax', 'Index of the maximum along `axis` (flattened when null); the first one on ties; a NaN counts as the maximum.'),
  argReduction('argmin', 'Index of the minimum along `axis` (flattened when null); the first one on ties; a NaN counts as the minimum.'),
];

function softmaxLike(name: string, doc: string): OpSchema {
  return {
    name,
    family: 'softmax',
    doc,
    inputs: [promoted('x')],
    attrs: { axis: attr.int({ default: -1 }) },
    compute: 'float',
    output: 'compute',
    computeDtypes: 'float',
    meta(ins, attrs) {
      const shape = ins[0]!.shape;
      normalizeAxis(attrOf<number>(attrs, 'axis'), shape.length, name);
      return shape;
    },
  };
}

/** softmax and log_softmax along one axis, computed stably (the max is subtracted first). */
export const SOFTMAX_OPS: readonly OpSchema[] = [
  softmaxLike('softmax', 'exp(x - max) / sum(exp(x - max)) along `axis`; stable for large inputs; a NaN makes its slice NaN; a slice holding +Inf is unspecified.'),
  softmaxLike('log_softmax', '(x - max) - log(sum(exp(x - max))) along `axis`; stable for large inputs.'),
];
