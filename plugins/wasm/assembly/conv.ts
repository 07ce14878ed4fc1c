// im2col for conv2d, written straight into the GEMM's packed-B layout: column q of the K x N matrix
// (K = C·KH·KW, N = OH·OW) is output pixel q, row p is (c, ky, kx); panel j holds columns 8j..8j+7.
import { claim } from './split';

const NR: i32 = 8;

/** One input value or 0 in the padding. */
@inline
function pixel(x: usize, H: i32, W: i32, c: i32, iy: i32, ix: i32): f32 {
  return iy >= 0 && iy < H && ix >= 0 && ix < W ? load<f32>(x + ((<usize>((c * H + iy) * W + ix)) << 2)) : 0;
}

/**
 * Packs the im2col matrix of image x (C x H x W), panels claimed one at a time. `geom` points at 10 i32s:
 * KH, KW, sh, sw, ph, pw, dh, dw, OH, OW.
 */
export function im2col_f32(tid: i32, work: usize, x: usize, C: i32, H: i32, W: i32, geom: usize, pB: usize): void {
  const KH = load<i32>(geom), KW = load<i32>(geom, 4);
  const sh = load<i32>(geom, 8), sw = load<i32>(geom, 12);
  const ph = load<i32>(geom, 16), pw = load<i32>(geom, 20);
  const dh = load<i32>(geom, 24), dw = load<i32>(geom, 28);
  const OH = load<i32>(geom, 32), OW = load<i32>(geom, 36);
  const N = OH * OW;
  const K = C * KH * KW;
  const panels = (N + NR - 1) / NR;
  for (let j = claim(work, 1, panels); j < panels; j = claim(work, 1, panels)) {
    const q0 = j * NR;
    const oy0 = q0 / OW;
    const ox0 = q0 % OW;
    // The common case: 8 pixels of one output row at stride 1, so their inputs are 8 neighbours.
    const oneRow = sw == 1 && q0 + NR <= N && ox0 + NR <= OW;
    let d = pB + ((<usize>j * <usize>K * NR) << 2);
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++, d += NR << 2) {
          if (oneRow) {
            const iy = oy0 * sh - ph + ky * dh;
            const ix = ox0 - pw + kx * dw;
            if (iy < 0 || iy >= H) {
              v128.store(d, i32x4.splat(0));
              v128.store(d, i32x4.splat(0), 16);
            } else if (ix >= 0 && ix + NR <= W) {
              const src = x + ((<usize>((c * H + iy) * W + ix)) << 2);
              v128.store(d, v128.load(src));
              v128.store(d, v128.load(src, 16), 16);
            } else {
              for (let q = 0; q < NR; q++) store<f32>(d + (<usize>q << 2), pixel(x, H, W, c, iy, ix + q));
            }
          } else {
            for (let q = 0; q < NR; q++) {
              const col = q0 + q;
              let v: f32 = 0;
              if (col < N) {
                const oy = col / OW;
                const ox = col % OW;
                v = pixel(x, H, W, c, oy * sh - ph + ky * dh, ox * sw - pw + kx * dw);
              }
              store<f32>(d + (<usize>q << 2), v);
            }
          }
        }
      }
    }
  }
}
