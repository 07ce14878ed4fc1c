// Depthwise conv2d (one input channel per output channel) over NCHW float32 images. Each output row keeps
// four or eight neighbouring output pixels in SIMD registers across every tap of the kernel, so each pixel
// is stored once; taps that fall on padding are skipped rather than multiplied by zero (an Inf weight times
// padding would be NaN where the definition has no term). Pixels whose taps may reach the padding
// horizontally, and strides other than 1 and 2, take the scalar path.
import { claim } from './split';

/** Output rows per claim. */
const ROWS: i32 = 4;

/** Four input pixels `step` apart from `p` (a byte address): one load at stride 1, two and a shuffle at 2. */
@inline
function gather(p: usize, step: i32): v128 {
  if (step == 1) return v128.load(p);
  if (step == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + (<usize>step << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(p + (<usize>(2 * step) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(p + (<usize>(3 * step) << 2)));
}

/** One output pixel with every bound checked. */
@inline
function pixel(x: usize, w: usize, b: f32, H: i32, W: i32, KH: i32, KW: i32, ih0: i32, iw0: i32, dh: i32, dw: i32): f32 {
  let acc = b;
  for (let kh = 0; kh < KH; kh++) {
    const ih = ih0 + kh * dh;
    if (<u32>ih >= <u32>H) continue;
    for (let kw = 0; kw < KW; kw++) {
      const iw = iw0 + kw * dw;
      if (<u32>iw >= <u32>W) continue;
      acc += load<f32>(x + (<usize>(ih * W + iw) << 2)) * load<f32>(w + (<usize>(kh * KW + kw) << 2));
    }
  }
  return acc;
}

/**
 * Depthwise conv2d of `planes` (batch x channels) planes of H x W into OH x OW, channel c = plane mod C
 * with weights w[c] (KH x KW) and bias b[c] (`bias` 0: none). geom (i32): KH, KW, stride h/w, padding
 * top/left, dilation h/w, OH, OW.
 */
export function dwconv_f32(tid: i32, work: usize, x: usize, w: usize, bias: usize, o: usize, planes: i32, C: i32, H: i32, W: i32, geom: usize): void {
  const KH = load<i32>(geom), KW = load<i32>(geom, 4);
  const sh = load<i32>(geom, 8), sw = load<i32>(geom, 12);
  const ph = load<i32>(geom, 16), pw = load<i32>(geom, 20);
  const dh = load<i32>(geom, 24), dw = load<i32>(geom, 28);
  const OH = load<i32>(geom, 32), OW = load<i32>(geom, 36);
  // Output columns [lo, hi) read only inside the row for every kw, including the extra element a stride-2
  // gather loads past its last lane.
  const lo = min(OW, (pw + sw - 1) / sw);
  const span = (KW - 1) * dw + (sw == 2 ? 1 : 0);
  const hi = max(lo, min(OW, W - 1 - span + pw >= 0 ? (W - 1 - span + pw) / sw + 1 : 0));
  const rows = planes * OH;
  for (let start = claim(work, ROWS, rows); start < rows; start = claim(work, ROWS, rows)) {
    const end = min(rows, start + ROWS);
    for (let r = start; r < end; r++) {
      const p = r / OH, oh = r - p * OH;
      const c = p % C;
      const xp = x + (<usize>p * H * W << 2);
      const wp = w + (<usize>(c * KH * KW) << 2);
      const b: f32 = bias ? load<f32>(bias + (<usize>c << 2)) : 0;
      const op = o + (<usize>r * OW << 2);
      const ih0 = oh * sh - ph;
      for (let ow = 0; ow < lo; ow++) store<f32>(op + (<usize>ow << 2), pixel(xp, wp, b, H, W, KH, KW, ih0, ow * sw - pw, dh, dw));
      let ow = lo;
      const bv = f32x4.splat(b);
      for (; ow + 8 <= hi; ow += 8) {
        let a0 = bv, a1 = bv;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * dh;
          if (<u32>ih >= <u32>H) continue;
          const row = xp + (<usize>(ih * W + ow * sw - pw) << 2);
          const wr = wp + (<usize>(kh * KW) << 2);
          for (let kw = 0; kw < KW; kw++) {
            const wv = v128.load32_splat(wr + (<usize>kw << 2));
            const at = row + (<usize>(kw * dw) << 2);
            a0 = f32x4.add(a0, f32x4.mul(gather(at, sw), wv));
            a1 = f32x4.add(a1, f32x4.mul(gather(at + (<usize>(4 * sw) << 2), sw), wv));
          }
        }
        v128.store(op + (<usize>ow << 2), a0);
        v128.store(op + (<usize>ow << 2), a1, 16);
      }
      for (; ow + 4 <= hi; ow += 4) {
        let a0 = bv;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * dh;
          if (<u32>ih >= <u32>H) continue;
          const row = xp + (<usize>(ih * W + ow * sw - pw) << 2);
          const wr = wp + (<usize>(kh * KW) << 2);
          for (let kw = 0; kw < KW; kw++) {
            a0 = f32x4.add(a0, f32x4.mul(gather(row + (<usize>(kw * dw) << 2), sw), v128.load32_splat(wr + (<usize>kw << 2))));
          }
        }
        v128.store(op + (<usize>ow << 2), a0);
      }
      for (; ow < OW; ow++) store<f32>(op + (<usize>ow << 2), pixel(xp, wp, b, H, W, KH, KW, ih0, ow * sw - pw, dh, dw));
    }
  }
}
