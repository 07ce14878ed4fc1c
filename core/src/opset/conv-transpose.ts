import { HearthError } from '../errors.js';
import { attr } from './attrs.js';
import { attrOf, type OpSchema } from './schema.js';
import { CONV_INPUTS, requireBias, requireNCHW } from './conv.js';

type Pair = [number, number];

/** The output size of a transposed convolution along one axis. */
export function transposedOutput(size: number, kernel: number, stride: number, pad: number, dilation: number, outputPadding: number): number {
  return (size - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1;
}

/** `conv_transpose2d`: the gradient of conv2d with respect to its input, as PyTorch and ONNX define it. */
export const CONV_TRANSPOSE_OP: OpSchema = {
  name: 'conv_transpose2d',
  family: 'conv',
  doc:
    'Transposed convolution of NCHW x with weights [C_in, C_out / groups, kH, kW] (PyTorch, ONNX ConvTranspose), optional ' +
    'bias [C_out]: each input pixel scatters its weighted kernel at stride, dilation, less padding; out H = (H - 1)·sh - 2·ph + ' +
    'dh·(kH - 1) + oph + 1 (W alike). outputPadding must be below max(stride, dilation) on its axis.',
  inputs: CONV_INPUTS,
  attrs: {
    stride: attr.pair({ default: 1, min: 1 }),
    padding: attr.pair({ default: 0, min: 0 }),
    outputPadding: attr.pair({ default: 0, min: 0 }),
    dilation: attr.pair({ default: 1, min: 1 }),
    groups: attr.int({ default: 1, min: 1 }),
  },
  compute: 'float',
  output: 'compute',
  computeDtypes: 'float',
  meta(ins, attrs) {
    const x = ins[0]!.shape;
    const w = ins[1]!.shape;
    requireNCHW('conv_transpose2d', x);
    if (w.length !== 4) throw new HearthError('E_SHAPE', `conv_transpose2d: weight must be [C_in, C_out / groups, kH, kW] (rank 4), got [${w.join(', ')}].`, { w });
    const [n, c, h, wd] = x as [number, number, number, number];
    const [ci, og, kh, kw] = w as [number, number, number, number];
    const groups = attrOf<number>(attrs, 'groups');
    if (c % groups !== 0) throw new HearthError('E_ATTR', `conv_transpose2d: groups = ${groups} must divide the input channels (${c}).`, { groups, c });
    if (ci !== c) throw new HearthError('E_SHAPE', `conv_transpose2d: weight [${w.join(', ')}] is for ${ci} input channels, but x has ${c}.`, { x, w });
    const o = og * groups;
    requireBias('conv_transpose2d', ins[2], o);
    const [sh, sw] = attrOf<Pair>(attrs, 'stride');
    const [ph, pw] = attrOf<Pair>(attrs, 'padding');
    const [oph, opw] = attrOf<Pair>(attrs, 'outputPadding');
    const [dh, dw] = attrOf<Pair>(attrs, 'dilation');
    if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
      throw new HearthError('E_ATTR', `conv_transpose2d: outputPadding (${oph}, ${opw}) must be below max(stride, dilation) on each axis (${Math.max(sh, dh)}, ${Math.max(sw, dw)}).`, { outputPadding: [oph, opw] });
    }
    const oh = transposedOutput(h, kh, sh, ph, dh, oph);
    const ow = transposedOutput(wd, kw, sw, pw, dw, opw);
    if (oh < 0 || ow < 0 || (h * wd > 0 && (oh === 0 || ow === 0))) {
      throw new HearthError('E_SHAPE', `conv_transpose2d: padding (${ph}, ${pw}) leaves no output for the ${h}x${wd} input and ${kh}x${kw} kernel.`, { x, w });
    }
    return [n, o, Math.max(oh, 0), Math.max(ow, 0)];
  },
  since: 2,
};
