import { poolStride, type DType, type KernelSpec } from '@hearth/core';
import { arr } from './util.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];
type Pair = [number, number];

/** conv2d: NCHW x, OIHW weights, zero padding, stride, dilation, groups, optional bias; sums in float64. */
const conv2d: KernelSpec = {
  op: 'conv2d',
  device: 'cpu',
  dtypes: FLOATS,
  run([x, w, bias], out, attrs) {
    const xa = arr(x!);
    const wa = arr(w!);
    const ba = bias ? arr(bias) : undefined;
    const o = arr(out);
    const [N, C, H, W] = x!.shape as number[] as [number, number, number, number];
    const [O, Cg, KH, KW] = w!.shape as number[] as [number, number, number, number];
    const [OH, OW] = [out.shape[2]!, out.shape[3]!];
    const [sh, sw] = attrs['stride'] as Pair;
    const [ph, pw] = attrs['padding'] as Pair;
    const [dh, dw] = attrs['dilation'] as Pair;
    const groups = attrs['groups'] as number;
    const Og = O / groups;
    let at = 0;
    // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
    for (let n = 0; n < N; n++) {
      for (let oc = 0; oc < O; oc++) {
        const c0 = Math.floor(oc / Og) * Cg;
        const b = ba ? ba[oc]! : 0;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            let acc = 0;
            for (let c = 0; c < Cg; c++) {
              const xPlane = (n * C + c0 + c) * H;
              const wPlane = (oc * Cg + c) * KH;
              for (let ky = 0; ky < KH; ky++) {
                const iy = oy * sh - ph + ky * dh;
                if (iy < 0 || iy >= H) continue;
                const xRow = (xPlane + iy) * W;
                const wRow = (wPlane + ky) * KW;
                for (let kx = 0; kx < KW; kx++) {
                  const ix = ox * sw - pw + kx * dw;
                  if (ix >= 0 && ix < W) acc += xa[xRow + ix]! * wa[wRow + kx]!;
                }
              }
            }
            o[at++] = acc + b;
          }
        }
      }
    }
  },
};

/**
 * Walks every pooling window of NCHW x and stores `finish(...)`. A window's padded part is never read:
 * max ignores it, and avg counts it only through the divisor (PyTorch's rule: the window clipped to the
 * padded input when countIncludePad, else the real elements only).
 */
function poolKernel(op: string, avg: boolean): KernelSpec {
  return {
    op,
    device: 'cpu',
    dtypes: FLOATS,
    run([x], out, attrs) {
      const xa = arr(x!);
      const o = arr(out);
      const [N, C, H, W] = x!.shape as number[] as [number, number, number, number];
      const [OH, OW] = [out.shape[2]!, out.shape[3]!];
      const [kh, kw] = attrs['kernelSize'] as Pair;
      const [sh, sw] = poolStride(attrs);
      const [ph, pw] = attrs['padding'] as Pair;
      const includePad = avg && (attrs['countIncludePad'] as boolean);
      let at = 0;
      // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
      for (let plane = 0; plane < N * C; plane++) {
        const base = plane * H * W;
        for (let oy = 0; oy < OH; oy++) {
          const y0 = oy * sh - ph;
          const y1 = Math.min(y0 + kh, H + ph);
          const ys = Math.max(y0, 0);
          const ye = Math.min(y1, H);
          for (let ox = 0; ox < OW; ox++) {
            const x0 = ox * sw - pw;
            const x1 = Math.min(x0 + kw, W + pw);
            const xs = Math.max(x0, 0);
            const xe = Math.min(x1, W);
            let acc = avg ? 0 : -Infinity;
            for (let y = ys; y < ye; y++) {
              const row = base + y * W;
              if (avg) for (let xx = xs; xx < xe; xx++) acc += xa[row + xx]!;
              else for (let xx = xs; xx < xe; xx++) acc = Math.max(acc, xa[row + xx]!);
            }
            if (avg) acc /= includePad ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs);
            o[at++] = acc;
          }
        }
      }
    },
  };
}

/** conv2d and the 2-D pools. */
export const CONV_KERNELS: readonly KernelSpec[] = [conv2d, poolKernel('max_pool2d', false), poolKernel('avg_pool2d', true)];
