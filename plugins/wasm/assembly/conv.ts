// conv2d as im2col and the packed GEMM, fused per chunk of output pixels. im2col is written straight into
// the GEMM's packed-B layout: column q of the K x N matrix (K = C·KH·KW, N = OH·OW) is output pixel q,
// row p is (c, ky, kx); panel j holds columns 8j..8j+7.
import { claim } from './split';
import { gemmPanels, PANELS } from './gemm';

const NR: i32 = 8;

/** One input value or 0 in the padding. */
@inline
function pixel(x: usize, H: i32, W: i32, c: i32, iy: i32, ix: i32): f32 {
  return iy >= 0 && iy < H && ix >= 0 && ix < W ? load<f32>(x + ((<usize>((c * H + iy) * W + ix)) << 2)) : 0;
}

/**
 * The convolution's geometry, read from the 13 i32s at `geom`: KH, KW, sh, sw, ph, pw, dh, dw, OH, OW, then
 * the images of the batch and the elements from one image to the next in x and in c.
 */
@unmanaged
class Geom {
  KH: i32; KW: i32; sh: i32; sw: i32; ph: i32; pw: i32; dh: i32; dw: i32; OH: i32; OW: i32;
  images: i32; xStep: i32; cStep: i32;
}

/** Writes panel j of the im2col matrix of image x (C x H x W) at d: K rows of 8 columns. */
@inline
function im2colPanel(x: usize, C: i32, H: i32, W: i32, g: Geom, j: i32, d: usize): void {
  const KH = g.KH, KW = g.KW, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw, dh = g.dh, dw = g.dw, OW = g.OW;
  const N = g.OH * OW;
  const q0 = j * NR;
  const oy0 = q0 / OW;
  const ox0 = q0 % OW;
  // The common case: 8 pixels of one output row at stride 1, so their inputs are 8 neighbours of one input
  // row: each (c, ky) row is found once, and each kx copies two vectors (or the run inside the padding).
  if (sw == 1 && q0 + NR <= N && ox0 + NR <= OW) {
    const zero = i32x4.splat(0);
    for (let c = 0; c < C; c++) {
      const plane = x + ((<usize>c * <usize>H * <usize>W) << 2);
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy0 * sh - ph + ky * dh;
        if (iy < 0 || iy >= H) {
          for (let kx = 0; kx < KW; kx++, d += NR << 2) {
            v128.store(d, zero);
            v128.store(d, zero, 16);
          }
          continue;
        }
        const row = plane + ((<usize>iy * <usize>W) << 2);
        for (let kx = 0; kx < KW; kx++, d += NR << 2) {
          const ix = ox0 - pw + kx * dw;
          if (ix >= 0 && ix + NR <= W) {
            const src = row + (<usize>ix << 2);
            v128.store(d, v128.load(src));
            v128.store(d, v128.load(src, 16), 16);
          } else {
            v128.store(d, zero);
            v128.store(d, zero, 16);
            for (let q = max(0, -ix), qb = min(NR, W - ix); q < qb; q++) store<f32>(d + (<usize>q << 2), load<f32>(row + (<usize>(ix + q) << 2)));
          }
        }
      }
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++, d += NR << 2) {
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

/**
 * conv2d of the images at x (C x H x W each, geom.xStep elements apart) with the packed weights pA (m output
 * channels x K = C·KH·KW) into c (m x OH·OW each, geom.cStep apart), plus bias[r] per output channel when
 * `bias` is not 0. Threads claim PANELS column panels of one image at a time and, for each chunk, pack its
 * im2col panels into their own scratch (PANELS·8·K floats per thread at `scratch`), run the GEMM on them
 * while they are in cache and add the bias: the im2col matrix never goes through memory whole. `tiles`
 * holds one 128-byte tile per thread.
 */
export function conv_f32(tid: i32, work: usize, x: usize, C: i32, H: i32, W: i32, geom: usize, pA: usize, m: i32, scratch: usize, c: usize, bias: usize, tiles: usize): void {
  const g = changetype<Geom>(geom);
  const K = C * g.KH * g.KW;
  const N = g.OH * g.OW;
  const panels = (N + NR - 1) / NR;
  const chunks = (panels + PANELS - 1) / PANELS;
  const total = chunks * g.images;
  const pB = scratch + ((<usize>tid * <usize>(PANELS * NR) * <usize>K) << 2);
  for (let u = claim(work, 1, total); u < total; u = claim(work, 1, total)) {
    const img = u / chunks;
    const xi = x + ((<usize>img * <usize>g.xStep) << 2);
    const ci = c + ((<usize>img * <usize>g.cStep) << 2);
    const j0 = (u % chunks) * PANELS;
    const j1 = min(panels, j0 + PANELS);
    for (let j = j0; j < j1; j++) im2colPanel(xi, C, H, W, g, j, pB + ((<usize>(j - j0) * <usize>K * NR) << 2));
    gemmPanels(tid, pA, pB, j0, ci, m, N, K, N, tiles, j0, j1);
    if (bias == 0) continue;
    const q1 = min(N, j1 * NR);
    for (let r = 0; r < m; r++) {
      const bv = f32x4.splat(load<f32>(bias + (<usize>r << 2)));
      const row = ci + ((<usize>r * <usize>N) << 2);
      let q = j0 * NR;
      for (; q + 4 <= q1; q += 4) v128.store(row + (<usize>q << 2), f32x4.add(v128.load(row + (<usize>q << 2)), bv));
      for (; q < q1; q++) store<f32>(row + (<usize>q << 2), load<f32>(row + (<usize>q << 2)) + f32x4.extract_lane(bv, 0));
    }
  }
}

/**
 * conv_transpose2d's scatter (col2im): `cols` holds, for each (channel, ky, kx) of og output channels, the
 * h x w products of the GEMM Wᵀ·X; each is added into its output plane (oh x ow, at o, filled with the bias
 * or 0 beforehand) at y = iy·sh - ph + ky·dh, x = ix·sw - pw + kx·dw. Output channels are claimed one at a
 * time, so no two threads write one plane. geom: the 8 i32s KH, KW, sh, sw, ph, pw, dh, dw.
 */
export function col2im_f32(tid: i32, work: usize, cols: usize, o: usize, og: i32, h: i32, w: i32, oh: i32, ow: i32, geom: usize): void {
  const g = changetype<Geom>(geom);
  const KH = g.KH, KW = g.KW, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw, dh = g.dh, dw = g.dw;
  const hw = <usize>h * <usize>w;
  for (let oc = claim(work, 1, og); oc < og; oc = claim(work, 1, og)) {
    const plane = o + ((<usize>oc * <usize>oh * <usize>ow) << 2);
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const src = cols + ((<usize>((oc * KH + ky) * KW + kx) * hw) << 2);
        const cx = kx * dw - pw;
        // The input columns that land inside the output: 0 <= ix·sw + cx < ow.
        const ix0 = cx >= 0 ? 0 : (-cx + sw - 1) / sw;
        const ix1 = min(w, (ow - cx + sw - 1) / sw);
        if (ix0 >= ix1) continue;
        for (let iy = 0; iy < h; iy++) {
          const y = iy * sh - ph + ky * dh;
          if (y < 0 || y >= oh) continue;
          const s = src + ((<usize>iy * <usize>w) << 2);
          const d = plane + ((<usize>y * <usize>ow) << 2);
          let ix = ix0;
          if (sw == 1) {
            for (; ix + 4 <= ix1; ix += 4) {
              const at = d + (<usize>(ix + cx) << 2);
              v128.store(at, f32x4.add(v128.load(at), v128.load(s + (<usize>ix << 2))));
            }
          }
          for (; ix < ix1; ix++) {
            const at = d + (<usize>(ix * sw + cx) << 2);
            store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>ix << 2)));
          }
        }
      }
    }
  }
}
