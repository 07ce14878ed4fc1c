import { nearestIndex, resizeSource, type CoordinateTransformationMode, type KernelSpec, type NearestMode } from '@hearth/core';
import { arr } from './util.js';

/** For one axis: the two neighbours and the weight of the second, per output index (bilinear). */
function linearTaps(mode: CoordinateTransformationMode, inSize: number, outSize: number, scale: number) {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const w = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = Math.min(Math.max(resizeSource(mode, i, scale, inSize, outSize), 0), inSize - 1);
    lo[i] = Math.floor(src);
    hi[i] = Math.min(lo[i]! + 1, inSize - 1);
    w[i] = src - lo[i]!;
  }
  return { lo, hi, w };
}

/** resize: per output index of each of the last two axes, its source taps are found once, then reused. */
export const RESIZE_KERNELS: readonly KernelSpec[] = [
  {
    op: 'resize',
    device: 'cpu',
    dtypes: ['float32', 'float64'],
    run([x], out, attrs) {
      const a = arr(x!);
      const o = arr(out);
      const rank = x!.shape.length;
      const [ih, iw] = [x!.shape[rank - 2]!, x!.shape[rank - 1]!];
      const [oh, ow] = [out.shape[rank - 2]!, out.shape[rank - 1]!];
      const scales = (attrs['scales'] as number[] | null) ?? [oh / ih, ow / iw];
      const mode = attrs['coordinateTransformationMode'] as CoordinateTransformationMode;
      const planes = ih * iw === 0 ? 0 : o.length / (oh * ow);
      if (attrs['mode'] === 'nearest') {
        const nearest = attrs['nearestMode'] as NearestMode;
        const ys = Array.from({ length: oh }, (_, i) => nearestIndex(nearest, resizeSource(mode, i, scales[0]!, ih, oh), ih));
        const xs = Array.from({ length: ow }, (_, i) => nearestIndex(nearest, resizeSource(mode, i, scales[1]!, iw, ow), iw));
        for (let p = 0, k = 0; p < planes; p++) {
          for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) o[k++] = a[p * ih * iw + ys[y]! * iw + xs[xo]!]!;
        }
        return;
      }
      const ty = linearTaps(mode, ih, oh, scales[0]!);
      const tx = linearTaps(mode, iw, ow, scales[1]!);
      for (let p = 0, k = 0; p < planes; p++) {
        const base = p * ih * iw;
        for (let y = 0; y < oh; y++) {
          const r0 = base + ty.lo[y]! * iw;
          const r1 = base + ty.hi[y]! * iw;
          const wy = ty.w[y]!;
          for (let xo = 0; xo < ow; xo++) {
            const c0 = tx.lo[xo]!;
            const c1 = tx.hi[xo]!;
            const wx = tx.w[xo]!;
            const top = a[r0 + c0]! * (1 - wx) + a[r0 + c1]! * wx;
            const bottom = a[r1 + c0]! * (1 - wx) + a[r1 + c1]! * wx;
            o[k++] = top * (1 - wy) + bottom * wy;
          }
        }
      }
    },
  },
];
