/*
 * hk_ops_v2.h: the primitives opset v2 adds, as "compute output element i" like hk_ops.h (topk, whose
 * work is per input element, places one candidate). Semantics: docs of each op's record in core/src/opset.
 */
#ifndef HK_OPS_V2_H
#define HK_OPS_V2_H

#include "hk_philox.h"

/* resize's coordinate transformation modes and nearest rounding modes, as plan codes. */
enum { HK_CTM_HALF_PIXEL, HK_CTM_PYTORCH_HALF_PIXEL, HK_CTM_ALIGN_CORNERS, HK_CTM_ASYMMETRIC };
enum { HK_ROUND_PREFER_FLOOR, HK_ROUND_PREFER_CEIL, HK_NEAREST_FLOOR, HK_NEAREST_CEIL };

/* mod: floored (the sign of b, Python's %; a zero result takes b's sign, x mod ±Inf is x or b) or, with
 * fmod, truncated (the sign of a, C's fmod). */
HK_HD double hk_mod(int32_t dtype, int fmod_mode, double a, double b) {
  if (dtype == HEARTH_INT32) {
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0 || y == -1) return 0; /* b = 0 gives 0; -1 avoids INT32_MIN % -1 */
    int32_t r = x % y;
    if (!fmod_mode && r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
  }
  double r = fmod(a, b);
  if (fmod_mode || r != r) return r;
  if (isinf(b)) return a == 0 || (a < 0) == (b < 0) ? a : b; /* a itself, or a + b rounded to b */
  if (r != 0) return (r < 0) != (b < 0) ? r + b : r;
  return copysign(0.0, b);
}

/* cumsum of one row (outer r / inner, inner r % inner); p = {L (axis size), inner, exclusive, reverse}. One
 * pass in the axis' order (from its end when reversed), so the sum is sequential as the opset says; int32
 * wraps. */
HK_HD void hk_cumsum_row(const hk_plan *pl, const void *x, void *y, int64_t row) {
  int64_t L = pl->p[0], inner = pl->p[1];
  int64_t base = (row / inner) * L * inner + row % inner;
  double acc = 0;
  uint32_t iacc = 0;
  for (int64_t t = 0; t < L; t++) {
    int64_t at = base + (pl->p[3] ? L - 1 - t : t) * inner;
    double v = hk_load(x, pl->dtype, at);
    if (pl->p[2]) hk_store(y, pl->out_dtype, at, pl->dtype == HEARTH_INT32 ? (double)(int32_t)iacc : acc);
    if (pl->dtype == HEARTH_INT32) iacc += (uint32_t)(int32_t)v;
    else acc += v;
    if (!pl->p[2]) hk_store(y, pl->out_dtype, at, pl->dtype == HEARTH_INT32 ? (double)(int32_t)iacc : acc);
  }
}

/* Whether element e of a topk row comes before element c: NaN first when largest and last otherwise,
 * values descending when largest, ascending otherwise, ties (+-0 included) by lower index. */
HK_HD int hk_topk_before(int largest, double ve, int64_t e, double vc, int64_t c) {
  int ne = ve != ve, nc = vc != vc;
  if (ne || nc) return ne && nc ? e < c : (ne ? largest : !largest);
  if (ve != vc) return largest ? ve > vc : ve < vc;
  return e < c;
}

/* topk for input element t; p = {L, inner, k, largest}: its rank in its row, and when the rank is below k
 * it writes its index at that rank of the output. Every row's ranks are distinct, so no two writes meet. */
HK_HD void hk_topk_place(const hk_plan *pl, const void *x, int32_t *out, int64_t t) {
  int64_t L = pl->p[0], inner = pl->p[1], k = pl->p[2];
  int64_t c = (t / inner) % L, r = t % inner, o = t / (inner * L), base = t - c * inner;
  double vc = hk_load(x, pl->dtype, t);
  int64_t rank = 0;
  for (int64_t e = 0; e < L && rank < k; e++) rank += hk_topk_before((int)pl->p[3], hk_load(x, pl->dtype, base + e * inner), e, vc, c);
  if (rank < k) out[(o * k + rank) * inner + r] = (int32_t)c;
}

/* gather_elements element i of the indices' shape; p = {axis, axis size}; stride[0] = x's strides.
 * Indices were checked before. */
HK_HD double hk_gather_elements(const hk_plan *pl, const void *x, const int32_t *idx, int64_t i) {
  int64_t off = 0, q = i, n = pl->p[1];
  for (int d = pl->rank - 1; d >= 0; d--) {
    int64_t c = q % pl->shape[d];
    q /= pl->shape[d];
    if (d == pl->p[0]) (c = idx[i], c = c < 0 ? c + n : c);
    off += c * pl->stride[0][d];
  }
  return hk_load(x, pl->dtype, off);
}

/* tile element i; p[8 + d] = x's size on axis d, stride[0] = x's strides. */
HK_HD double hk_tile(const hk_plan *pl, const void *x, int64_t i) {
  int64_t off = 0;
  for (int d = pl->rank - 1; d >= 0; d--) {
    int64_t c = i % pl->shape[d];
    i /= pl->shape[d];
    off += (c % pl->p[8 + d]) * pl->stride[0][d];
  }
  return hk_load(x, pl->dtype, off);
}

/* Output coordinate o of a resized axis in input coordinates (ONNX Resize's coordinate transformation). */
HK_HD double hk_resize_coord(int32_t mode, double o, int64_t in, int64_t out, double scale) {
  switch (mode) {
    case HK_CTM_ALIGN_CORNERS: return out == 1 ? 0.0 : o * (double)(in - 1) / (double)(out - 1);
    case HK_CTM_ASYMMETRIC: return o / scale;
    case HK_CTM_PYTORCH_HALF_PIXEL: if (out == 1) return 0.0; /* fall through */
    default: return (o + 0.5) / scale - 0.5;
  }
}

HK_HD int64_t hk_resize_nearest(int32_t mode, double v, int64_t in) {
  double r = mode == HK_ROUND_PREFER_FLOOR ? ceil(v - 0.5) : mode == HK_ROUND_PREFER_CEIL ? floor(v + 0.5) : mode == HK_NEAREST_FLOOR ? floor(v) : ceil(v);
  return r < 0 ? 0 : r > (double)(in - 1) ? in - 1 : (int64_t)r;
}

/* resize element i of [..., OH, OW]; p = {H, W, OH, OW, linear, coordinate mode, nearest mode}, f = the
 * scales. Linear clamps the source coordinate to [0, in - 1] before taking its two neighbours. */
HK_HD double hk_resize(const hk_plan *pl, const void *x, int64_t i) {
  const int64_t *p = pl->p;
  int64_t H = p[0], W = p[1], OH = p[2], OW = p[3];
  int64_t ox = i % OW, oy = (i / OW) % OH, plane = i / (OW * OH);
  double sy = hk_resize_coord((int32_t)p[5], (double)oy, H, OH, pl->f[0]), sx = hk_resize_coord((int32_t)p[5], (double)ox, W, OW, pl->f[1]);
  int64_t at = plane * H * W;
  if (!p[4]) return hk_load(x, pl->dtype, at + hk_resize_nearest((int32_t)p[6], sy, H) * W + hk_resize_nearest((int32_t)p[6], sx, W));
  sy = sy < 0 ? 0 : sy > (double)(H - 1) ? (double)(H - 1) : sy;
  sx = sx < 0 ? 0 : sx > (double)(W - 1) ? (double)(W - 1) : sx;
  int64_t y0 = (int64_t)sy, x0 = (int64_t)sx, y1 = y0 + 1 < H ? y0 + 1 : H - 1, x1 = x0 + 1 < W ? x0 + 1 : W - 1;
  double ty = sy - (double)y0, tx = sx - (double)x0;
  double top = hk_load(x, pl->dtype, at + y0 * W + x0) * (1 - tx) + hk_load(x, pl->dtype, at + y0 * W + x1) * tx;
  double bottom = hk_load(x, pl->dtype, at + y1 * W + x0) * (1 - tx) + hk_load(x, pl->dtype, at + y1 * W + x1) * tx;
  return top * (1 - ty) + bottom * ty;
}

/* conv_transpose2d element i of [N, O, OH, OW]; weight [C, O/groups, KH, KW];
 * p = {N, C, H, W, O, Cg (C/groups), KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, groups, Og (O/groups)}.
 * Input pixel (iy, ix) reaches output (iy*sh - ph + ky*dh, ix*sw - pw + kx*dw). */
HK_HD double hk_conv_transpose2d(const hk_plan *pl, const float *x, const float *w, const float *bias, int64_t i) {
  const int64_t *p = pl->p;
  int64_t C = p[1], H = p[2], W = p[3], O = p[4], Cg = p[5], KH = p[6], KW = p[7], OH = p[8], OW = p[9], Og = p[17];
  int64_t ox = i % OW, oy = (i / OW) % OH, oc = (i / (OW * OH)) % O, n = i / (OW * OH * O);
  int64_t g = oc / Og, c0 = g * Cg, ocg = oc % Og;
  double acc = 0;
  for (int64_t ky = 0; ky < KH; ky++) {
    int64_t ty = oy + p[12] - ky * p[14];
    if (ty < 0 || ty % p[10] != 0 || ty / p[10] >= H) continue;
    int64_t iy = ty / p[10];
    for (int64_t kx = 0; kx < KW; kx++) {
      int64_t tx = ox + p[13] - kx * p[15];
      if (tx < 0 || tx % p[11] != 0 || tx / p[11] >= W) continue;
      int64_t ix = tx / p[11];
      for (int64_t c = 0; c < Cg; c++)
        acc += (double)x[((n * C + c0 + c) * H + iy) * W + ix] * (double)w[(((c0 + c) * Og + ocg) * KH + ky) * KW + kx];
    }
  }
  return acc + (bias ? (double)bias[oc] : 0.0);
}

#endif
