import { HearthError } from '../errors.js';
import { attr } from './attrs.js';
import { attrOf, promoted, type OpSchema } from './schema.js';

/** The coordinate transformation modes of `resize` (ONNX Resize, opset 13+). */
export type CoordinateTransformationMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';
/** How `resize`'s nearest mode rounds a source coordinate. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

/**
 * The source coordinate of output index `x` along one axis, by ONNX Resize's rules: `scale` is the
 * `scales` entry when given, else outSize / inSize.
 */
export function resizeSource(mode: CoordinateTransformationMode, x: number, scale: number, inSize: number, outSize: number): number {
  switch (mode) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outSize > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outSize > 1 ? (x * (inSize - 1)) / (outSize - 1) : 0;
    case 'asymmetric':
      return x / scale;
  }
}

/** The input index nearest mode picks for a source coordinate, clamped to [0, inSize - 1]. */
export function nearestIndex(mode: NearestMode, src: number, inSize: number): number {
  const i = mode === 'round_prefer_floor' ? Math.ceil(src - 0.5) : mode === 'round_prefer_ceil' ? Math.floor(src + 0.5) : mode === 'floor' ? Math.floor(src) : Math.ceil(src);
  return Math.min(Math.max(i, 0), inSize - 1);
}

/** `resize`: nearest and bilinear resampling of the last two axes. */
export const RESIZE_OP: OpSchema = {
  name: 'resize',
  family: 'resize',
  doc:
    'Resizes the last two axes to `sizes` (ONNX Resize, opset 13+): each output index maps to a source coordinate by ' +
    '`coordinateTransformationMode` with the scale `scales[i]` (outSize / inSize when null); `nearest` takes the input ' +
    'index `nearestMode` rounds it to, clamped to the input; `linear` interpolates bilinearly, the coordinate clamped to ' +
    '[0, in - 1] first. NaN inputs propagate to the outputs that read them.',
  inputs: [promoted('x')],
  attrs: {
    sizes: attr.ints({ min: 0, length: 2 }),
    scales: attr.positives({ length: 2 }),
    mode: attr.oneOf(['nearest', 'linear'] as const, { default: 'nearest' }),
    coordinateTransformationMode: attr.oneOf(['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const, { default: 'half_pixel' }),
    nearestMode: attr.oneOf(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const, { default: 'round_prefer_floor' }),
  },
  compute: 'promote',
  output: 'compute',
  computeDtypes: 'float',
  meta(ins, attrs) {
    const x = ins[0]!.shape;
    if (x.length < 2) throw new HearthError('E_SHAPE', `resize: x must have rank >= 2 (it resizes the last two axes), got [${x.join(', ')}].`, { shape: x });
    const [oh, ow] = attrOf<number[]>(attrs, 'sizes') as [number, number];
    const h = x[x.length - 2]!;
    const w = x[x.length - 1]!;
    if ((h === 0 && oh > 0) || (w === 0 && ow > 0)) {
      throw new HearthError('E_SHAPE', `resize: an empty axis (input ${h}x${w}) cannot be resized to ${oh}x${ow}.`, { shape: x, sizes: [oh, ow] });
    }
    return [...x.slice(0, -2), oh, ow];
  },
  since: 2,
};
