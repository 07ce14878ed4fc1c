/*
 * od_conv.h: a direct convolution in plain NCHW for the model-sized conv2d launches (stride 1, one group),
 * where oneDNN's blocked layouts cost a reorder in and out of every call and its dispatch more than the
 * products. Each image is copied once into a zero-padded plane per channel; each step then keeps a tile of
 * 8 output channels by 8 output columns in registers and adds, for every input channel and tap, one row of
 * 8 inputs times 8 weights (broadcast), so it runs on multiply-adds, not on loads.
 */
#ifndef OD_CONV_H
#define OD_CONV_H

#include <stdlib.h>
#include "od_gemm.h"

typedef struct od_conv_shape {
  int64_t N, C, H, W, OC, KH, KW, OH, OW, ph, pw, dh, dw;
} od_conv_shape;

/* One image: out[oc][oh][ow] = bias[oc] + Σ over c, kh, kw of xpad[c][oh + kh·dh][ow + kw·dw] · w[oc][c][kh][kw],
 * with xpad (C planes of Hp rows of Wp) and the weights packed as [OC/8][C][KH][KW][8]. */
OD_SIMD static void od_conv_image(const od_conv_shape *s, const float *xpad, int64_t Hp, int64_t Wp, const float *wpack, const float *bias, float *y) {
  const int64_t taps = s->C * s->KH * s->KW;
  for (int64_t ob = 0; ob < s->OC; ob += 8) {
    const float *wb = wpack + ob * taps;
    int64_t nout = s->OC - ob < 8 ? s->OC - ob : 8;
    float b[8] = {0};
    if (bias) memcpy(b, bias + ob, sizeof(float) * (size_t)nout);
    for (int64_t oh = 0; oh < s->OH; oh++)
      for (int64_t ow = 0; ow < s->OW; ow += 8) {
        od_v8 a0 = od_splat(b[0]), a1 = od_splat(b[1]), a2 = od_splat(b[2]), a3 = od_splat(b[3]), a4 = od_splat(b[4]), a5 = od_splat(b[5]),
              a6 = od_splat(b[6]), a7 = od_splat(b[7]);
        const float *w = wb;
#define OD_TAP(v)                                                   \
  do {                                                              \
    od_v8 v_ = (v);                                                 \
    a0 += v_ * w[0], a1 += v_ * w[1], a2 += v_ * w[2], a3 += v_ * w[3]; \
    a4 += v_ * w[4], a5 += v_ * w[5], a6 += v_ * w[6], a7 += v_ * w[7]; \
    w += 8;                                                         \
  } while (0)
        for (int64_t c = 0; c < s->C; c++)
          for (int64_t kh = 0; kh < s->KH; kh++) {
            const float *row = xpad + (c * Hp + oh + kh * s->dh) * Wp + ow;
            if (s->KW == 3 && s->dw == 1) { /* the common 3×3: the taps of a row unrolled */
              OD_TAP(od_load(row));
              OD_TAP(od_load(row + 1));
              OD_TAP(od_load(row + 2));
            } else
              for (int64_t kw = 0; kw < s->KW; kw++) OD_TAP(od_load(row + kw * s->dw));
          }
#undef OD_TAP
        od_v8 acc[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
        int64_t cols = s->OW - ow < 8 ? s->OW - ow : 8;
        for (int64_t o = 0; o < nout; o++) {
          float *dst = y + ((ob + o) * s->OH + oh) * s->OW + ow;
          if (cols == 8) od_store(dst, acc[o]);
          else memcpy(dst, &acc[o], sizeof(float) * (size_t)cols);
        }
      }
  }
}

/* A 1×1 convolution without padding is a product per image: out[n] (OC × HW) = w (OC × C) · x[n] (C × HW),
 * each row of out first filled with its bias. */
static int od_pointwise(const hearth_tensor *in, int32_t nin, const hearth_tensor *out) {
  const int64_t N = in[0].shape[0], C = in[0].shape[1], OC = in[1].shape[0], HW = out->shape[2] * out->shape[3];
  const float *bias = nin > 2 ? (const float *)in[2].data : NULL;
  for (int64_t n = 0; n < N; n++) {
    float *y = (float *)out->data + n * OC * HW;
    if (bias)
      for (int64_t o = 0; o < OC; o++)
        for (int64_t p = 0; p < HW; p++) y[o * HW + p] = bias[o];
    od_gemm_args g = {OC, HW, C, C, 1, HW, (const float *)in[1].data, (const float *)in[0].data + n * C * HW, y, bias != NULL, NULL};
    if (!od_gemm(&g)) return 0;
  }
  return 1;
}

/* conv2d with stride 1 and one group, NCHW, through od_conv_image (1×1 without padding: od_pointwise); 0 when the launch isn't such a case
 * (or memory ran out), and the caller goes on to oneDNN. Weights must be finite (checked by the caller):
 * padding taps multiply them by 0 here, where Hearth skips those taps. */
static int od_conv_small(const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  int32_t c2 = 0;
  const int64_t *st = hk_ints(a, na, "stride", &c2), *pd = hk_ints(a, na, "padding", &c2), *dl = hk_ints(a, na, "dilation", &c2);
  if (!st || !pd || !dl || st[0] != 1 || st[1] != 1 || hk_int(a, na, "groups", 1) != 1 || in[0].rank != 4 || in[0].size == 0 || out->size == 0) return 0;
  const int64_t *x = in[0].shape, *w = in[1].shape;
  if (w[2] == 1 && w[3] == 1 && pd[0] == 0 && pd[1] == 0) return od_pointwise(in, nin, out);
  od_conv_shape s = {x[0], x[1], x[2], x[3], w[0], w[2], w[3], out->shape[2], out->shape[3], pd[0], pd[1], dl[0], dl[1]};
  /* the padded plane: every row and column a tap of an output reads, columns rounded up for the last tile */
  int64_t Hp = s.OH + (s.KH - 1) * s.dh, Wp = (s.OW + 7) / 8 * 8 + (s.KW - 1) * s.dw, OCr = (s.OC + 7) / 8 * 8, taps = s.C * s.KH * s.KW;
  if (Hp - s.ph < s.H || Wp - s.pw < s.W) return 0; /* an input row or column no output reads: oneDNN's case */
  size_t plane = (size_t)(s.C * Hp * Wp), pack = (size_t)(OCr * taps);
  float *xpad = malloc(sizeof(float) * (plane + pack));
  if (!xpad) return 0;
  float *wpack = xpad + plane;
  const float *wsrc = (const float *)in[1].data;
  for (int64_t oc = 0; oc < OCr; oc++)
    for (int64_t t = 0; t < taps; t++) wpack[(oc / 8 * taps + t) * 8 + oc % 8] = oc < s.OC ? wsrc[oc * taps + t] : 0.f;
  memset(xpad, 0, sizeof(float) * plane);
  for (int64_t n = 0; n < s.N; n++) {
    const float *xs = (const float *)in[0].data + n * s.C * s.H * s.W;
    for (int64_t c = 0; c < s.C; c++)
      for (int64_t h = 0; h < s.H; h++) {
        float *dst = xpad + (c * Hp + h + s.ph) * Wp + s.pw;
        const float *src = xs + (c * s.H + h) * s.W;
        for (int64_t i = 0; i < s.W; i++) dst[i] = src[i]; /* rows of a few floats: a loop, not a call each */
      }
    od_conv_image(&s, xpad, Hp, Wp, wpack, nin > 2 ? (const float *)in[2].data : NULL, (float *)out->data + n * s.OC * s.OH * s.OW);
  }
  free(xpad);
  return 1;
}

#endif
