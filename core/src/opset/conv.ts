import { HearthError } from '../errors.js';
import { attr } from './attrs.js';
import { attrOf, promoted, type OpSchema } from './schema.js';

type Pair = [number, number];

/** The output size of a sliding window along one axis. */
export function windowOutput(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil = false): number {
  const span = dilation * (kernel - 1) + 1;
  const room = size + 2 * pad - span;
  if (room < 0) return 0;
  const n = (ceil ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
  // PyTorch's rule: the last window must start inside the input or its left padding.
  return ceil && (n - 1) * stride >= size + pad ? n - 1 : n;
}

/** Refuses an `x` that is not NCHW (rank 4). */
export function requireNCHW(op: string, shape: readonly number[]): void {
  if (shape.length !== 4) throw new HearthError('E_SHAPE', `${op}: x must be NCHW (rank 4), got [${shape.join(', ')}].`, { shape });
}

/** Refuses a bias that is not one value per output channel. */
export function requireBias(op: string, bias: { readonly shape: readonly number[] } | undefined, outChannels: number): void {
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outChannels)) {
    throw new HearthError('E_SHAPE', `${op}: bias must have shape [${outChannels}], got [${bias.shape.join(', ')}].`, { bias: bias.shape });
  }
}

/** The inputs of a convolution: x, weight, and an optional bias, all promoted to one float dtype. */
export const CONV_INPUTS = [promoted('x', 'float'), promoted('weight', 'float'), { name: 'bias', dtypes: 'float', promote: true, optional: true }] as const;

/** conv2d (NCHW, OIHW weights, optional bias), max_pool2d and avg_pool2d. */
export const CONV_OPS: readonly OpSchema[] = [
  {
    name: 'conv2d',
    family: 'conv',
    doc: 'Cross-correlation of NCHW x with OIHW weights (I = C / groups), zero padding, stride, dilation, groups, optional bias [O].',
    inputs: CONV_INPUTS,
    attrs: {
      stride: attr.pair({ default: 1, min: 1 }),
      padding: attr.pair({ default: 0, min: 0 }),
      dilation: attr.pair({ default: 1, min: 1 }),
      groups: attr.int({ default: 1, min: 1 }),
    },
    compute: 'float',
    output: 'compute',
    computeDtypes: 'float',
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      const w = ins[1]!.shape;
      requireNCHW('conv2d', x);
      if (w.length !== 4) throw new HearthError('E_SHAPE', `conv2d: weight must be OIHW (rank 4), got [${w.join(', ')}].`, { w });
      const groups = attrOf<number>(attrs, 'groups');
      const [n, c, h, wd] = x as [number, number, number, number];
      const [o, ig, kh, kw] = w as [number, number, number, number];
      if (c % groups !== 0 || o % groups !== 0) {
        throw new HearthError('E_ATTR', `conv2d: groups=${groups} must divide both input channels (${c}) and output channels (${o}).`, { groups, c, o });
      }
      if (ig !== c / groups) {
        throw new HearthError('E_SHAPE', `conv2d: weight [${w.join(', ')}] expects ${ig} channels per group, but x has ${c} channels in ${groups} group(s) (${c / groups} each).`, { x, w });
      }
      if (kh === 0 || kw === 0) {
        throw new HearthError('E_SHAPE', `conv2d: the weight [${w.join(', ')}] has a ${kh}x${kw} kernel; a kernel has at least one row and one column.`, { w });
      }
      requireBias('conv2d', ins[2], o);
      const [sh, sw] = attrOf<Pair>(attrs, 'stride');
      const [ph, pw] = attrOf<Pair>(attrs, 'padding');
      const [dh, dw] = attrOf<Pair>(attrs, 'dilation');
      const oh = windowOutput(h, kh, sh, ph, dh);
      const ow = windowOutput(wd, kw, sw, pw, dw);
      if ((oh === 0 || ow === 0) && h * wd > 0) {
        throw new HearthError('E_SHAPE', `conv2d: the ${kh}x${kw} kernel (dilation ${dh}x${dw}) does not fit the padded ${h}x${wd} input.`, { x, w });
      }
      return [n, o, oh, ow];
    },
  },
  pool('max_pool2d', 'Maximum over each window (padding never wins; NaN propagates).', { ceilMode: attr.bool({ default: false }) }),
  pool('avg_pool2d', 'Mean over each window; `countIncludePad` decides whether zero padding counts in the divisor (a window reaching past the padding in ceil mode never counts that part, as in PyTorch).', {
    ceilMode: attr.bool({ default: false }),
    countIncludePad: attr.bool({ default: true }),
  }),
];

function pool(name: string, doc: string, extra: OpSchema['attrs']): OpSchema {
  return {
    name,
    family: 'conv',
    doc,
    inputs: [promoted('x', 'float')],
    attrs: { kernelSize: attr.pair({ min: 1 }), stride: attr.pairOrNull({ min: 1 }), padding: attr.pair({ default: 0, min: 0 }), ...extra },
    compute: 'float',
    output: 'compute',
    computeDtypes: 'float',
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      requireNCHW(name, x);
      const [kh, kw] = attrOf<Pair>(attrs, 'kernelSize');
      const [sh, sw] = poolStride(attrs);
      const [ph, pw] = attrOf<Pair>(attrs, 'padding');
      if (ph * 2 > kh || pw * 2 > kw) {
        throw new HearthError('E_ATTR', `${name}: padding (${ph}, ${pw}) must be at most half the kernel (${kh}, ${kw}).`, { padding: [ph, pw] });
      }
      const ceil = attrOf<boolean>(attrs, 'ceilMode');
      const oh = windowOutput(x[2]!, kh, sh, ph, 1, ceil);
      const ow = windowOutput(x[3]!, kw, sw, pw, 1, ceil);
      if (oh === 0 || ow === 0) throw new HearthError('E_SHAPE', `${name}: the ${kh}x${kw} window does not fit the ${x[2]}x${x[3]} input.`, { x });
      return [x[0]!, x[1]!, oh, ow];
    },
  };
}

/** A pool's stride: the `stride` attribute, or the window size when it is null. */
export function poolStride(attrs: Readonly<Record<string, unknown>>): Pair {
  return (attrs['stride'] as Pair | null) ?? (attrs['kernelSize'] as Pair);
}
