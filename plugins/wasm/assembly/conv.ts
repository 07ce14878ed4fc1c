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
  // The common case: 8 pixels of one output row, so each (c, ky) input row is found once. At stride 1 their
  // inputs are 8 neighbours: each kx copies two vectors (or the run inside the padding); at other strides
  // each kx gathers every sw-th pixel, with zeros in the padding.
  if (q0 + NR <= N && ox0 + NR <= OW) {
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
          const ix = ox0 * sw - pw + kx * dw;
          if (sw == 1 && ix >= 0 && ix + NR <= W) {
            const src = row + (<usize>ix << 2);
            v128.store(d, v128.load(src));
            v128.store(d, v128.load(src, 16), 16);
          } else {
            for (let q = 0; q < NR; q++) {
              const at = ix + q * sw;
              store<f32>(d + (<usize>q << 2), at >= 0 && at < W ? load<f32>(row + (<usize>at << 2)) : 0);
            }
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

/** Zeros n floats at d (a few rows: vector stores, not a memory.fill call). */
@inline
function zero(d: usize, n: i32): void {
  const z = i32x4.splat(0);
  let q = 0;
  for (; q + 4 <= n; q += 4) v128.store(d + (<usize>q << 2), z);
  for (; q < n; q++) store<f32>(d + (<usize>q << 2), 0);
}

/**
 * Copies `planes` H x W planes from x into zero-bordered (H + 2ph) x (W + 2pw) planes at xp, planes claimed
 * a few at a time. At sw > 1 each padded row is stored split by column phase: its sw phases one after the
 * other, each Wq = ceil((W + 2pw) / sw) wide (padded column j at (j % sw)·Wq + j / sw, the rest zero), so
 * a conv at horizontal stride sw reads each tap's output pixels as neighbours, as at stride 1.
 */
export function pad_f32(tid: i32, work: usize, x: usize, xp: usize, planes: i32, H: i32, W: i32, ph: i32, pw: i32, sw: i32): void {
  const Wp = W + 2 * pw;
  const Wq = (Wp + sw - 1) / sw;
  const pitch = sw * Wq;
  const Hp = H + 2 * ph;
  const rowB = <usize>pitch << 2;
  const batch = max(1, 4096 / (Hp * pitch));
  for (let p0 = claim(work, batch, planes); p0 < planes; p0 = claim(work, batch, planes)) {
    const p1 = min(planes, p0 + batch);
    for (let pl = p0; pl < p1; pl++) {
      const src = x + ((<usize>pl * <usize>H * <usize>W) << 2);
      const dst = xp + ((<usize>pl * <usize>Hp * <usize>pitch) << 2);
      zero(dst, ph * pitch);
      for (let y = 0; y < H; y++) {
        const d = dst + <usize>(y + ph) * rowB;
        const s = src + ((<usize>y * <usize>W) << 2);
        if (sw == 1) {
          for (let q = 0; q < pw; q++) {
            store<f32>(d + (<usize>q << 2), 0);
            store<f32>(d + (<usize>(pw + W + q) << 2), 0);
          }
          const dd = d + (<usize>pw << 2);
          let q = 0;
          for (; q + 4 <= W; q += 4) v128.store(dd + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
          for (; q < W; q++) store<f32>(dd + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
          continue;
        }
        for (let phase = 0; phase < sw; phase++) {
          const dd = d + ((<usize>phase * <usize>Wq) << 2);
          // Columns q read input column q·sw + phase - pw: inside the input for q in [q0, q1).
          const q0 = min(Wq, (pw - phase + sw - 1) / sw);
          const q1 = max(q0, min(Wq, (W + pw - phase + sw - 1) / sw));
          zero(dd, q0);
          let q = q0;
          if (sw == 2) {
            // Four columns from two vectors: their even or odd lanes (the 8th never past the input's row).
            for (; q + 4 <= q1 && 2 * q + phase - pw + 8 <= W; q += 4) {
              const at = s + (<usize>(2 * q + phase - pw) << 2);
              v128.store(dd + (<usize>q << 2), i32x4.shuffle(v128.load(at), v128.load(at, 16), 0, 2, 4, 6));
            }
          }
          for (; q < q1; q++) store<f32>(dd + (<usize>q << 2), load<f32>(s + (<usize>(q * sw + phase - pw) << 2)));
          zero(dd + (<usize>q1 << 2), Wq - q1);
        }
      }
      zero(dst + <usize>(ph + H) * rowB, ph * pitch);
    }
  }
}

/**
 * conv2d without im2col (an indirect GEMM, as XNNPACK's): a panel of 8 neighbouring
 * output pixels of one output row reads, for each (c, ky, kx), 8 neighbouring pixels of one row of the
 * zero-padded input xp, at the byte offset offs[(c·KH + ky)·KW + kx] from the panel's corner. So a 4x8 tile
 * of C (4 output channels of the packed weights pA, K = C·KH·KW deep) is summed over p in order straight
 * from the input, the bias added, and stored (a partial one through `tiles`, 128 bytes per thread).
 * geom: as conv_f32's, with xStep the padded image's elements (xp holds H + 2ph rows per plane, Wp elements
 * apart: at horizontal stride sw > 1, rows split by column phase as pad_f32 writes them, so sw reads as 1).
 * Threads claim PANELS panels at a time over the batch's images and output rows.
 */
export function conv_direct_f32(tid: i32, work: usize, xp: usize, Wp: i32, geom: usize, pA: usize, m: i32, K: i32, offs: usize, c: usize, bias: usize, tiles: usize): void {
  const g = changetype<Geom>(geom);
  const OH = g.OH, OW = g.OW, sh = g.sh;
  const rowPanels = (OW + NR - 1) / NR;
  const imagePanels = OH * rowPanels;
  const total = g.images * imagePanels;
  const plane = <usize>OH * <usize>OW << 2; // bytes from one output channel to the next
  const tile = tiles + (<usize>tid << 7);
  for (let u0 = claim(work, PANELS, total); u0 < total; u0 = claim(work, PANELS, total)) {
    const u1 = min(total, u0 + PANELS);
    for (let u = u0; u < u1; u++) {
      const img = u / imagePanels;
      const r = u % imagePanels;
      const y = r / rowPanels;
      const x0 = (r % rowPanels) * NR;
      const width = min(NR, OW - x0);
      const src = xp + ((<usize>img * <usize>g.xStep + <usize>(y * sh) * <usize>Wp + <usize>x0) << 2);
      const dst = c + ((<usize>img * <usize>g.cStep + <usize>y * <usize>OW + <usize>x0) << 2);
      for (let i = 0; i < m; i += 4) {
        let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        let pa = pA + ((<usize>i * <usize>K) << 2);
        for (let p = 0; p < K; p++, pa += 16) {
          const bp = src + <usize>load<i32>(offs + (<usize>p << 2));
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          let a = v128.load32_splat(pa);
          c00 = f32x4.add(c00, f32x4.mul(a, b0));
          c01 = f32x4.add(c01, f32x4.mul(a, b1));
          a = v128.load32_splat(pa, 4);
          c10 = f32x4.add(c10, f32x4.mul(a, b0));
          c11 = f32x4.add(c11, f32x4.mul(a, b1));
          a = v128.load32_splat(pa, 8);
          c20 = f32x4.add(c20, f32x4.mul(a, b0));
          c21 = f32x4.add(c21, f32x4.mul(a, b1));
          a = v128.load32_splat(pa, 12);
          c30 = f32x4.add(c30, f32x4.mul(a, b0));
          c31 = f32x4.add(c31, f32x4.mul(a, b1));
        }
        const rows = min(4, m - i);
        if (bias != 0) {
          const bb = bias + (<usize>i << 2);
          let v = v128.load32_splat(bb);
          c00 = f32x4.add(c00, v);
          c01 = f32x4.add(c01, v);
          if (rows > 1) {
            v = v128.load32_splat(bb, 4);
            c10 = f32x4.add(c10, v);
            c11 = f32x4.add(c11, v);
          }
          if (rows > 2) {
            v = v128.load32_splat(bb, 8);
            c20 = f32x4.add(c20, v);
            c21 = f32x4.add(c21, v);
          }
          if (rows > 3) {
            v = v128.load32_splat(bb, 12);
            c30 = f32x4.add(c30, v);
            c31 = f32x4.add(c31, v);
          }
        }
        const out = dst + <usize>i * plane;
        if (rows == 4 && width == NR) {
          v128.store(out, c00);
          v128.store(out, c01, 16);
          v128.store(out + plane, c10);
          v128.store(out + plane, c11, 16);
          v128.store(out + 2 * plane, c20);
          v128.store(out + 2 * plane, c21, 16);
          v128.store(out + 3 * plane, c30);
          v128.store(out + 3 * plane, c31, 16);
          continue;
        }
        v128.store(tile, c00);
        v128.store(tile, c01, 16);
        v128.store(tile, c10, 32);
        v128.store(tile, c11, 48);
        v128.store(tile, c20, 64);
        v128.store(tile, c21, 80);
        v128.store(tile, c30, 96);
        v128.store(tile, c31, 112);
        for (let rr = 0; rr < rows; rr++) {
          for (let q = 0; q < width; q++) store<f32>(out + <usize>rr * plane + (<usize>q << 2), load<f32>(tile + (<usize>(rr * NR + q) << 2)));
        }
      }
    }
  }
}

/**
 * 24 output pixels of one depthwise row: w[p] times 24 neighbouring pixels at at + offs[p], summed over p in
 * order, plus bv. Six independent accumulators keep the adders busy (two would wait on each other's
 * latency), and each tap's weight is splat once for all six; more would not fit V8's 15 vector registers
 * with their loads.
 */
@inline
function depthwise24(at: usize, wc: usize, K: i32, offs: usize, bv: v128, out: usize): void {
  let s0 = bv, s1 = bv, s2 = bv, s3 = bv, s4 = bv, s5 = bv;
  for (let p = 0; p < K; p++) {
    const bp = at + <usize>load<i32>(offs + (<usize>p << 2));
    const a = v128.load32_splat(wc + (<usize>p << 2));
    s0 = f32x4.add(s0, f32x4.mul(a, v128.load(bp)));
    s1 = f32x4.add(s1, f32x4.mul(a, v128.load(bp, 16)));
    s2 = f32x4.add(s2, f32x4.mul(a, v128.load(bp, 32)));
    s3 = f32x4.add(s3, f32x4.mul(a, v128.load(bp, 48)));
    s4 = f32x4.add(s4, f32x4.mul(a, v128.load(bp, 64)));
    s5 = f32x4.add(s5, f32x4.mul(a, v128.load(bp, 80)));
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out, s2, 32);
  v128.store(out, s3, 48);
  v128.store(out, s4, 64);
  v128.store(out, s5, 80);
}

/** As depthwise24 for 16 pixels (four accumulators). */
@inline
function depthwise16(at: usize, wc: usize, K: i32, offs: usize, bv: v128, out: usize): void {
  let s0 = bv, s1 = bv, s2 = bv, s3 = bv;
  for (let p = 0; p < K; p++) {
    const bp = at + <usize>load<i32>(offs + (<usize>p << 2));
    const a = v128.load32_splat(wc + (<usize>p << 2));
    s0 = f32x4.add(s0, f32x4.mul(a, v128.load(bp)));
    s1 = f32x4.add(s1, f32x4.mul(a, v128.load(bp, 16)));
    s2 = f32x4.add(s2, f32x4.mul(a, v128.load(bp, 32)));
    s3 = f32x4.add(s3, f32x4.mul(a, v128.load(bp, 48)));
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out, s2, 32);
  v128.store(out, s3, 48);
}

/** As depthwise24 for 8 pixels, stored whole at out (the caller passes a tile for a partial panel). */
@inline
function depthwise8(at: usize, wc: usize, K: i32, offs: usize, bv: v128, out: usize): void {
  let s0 = bv, s1 = bv;
  for (let p = 0; p < K; p++) {
    const bp = at + <usize>load<i32>(offs + (<usize>p << 2));
    const a = v128.load32_splat(wc + (<usize>p << 2));
    s0 = f32x4.add(s0, f32x4.mul(a, v128.load(bp)));
    s1 = f32x4.add(s1, f32x4.mul(a, v128.load(bp, 16)));
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
}

/**
 * As depthwise8 for three output rows at once (rows `step` bytes apart in the input, `outStep` bytes apart
 * at out): six independent accumulators for rows too narrow for a wider panel.
 */
@inline
function depthwise8x3(at: usize, step: usize, wc: usize, K: i32, offs: usize, bv: v128, out: usize, outStep: usize): void {
  let s0 = bv, s1 = bv, s2 = bv, s3 = bv, s4 = bv, s5 = bv;
  for (let p = 0; p < K; p++) {
    const bp = at + <usize>load<i32>(offs + (<usize>p << 2));
    const a = v128.load32_splat(wc + (<usize>p << 2));
    s0 = f32x4.add(s0, f32x4.mul(a, v128.load(bp)));
    s1 = f32x4.add(s1, f32x4.mul(a, v128.load(bp, 16)));
    s2 = f32x4.add(s2, f32x4.mul(a, v128.load(bp + step)));
    s3 = f32x4.add(s3, f32x4.mul(a, v128.load(bp + step, 16)));
    s4 = f32x4.add(s4, f32x4.mul(a, v128.load(bp + 2 * step)));
    s5 = f32x4.add(s5, f32x4.mul(a, v128.load(bp + 2 * step, 16)));
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out + outStep, s2);
  v128.store(out + outStep, s3, 16);
  v128.store(out + 2 * outStep, s4);
  v128.store(out + 2 * outStep, s5, 16);
}

/** Copies `width` floats of each of `rows` rows from the tile (8 floats a row) to out (`outStep` bytes a row). */
@inline
function fromTile(tile: usize, rows: i32, width: i32, out: usize, outStep: usize): void {
  for (let rr = 0; rr < rows; rr++) {
    for (let q = 0; q < width; q++) store<f32>(out + <usize>rr * outStep + (<usize>q << 2), load<f32>(tile + (<usize>(rr * NR + q) << 2)));
  }
}

/** Output rows narrower than this run three at a time in 8-pixel panels (wider ones, one at a time). */
const NARROW: i32 = 24;

/**
 * Depthwise conv2d (one input and one output channel per group), every channel in one call, read as at
 * horizontal stride 1 (other strides through pad_f32's rows split by column phase, Wp their pitch): each output pixel of channel c starts from bias[c] and adds, for each (ky, kx) in order,
 * w[c·K + p] times the pixel of the zero-padded input plane xp (C planes of Hp x Wp per image) at byte
 * offset offs[p] from its own position. A row runs in panels of 24 pixels, then one of 16 or 8; rows
 * narrower than 24 pixels run three of one plane at a time in 8-pixel panels. A partial panel goes through
 * `tiles` (128 bytes per thread). Threads claim groups of output rows (image, channel, rows) a few at a
 * time. geom: as conv_f32's, with xStep = C·Hp·Wp.
 */
export function conv_depthwise_f32(tid: i32, work: usize, xp: usize, C: i32, Hp: i32, Wp: i32, geom: usize, w: usize, K: i32, offs: usize, c: usize, bias: usize, tiles: usize): void {
  const g = changetype<Geom>(geom);
  const OH = g.OH, OW = g.OW, sh = g.sh;
  const G = OW < NARROW ? 3 : 1; // rows per group
  const groups = (OH + G - 1) / G; // per plane
  const items = g.images * C * groups;
  const chunk = G == 1 ? 4 : 2;
  const tile = tiles + (<usize>tid << 7);
  const step = (<usize>sh * <usize>Wp) << 2; // input bytes from one output row to the next
  const outStep = <usize>OW << 2;
  for (let u0 = claim(work, chunk, items); u0 < items; u0 = claim(work, chunk, items)) {
    const u1 = min(items, u0 + chunk);
    for (let u = u0; u < u1; u++) {
      const plane = u / groups; // image · C + channel
      const y0 = (u % groups) * G;
      const n = min(G, OH - y0);
      const ch = plane % C;
      const wc = w + ((<usize>ch * <usize>K) << 2);
      const bv = bias == 0 ? f32x4.splat(0) : v128.load32_splat(bias + (<usize>ch << 2));
      let src = xp + ((<usize>plane * <usize>Hp * <usize>Wp) << 2) + <usize>y0 * step;
      let dst = c + ((<usize>(plane * OH + y0) * <usize>OW) << 2);
      if (n == 3) {
        let x0 = 0;
        for (; x0 + NR <= OW; x0 += NR) depthwise8x3(src + (<usize>x0 << 2), step, wc, K, offs, bv, dst + (<usize>x0 << 2), outStep);
        if (x0 < OW) {
          depthwise8x3(src + (<usize>x0 << 2), step, wc, K, offs, bv, tile, NR << 2);
          fromTile(tile, 3, OW - x0, dst + (<usize>x0 << 2), outStep);
        }
        continue;
      }
      for (let y = 0; y < n; y++, src += step, dst += outStep) {
        let x0 = 0;
        for (; x0 + 24 <= OW; x0 += 24) depthwise24(src + (<usize>x0 << 2), wc, K, offs, bv, dst + (<usize>x0 << 2));
        if (x0 + 16 <= OW) {
          depthwise16(src + (<usize>x0 << 2), wc, K, offs, bv, dst + (<usize>x0 << 2));
          x0 += 16;
        }
        if (x0 + NR <= OW) {
          depthwise8(src + (<usize>x0 << 2), wc, K, offs, bv, dst + (<usize>x0 << 2));
          x0 += NR;
        }
        if (x0 < OW) {
          depthwise8(src + (<usize>x0 << 2), wc, K, offs, bv, tile);
          fromTile(tile, 1, OW - x0, dst + (<usize>x0 << 2), outStep);
        }
      }
    }
  }
}
