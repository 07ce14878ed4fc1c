// The 2-D pools and resize over NCHW planes: output rows claimed a few at a time, so threads split any
// batch, channel count or image size. Arithmetic follows the reference kernels step for step (float64
// sums and interpolation, rounded once to float32), so the results are the same bits.
import { claim } from './split';

/** Output rows per claim. */
const ROWS: i32 = 8;

/** The pool's geometry, read from the 6 i32s at `geom`: kh, kw, sh, sw, ph, pw. */
@unmanaged
class PoolGeom {
  kh: i32; kw: i32; sh: i32; sw: i32; ph: i32; pw: i32;
}

/**
 * max_pool2d (avg = 0) or avg_pool2d (avg = 1; includePad counts the padding in the divisor) of `planes`
 * H x W planes into OH x OW ones. The padded part of a window is never read; max propagates NaN.
 */
export function pool_f32(tid: i32, work: usize, x: usize, o: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, geom: usize, avg: i32, includePad: i32): void {
  const g = changetype<PoolGeom>(geom);
  const kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw;
  const rows = planes * OH;
  // Every window inside the input (ceilMode may add a clipped last one: that takes the general loop).
  if (!avg && kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && 2 * OH <= H && 2 * OW <= W) {
    maxPool2x2(work, x, o, rows, H, W, OH, OW);
    return;
  }
  for (let r0 = claim(work, ROWS, rows); r0 < rows; r0 = claim(work, ROWS, rows)) {
    const r1 = min(rows, r0 + ROWS);
    for (let r = r0; r < r1; r++) {
      const plane = r / OH;
      const oy = r % OH;
      const base = x + ((<usize>plane * <usize>H * <usize>W) << 2);
      const y0 = oy * sh - ph;
      const y1 = min(y0 + kh, H + ph);
      const ys = max(y0, 0);
      const ye = min(y1, H);
      let out = o + ((<usize>r * <usize>OW) << 2);
      for (let ox = 0; ox < OW; ox++, out += 4) {
        const x0 = ox * sw - pw;
        const x1 = min(x0 + kw, W + pw);
        const xs = max(x0, 0);
        const xe = min(x1, W);
        if (avg) {
          let acc: f64 = 0;
          for (let y = ys; y < ye; y++) {
            const row = base + ((<usize>y * <usize>W) << 2);
            for (let xx = xs; xx < xe; xx++) acc += <f64>load<f32>(row + (<usize>xx << 2));
          }
          store<f32>(out, <f32>(acc / <f64>(includePad ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs))));
        } else {
          let acc: f32 = -Infinity;
          for (let y = ys; y < ye; y++) {
            const row = base + ((<usize>y * <usize>W) << 2);
            for (let xx = xs; xx < xe; xx++) acc = max<f32>(acc, load<f32>(row + (<usize>xx << 2)));
          }
          store<f32>(out, acc);
        }
      }
    }
  }
}

/** Even and odd lanes of two vectors (a0 a2 b0 b2, a1 a3 b1 b3). */
@inline
function evens(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}
@inline
function odds(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
}

/**
 * The common CNN pool, 2x2 windows at stride 2 without padding, in SIMD: two input rows' maximum, then the
 * maximum of neighbouring lanes, 4 outputs per step (f32x4.max propagates NaN as the definition does).
 */
function maxPool2x2(work: usize, x: usize, o: usize, rows: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  for (let r0 = claim(work, ROWS, rows); r0 < rows; r0 = claim(work, ROWS, rows)) {
    const r1 = min(rows, r0 + ROWS);
    for (let r = r0; r < r1; r++) {
      const top = x + ((<usize>(r / OH) * <usize>H * <usize>W + <usize>(2 * (r % OH)) * <usize>W) << 2);
      const bottom = top + (<usize>W << 2);
      const out = o + ((<usize>r * <usize>OW) << 2);
      let ox = 0;
      for (; ox + 4 <= OW; ox += 4) {
        const at = <usize>ox << 3;
        const v0 = f32x4.max(v128.load(top + at), v128.load(bottom + at));
        const v1 = f32x4.max(v128.load(top + at, 16), v128.load(bottom + at, 16));
        v128.store(out + (<usize>ox << 2), f32x4.max(evens(v0, v1), odds(v0, v1)));
      }
      for (; ox < OW; ox++) {
        const at = <usize>ox << 3;
        store<f32>(out + (<usize>ox << 2), max<f32>(max<f32>(load<f32>(top + at), load<f32>(top + at, 4)), max<f32>(load<f32>(bottom + at), load<f32>(bottom + at, 4))));
      }
    }
  }
}

/**
 * resize of `planes` ih x iw planes to oh x ow. `taps` holds, as i32s, the first source row of each output
 * row (oh), the second (oh), the first source column of each output column (ow) and the second (ow), then
 * as f64s the weights of the second row (oh) and column (ow). Nearest (linear = 0) reads the first taps.
 */
export function resize_f32(tid: i32, work: usize, x: usize, o: usize, planes: i32, ih: i32, iw: i32, oh: i32, ow: i32, taps: usize, linear: i32): void {
  const yLo = taps;
  const yHi = yLo + (<usize>oh << 2);
  const xLo = yHi + (<usize>oh << 2);
  const xHi = xLo + (<usize>ow << 2);
  const wY = (xHi + (<usize>ow << 2) + 7) & ~(<usize>7);
  const wX = wY + (<usize>oh << 3);
  const rows = planes * oh;
  for (let r0 = claim(work, ROWS, rows); r0 < rows; r0 = claim(work, ROWS, rows)) {
    const r1 = min(rows, r0 + ROWS);
    for (let r = r0; r < r1; r++) {
      const plane = r / oh;
      const y = r % oh;
      const base = x + ((<usize>plane * <usize>ih * <usize>iw) << 2);
      const row0 = base + ((<usize>load<i32>(yLo + (<usize>y << 2)) * <usize>iw) << 2);
      let out = o + ((<usize>r * <usize>ow) << 2);
      if (!linear) {
        for (let c = 0; c < ow; c++, out += 4) store<f32>(out, load<f32>(row0 + (<usize>load<i32>(xLo + (<usize>c << 2)) << 2)));
        continue;
      }
      const row1 = base + ((<usize>load<i32>(yHi + (<usize>y << 2)) * <usize>iw) << 2);
      const wy = load<f64>(wY + (<usize>y << 3));
      for (let c = 0; c < ow; c++, out += 4) {
        const c0 = <usize>load<i32>(xLo + (<usize>c << 2)) << 2;
        const c1 = <usize>load<i32>(xHi + (<usize>c << 2)) << 2;
        const wx = load<f64>(wX + (<usize>c << 3));
        const top = <f64>load<f32>(row0 + c0) * (1 - wx) + <f64>load<f32>(row0 + c1) * wx;
        const bottom = <f64>load<f32>(row1 + c0) * (1 - wx) + <f64>load<f32>(row1 + c1) * wx;
        store<f32>(out, <f32>(top * (1 - wy) + bottom * wy));
      }
    }
  }
}
