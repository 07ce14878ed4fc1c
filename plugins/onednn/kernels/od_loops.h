/*
 * od_loops.h: plain C loops on the calling thread for the launches a model makes (a few thousand to a few
 * hundred thousand elements), where a oneDNN primitive's dispatch, its layout reorders and the mending
 * passes after it cost more than the work. Each loop keeps the opset's rules exactly as the reference
 * kernel does (NaN propagation, the sign of zero, correctly rounded add/sub/mul/div) or within the op's
 * bound (exp-based ops, sums); a launch a loop can't take as written returns 0 and goes on to oneDNN or
 * the reference kernel. They run where the CPU has AVX2 and FMA (od_loops_supported).
 */
#ifndef OD_LOOPS_H
#define OD_LOOPS_H

#include <math.h>
#include <stdint.h>
#include <string.h>
#include "od_checks.h"

/* The loops are written for AVX2 + FMA (8-lane vectors, 16 registers) and built for it; a CPU without them,
 * or another architecture, keeps oneDNN's and the reference kernels' paths (GCC's baseline x86-64 lowering
 * of these vectors measured ten times slower than oneDNN). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define OD_SIMD __attribute__((target("arch=x86-64-v3")))
static int od_loops_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
#define OD_SIMD
static int od_loops_supported(void) { return 0; }
#endif

/* ---- 8-lane float32 vectors (GCC's vector extensions: AVX registers in the AVX2 build, SSE pairs in the
 * baseline one) and the special functions on them, branch-free: every lane computes every piece ---- */

typedef float od_v8 __attribute__((vector_size(32)));
typedef int32_t od_i8 __attribute__((vector_size(32)));

static inline od_v8 od_load(const float *p) {
  od_v8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void od_store(float *p, od_v8 v) { memcpy(p, &v, sizeof v); }

static inline od_v8 od_splat(float f) { return (od_v8){f, f, f, f, f, f, f, f}; }

/* Lanes of a where mask m is set, of b elsewhere. */
static inline od_v8 od_select(od_i8 m, od_v8 a, od_v8 b) { return (od_v8)((m & (od_i8)a) | (~m & (od_i8)b)); }

/* e^x: 2^k · e^r with k = round(x / ln 2), |r| <= ln 2 / 2, e^r by the Cephes expf polynomial (about
 * 1 ULP); 2^k applied in two halves so subnormal results and overflow come out right; NaN stays NaN. */
static inline od_v8 od_exp(od_v8 x) {
  od_v8 c = od_select(x > 89.f, od_splat(89.f), x);
  c = od_select(c < -104.f, od_splat(-104.f), c);
  const float magic = 12582912.f; /* 1.5 · 2^23: adding it rounds to an integer, kept in the low bits */
  od_v8 t = c * 1.44269504088896341f + magic, k = t - magic;
  od_i8 ki = (od_i8)t - 0x4B400000;
  od_v8 r = c - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  od_v8 p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  od_i8 k1 = ki >> 1, k2 = ki - k1;
  return p * (od_v8)((k1 + 127) << 23) * (od_v8)((k2 + 127) << 23);
}

/* Below this, e^x is subnormal in float32. */
#define OD_EXP_NORMAL_MIN -87.33654022216797f

/* e^x for OD_EXP_NORMAL_MIN <= x <= 0 (callers check the range), about 2 ULP in two thirds of od_exp's
 * work: a magic-bias add gives k and 2^k at once, a degree-5 minimax polynomial (XNNPACK's rr2-p5) the rest. */
static inline od_v8 od_exp_normal(od_v8 x) {
  const float magic = 12583039.f; /* 1.5 · 2^23 + 127: k + 127 lands in the low mantissa bits */
  od_v8 n = x * 1.4426950216293335f + magic;
  od_v8 s = (od_v8)((od_i8)n << 23);
  n = n - magic;
  od_v8 t = n * -0.693145751953125f + x;
  t = n * -1.428606765330187e-6f + t;
  od_v8 p = t * 0.008289290592074394f + 0.04189782217144966f;
  p = p * t + 0.16667652130126953f;
  p = p * t + 0.4999915063381195f;
  p = p * t + 0.9999997019767761f;
  t = t * s;
  return t * p + s;
}

/* erfc(t) for t >= 0 given t and t² (NaN stays NaN): w·e^(-t² + P(w)) with w = 1 / (1 + t/2), Numerical
 * Recipes' erfcc fit (fractional error below 1.2e-7); 0 where the result is below float32's normal range. */
static inline od_v8 od_erfc_positive(od_v8 t, od_v8 t2) {
  od_v8 w = 1.f / (t * 0.5f + 1.f);
  od_v8 p = w * 0.17087277f + -0.82215223f;
  p = p * w + 1.48851587f;
  p = p * w + -1.13520398f;
  p = p * w + 0.27886807f;
  p = p * w + -0.18628806f;
  p = p * w + 0.09678418f;
  p = p * w + 0.37409196f;
  p = p * w + 1.00002368f;
  p = p * w + -1.26551223f;
  od_v8 e = p - t2;
  return od_select(e < OD_EXP_NORMAL_MIN, od_splat(0.f), w * od_exp_normal(od_select(e < OD_EXP_NORMAL_MIN, od_splat(0.f), e)));
}

/* x · Φ(x), Φ(x) = erfc(-x/√2) / 2: below 0 the tail h = erfc(|x|/√2) / 2 keeps its relative accuracy, above
 * 0 Φ = 1 - h; where Φ is 0 the result is -0 (gelu(-Inf) = -0, its limit). */
static inline od_v8 od_gelu(od_v8 x) {
  od_v8 a = (od_v8)((od_i8)x & 0x7fffffff);
  od_v8 h = 0.5f * od_erfc_positive(a * 0.7071067811865476f, x * x * 0.5f);
  od_v8 phi = od_select(x < 0.f, h, 1.f - h);
  return od_select(phi == 0.f, od_splat(-0.f), x * phi);
}

/* x · max(0, min(1, x/6 + 1/2)) as the decomposition's float32 steps (NaN propagates through both bounds). */
static inline od_v8 od_hard_swish(od_v8 x) {
  od_v8 t = x * (1.f / 6.f) + 0.5f;
  t = od_select(t > 1.f, od_splat(1.f), t);
  return x * od_select(t < 0.f, od_splat(0.f), t);
}

/* Applies f to n elements, 8 at a time; the last partial group through a zero-padded copy. */
#define OD_MAP(f, x, y, n)                                                     \
  do {                                                                         \
    int64_t i_ = 0;                                                            \
    for (; i_ + 8 <= (n); i_ += 8) od_store((y) + i_, f(od_load((x) + i_)));  \
    if (i_ < (n)) {                                                            \
      float t_[8] = {0};                                                       \
      memcpy(t_, (x) + i_, sizeof(float) * (size_t)((n) - i_));               \
      od_store(t_, f(od_load(t_)));                                            \
      memcpy((y) + i_, t_, sizeof(float) * (size_t)((n) - i_));               \
    }                                                                          \
  } while (0)

/* The low and high four lanes of a vector in float64. */
typedef double od_d4 __attribute__((vector_size(32)));
static inline od_d4 od_low(od_v8 v) { return __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1, 2, 3), od_d4); }
static inline od_d4 od_high(od_v8 v) { return __builtin_convertvector(__builtin_shufflevector(v, v, 4, 5, 6, 7), od_d4); }

static inline float od_hsum(od_v8 v) { return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7])); }

/* ---- the loops ---- */

OD_SIMD static void od_relu_loop(const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] != x[i] ? x[i] : 0.f;
}

OD_SIMD static void od_gelu_loop(const float *x, float *y, int64_t n) { OD_MAP(od_gelu, x, y, n); }

OD_SIMD static void od_hard_swish_loop(const float *x, float *y, int64_t n) { OD_MAP(od_hard_swish, x, y, n); }

/* y[i] = a[i] op b[i % m] (the second operand repeats every m elements; m = 1 for a scalar); `swap` puts b
 * first (b op a) for the non-commutative ops. One IEEE operation an element, correctly rounded. */
#define OD_BINARY_LOOP(name, expr)                                                                      \
  OD_SIMD static void name(const float *a, const float *b, float *y, int64_t n, int64_t m, int swap) {  \
    if (m == 1) {                                                                                      \
      const float s = b[0];                                                                            \
      if (swap) for (int64_t i = 0; i < n; i++) { float u = s, v = a[i]; y[i] = expr; }               \
      else for (int64_t i = 0; i < n; i++) { float u = a[i], v = s; y[i] = expr; }                    \
      return;                                                                                          \
    }                                                                                                  \
    for (int64_t base = 0; base < n; base += m) {                                                      \
      const float *ar = a + base;                                                                      \
      float *yr = y + base;                                                                            \
      if (swap) for (int64_t i = 0; i < m; i++) { float u = b[i], v = ar[i]; yr[i] = expr; }          \
      else for (int64_t i = 0; i < m; i++) { float u = ar[i], v = b[i]; yr[i] = expr; }               \
    }                                                                                                  \
  }
OD_BINARY_LOOP(od_add_loop, u + v)
OD_BINARY_LOOP(od_sub_loop, u - v)
OD_BINARY_LOOP(od_mul_loop, u * v)
OD_BINARY_LOOP(od_div_loop, u / v)
#undef OD_BINARY_LOOP

/* Whether `t` repeats along `out` every t->size elements: its shape, right-aligned, is out's trailing axes
 * (leading 1s allowed), so element i of out reads element i % size of t. */
static int od_repeats(const hearth_tensor *t, const hearth_tensor *out) {
  if (t->size == 0 || t->rank > out->rank) return 0;
  int32_t lead = 0;
  while (lead < t->rank && t->shape[lead] == 1) lead++;
  for (int32_t d = lead; d < t->rank; d++)
    if (t->shape[d] != out->shape[out->rank - t->rank + d]) return 0;
  return 1;
}

/* add, sub, mul, div where one input has the output's shape and the other is that shape or repeats. */
static int od_binary_small(int32_t code, const hearth_tensor *in, const hearth_tensor *out) {
  int32_t full = in[0].size == out->size && od_repeats(&in[0], out) ? 0 : in[1].size == out->size && od_repeats(&in[1], out) ? 1 : -1;
  if (full < 0 || !od_repeats(&in[1 - full], out) || out->size == 0) return 0;
  const float *a = (const float *)in[full].data, *b = (const float *)in[1 - full].data;
  float *y = (float *)out->data;
  int64_t n = out->size, m = in[1 - full].size;
  switch (code) {
    case HK_ADD: od_add_loop(a, b, y, n, m, full); return 1;
    case HK_SUB: od_sub_loop(a, b, y, n, m, full); return 1;
    case HK_MUL: od_mul_loop(a, b, y, n, m, full); return 1;
    case HK_DIV: od_div_loop(a, b, y, n, m, full); return 1;
    default: return 0;
  }
}

/* softmax over rows of n contiguous elements: e^(x - max) / Σ. 0 (the reference runs) when a row's result
 * leaves (0, 1]: a NaN or infinity in it, or a spread beyond exp's range. */
OD_SIMD static int od_softmax_loop(const float *x, float *y, int64_t rows, int64_t n) {
  od_i8 bad = {0};
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *yr = y + r * n, m = xr[0], lo = xr[0];
    int64_t j = 0;
    if (n >= 8) {
      od_v8 mv = od_load(xr), lv = mv;
      for (j = 8; j + 8 <= n; j += 8) {
        od_v8 v = od_load(xr + j);
        mv = od_select(v > mv, v, mv);
        lv = od_select(v < lv, v, lv);
      }
      for (int k = 0; k < 8; k++) m = mv[k] > m ? mv[k] : m, lo = lv[k] < lo ? lv[k] : lo;
    }
    for (; j < n; j++) m = xr[j] > m ? xr[j] : m, lo = xr[j] < lo ? xr[j] : lo;
    /* every x - max in e^x's normal range: the short exp; else (subnormal results, -Inf) the full one */
    const int normal = lo - m >= OD_EXP_NORMAL_MIN;
    od_v8 shifted, acc = od_splat(0.f);
    j = 0;
#define OD_SHIFTED_EXP(v) (normal ? od_exp_normal((v) - m) : od_exp((v) - m))
    for (; j + 8 <= n; j += 8) {
      shifted = OD_SHIFTED_EXP(od_load(xr + j));
      od_store(yr + j, shifted);
      acc += shifted;
    }
    float s = od_hsum(acc);
    if (j < n) {
      float t[8] = {0};
      memcpy(t, xr + j, sizeof(float) * (size_t)(n - j));
      for (int64_t i = n - j; i < 8; i++) t[i] = m; /* padding lanes: e^0, dropped */
      od_store(t, OD_SHIFTED_EXP(od_load(t)));
      for (int64_t i = j; i < n; i++) s += yr[i] = t[i - j];
    }
#undef OD_SHIFTED_EXP
    /* times 1/s (1 <= s <= n, so no overflow or subnormal): 1.5 ULP where a division is 0.5, within the bound */
    const float rs = 1.f / s;
    for (j = 0; j + 8 <= n; j += 8) {
      od_v8 v = od_load(yr + j) * rs;
      od_store(yr + j, v);
      bad |= ~((v > 0.f) & (v <= 1.f));
    }
    for (; j < n; j++) {
      yr[j] *= rs;
      bad[0] |= !(yr[j] > 0 && yr[j] <= 1);
    }
  }
  for (int k = 0; k < 8; k++) if (bad[k]) return 0;
  return 1;
}

/* sum, mean, max or min of rows of n contiguous elements (max and min propagate NaN). */
OD_SIMD static void od_reduce_loop(int32_t code, const float *x, float *y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float v;
    if (code == HK_SUM || code == HK_MEAN) {
      od_v8 acc = od_splat(0.f);
      int64_t j = 0;
      for (; j + 8 <= n; j += 8) acc += od_load(xr + j);
      float s = od_hsum(acc);
      for (; j < n; j++) s += xr[j];
      v = code == HK_MEAN ? s / (float)n : s;
    } else {
      v = xr[0];
      if (code == HK_RMAX) for (int64_t j = 1; j < n; j++) v = xr[j] > v || xr[j] != xr[j] ? xr[j] : v;
      else for (int64_t j = 1; j < n; j++) v = xr[j] < v || xr[j] != xr[j] ? xr[j] : v;
    }
    y[r] = v;
  }
}

/* A reduction over a suffix of the axes (the contiguous inner ones: rows of n). */
static int od_reduce_small(int32_t code, const hearth_tensor *in, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  if (x->size == 0 || (code != HK_SUM && code != HK_MEAN && code != HK_RMAX && code != HK_RMIN)) return 0;
  int reduced[HK_MAX_RANK] = {0};
  int32_t cnt = 0;
  const int64_t *axes = hk_ints(a, na, "axes", &cnt);
  if (!axes) for (int32_t d = 0; d < x->rank; d++) reduced[d] = 1;
  else for (int32_t k = 0; k < cnt; k++) reduced[hk_axis(axes[k], x->rank)] = 1;
  int32_t first = x->rank;
  while (first > 0 && reduced[first - 1]) first--;
  for (int32_t d = 0; d < first; d++) if (reduced[d]) return 0;
  int64_t n = hk_prod(x->shape, first, x->rank);
  if (n == 0 || x->size / n != out->size) return 0;
  od_reduce_loop(code, (const float *)x->data, (float *)out->data, out->size, n);
  return code == HK_RMAX || code == HK_RMIN || od_no_nan(out, 1); /* a sum past FLT_MAX: the reference's double sum */
}

/* max_pool2d on NCHW, separably: the max down each window's rows into a line, then across the line's
 * window. Taps in the padding are skipped (a window wholly in it gives -Inf); NaN propagates. */
#define OD_MAX(a, b) ((b) > (a) || (b) != (b) ? (b) : (a))
OD_SIMD static void od_max_pool_loop(const float *x, float *y, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW, const int64_t *k,
                                     const int64_t *s, const int64_t *p, const int64_t *dl, float *line) {
  /* the outputs whose windows lie wholly inside the line: [ow0, ow1) */
  int64_t ow0 = (p[1] + s[1] - 1) / s[1], ow1 = OW;
  while (ow1 > ow0 && (ow1 - 1) * s[1] - p[1] + (k[1] - 1) * dl[1] >= W) ow1--;
  if (ow1 < ow0) ow1 = ow0;
  for (int64_t c = 0; c < planes; c++) {
    const float *xp = x + c * H * W;
    for (int64_t oh = 0; oh < OH; oh++) {
      int first = 1;
      for (int64_t kh = 0; kh < k[0]; kh++) {
        int64_t ih = oh * s[0] - p[0] + kh * dl[0];
        if (ih < 0 || ih >= H) continue;
        const float *row = xp + ih * W;
        if (first) memcpy(line, row, sizeof(float) * (size_t)W);
        else {
          int64_t w = 0;
          for (; w + 8 <= W; w += 8) {
            od_v8 a = od_load(line + w), b = od_load(row + w);
            od_store(line + w, od_select((b > a) | (b != b), b, a));
          }
          for (; w < W; w++) line[w] = OD_MAX(line[w], row[w]);
        }
        first = 0;
      }
      if (first) for (int64_t w = 0; w < W; w++) line[w] = -INFINITY;
      float *yr = y + (c * OH + oh) * OW;
      int64_t ow = ow0;
      if (k[1] == 2 && s[1] == 2) /* 2-wide windows, stride 2: 8 outputs from 16 line values, even and odd lanes */
        for (; ow + 8 <= ow1; ow += 8) {
          const float *l = line + ow * 2 - p[1];
          od_v8 lo = od_load(l), hi = od_load(l + 8);
          od_v8 even = __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14), odd = __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
          od_store(yr + ow, od_select((odd > even) | (odd != odd), odd, even));
        }
      for (; ow < ow1; ow++) {
        const float *l = line + ow * s[1] - p[1];
        float m = l[0];
        for (int64_t kw = 1; kw < k[1]; kw++) m = OD_MAX(m, l[kw * dl[1]]);
        yr[ow] = m;
      }
      for (int64_t ow = 0; ow < OW; ow++) {
        if (ow == ow0) ow = ow1;
        if (ow >= OW) break;
        float m = -INFINITY;
        for (int64_t kw = 0; kw < k[1]; kw++) {
          int64_t iw = ow * s[1] - p[1] + kw * dl[1];
          if (iw >= 0 && iw < W) m = OD_MAX(m, line[iw]);
        }
        yr[ow] = m;
      }
    }
  }
}
#undef OD_MAX

static int od_max_pool_small(const hearth_tensor *in, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  int32_t c2 = 0;
  const int64_t *ks = hk_ints(a, na, "kernelSize", &c2), *pd = hk_ints(a, na, "padding", &c2), *st = hk_ints(a, na, "stride", &c2), *dl = hk_ints(a, na, "dilation", &c2);
  static const int64_t ones[2] = {1, 1};
  if (!st) st = ks;
  if (!dl) dl = ones;
  const int64_t *x = in[0].shape;
  if (!ks || !pd || in[0].rank != 4 || out->size == 0 || x[3] > 4096) return 0;
  float line[4096];
  od_max_pool_loop((const float *)in[0].data, (float *)out->data, x[0] * x[1], x[2], x[3], out->shape[2], out->shape[3], ks, st, pd, dl, line);
  return 1;
}

/* layer_norm over rows of `inner` elements with a scale and bias of exactly `inner` values (or none): the
 * mean and variance in float64 as the C form, the affine map in float32 (a few ULP, the bound is 16).
 * Eight rows' statistics at a time, so their divisions and square roots overlap. */
OD_SIMD static void od_layer_norm_loop(const float *x, const float *sc, const float *bi, float *y, int64_t rows, int64_t inner, double eps) {
  const double rn = 1 / (double)inner; /* a float64 product, not a division, per row: 1 ULP of float64 more */
  for (int64_t r0 = 0; r0 < rows; r0 += 8) {
    int64_t nr = rows - r0 < 8 ? rows - r0 : 8;
    double mean[8] = {0}, inv[8] = {0};
    for (int64_t r = 0; r < nr; r++) {
      const float *row = x + (r0 + r) * inner;
      od_d4 s4 = {0, 0, 0, 0}, v4 = s4;
      int64_t j = 0;
      for (; j + 8 <= inner; j += 8) {
        od_v8 f = od_load(row + j);
        s4 += od_low(f) + od_high(f);
      }
      double s = (s4[0] + s4[2]) + (s4[1] + s4[3]), v = 0;
      for (; j < inner; j++) s += row[j];
      double m = s * rn;
      for (j = 0; j + 8 <= inner; j += 8) {
        od_v8 f = od_load(row + j);
        od_d4 lo = od_low(f) - m, hi = od_high(f) - m;
        v4 += lo * lo + hi * hi;
      }
      v = (v4[0] + v4[2]) + (v4[1] + v4[3]);
      for (; j < inner; j++) v += (row[j] - m) * (row[j] - m);
      mean[r] = m, inv[r] = v * rn + eps;
    }
    for (int r = 0; r < 8; r++) inv[r] = 1 / sqrt(inv[r]);
    for (int64_t r = 0; r < nr; r++) {
      const float *row = x + (r0 + r) * inner;
      float *yr = y + (r0 + r) * inner;
      /* x - mean in float32 as (x - hi) - lo, the mean split in two floats: x - hi is exact near the mean
       * and rounds by u·|x - mean| away from it, so the difference keeps a few ULP whatever the offset */
      const float hi = (float)mean[r], lo = (float)(mean[r] - hi), k = (float)inv[r];
      if (sc && bi) for (int64_t j = 0; j < inner; j++) yr[j] = ((row[j] - hi) - lo) * k * sc[j] + bi[j];
      else if (sc) for (int64_t j = 0; j < inner; j++) yr[j] = ((row[j] - hi) - lo) * k * sc[j];
      else for (int64_t j = 0; j < inner; j++) yr[j] = ((row[j] - hi) - lo) * k;
    }
  }
}

/* layer_norm through od_layer_norm_loop when its scale and bias (if given) hold exactly the normalized
 * shape's values; 0 for broadcast ones (the C form in od_composites.h takes those). */
static int od_layer_norm_small(const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  if (x->rank == 0 || x->size == 0) return 0;
  int64_t inner = hk_prod(x->shape, (int32_t)hk_axis(hk_int(a, na, "axis", -1), x->rank), x->rank);
  for (int32_t k = 1; k < nin; k++) if (in[k].size != inner) return 0;
  od_layer_norm_loop((const float *)x->data, nin > 1 ? (const float *)in[1].data : NULL, nin > 2 ? (const float *)in[2].data : NULL, (float *)out->data,
                     x->size / inner, inner, hk_num(a, na, "epsilon", 1e-5));
  return 1;
}

#endif
