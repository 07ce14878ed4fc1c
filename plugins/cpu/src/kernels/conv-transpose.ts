import type { KernelSpec } from '@hearth/core';
import { arr } from './util.js';

type Pair = [number, number];

/** conv_transpose2d: each input pixel scatters its weighted kernel into a float64 accumulator. */
export const CONV_TRANSPOSE_KERNELS: readonly KernelSpec[] = [
  {
    op: 'conv_transpose2d',
    device: 'cpu',
    dtypes: ['float32', 'float64'],
    run([x, weight, bias], out, attrs) {
      const a = arr(x!);
      const w = arr(weight!);
      const b = bias ? arr(bias) : undefined;
      const [n, c, h, wd] = x!.shape as [number, number, number, number];
      const [, og, kh, kw] = weight!.shape as [number, number, number, number];
      const [, oc, oh, ow] = out.shape as [number, number, number, number];
      const [sh, sw] = attrs['stride'] as Pair;
      const [ph, pw] = attrs['padding'] as Pair;
      const [dh, dw] = attrs['dilation'] as Pair;
      const cg = c / (attrs['groups'] as number);
      const acc = new Float64Array(out.size);
      for (let bi = 0; bi < n; bi++) {
        for (let ci = 0; ci < c; ci++) {
          const g = Math.floor(ci / cg);
          for (let iy = 0; iy < h; iy++) {
            for (let ix = 0; ix < wd; ix++) {
              const v = a[((bi * c + ci) * h + iy) * wd + ix]!;
              for (let o = 0; o < og; o++) {
                const plane = (bi * oc + g * og + o) * oh;
                const wBase = (ci * og + o) * kh;
                for (let ky = 0; ky < kh; ky++) {
                  const y = iy * sh - ph + ky * dh;
                  if (y < 0 || y >= oh) continue;
                  for (let kx = 0; kx < kw; kx++) {
                    const xo = ix * sw - pw + kx * dw;
                    if (xo < 0 || xo >= ow) continue;
                    acc[(plane + y) * ow + xo]! += v * w[(wBase + ky) * kw + kx]!;
                  }
                }
              }
            }
          }
        }
      }
      const o = arr(out);
      const planeSize = oh * ow;
      for (let i = 0; i < o.length; i++) o[i] = acc[i]! + (b ? b[Math.floor(i / planeSize) % oc]! : 0);
    },
  },
];
