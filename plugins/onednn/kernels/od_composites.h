/*
 * od_composites.h: fused kernels for opset v2 composites that oneDNN (or dnnl_sgemm) runs in one call where
 * the decomposition takes several: linear, layer_norm, batch_norm. A composite has no reference kernel to
 * fall back on, so each has a plain C form here, in float64 and rounded once, for the cases oneDNN declines
 * or whose result it can't vouch for (NaN and infinities).
 */
#ifndef OD_COMPOSITES_H
#define OD_COMPOSITES_H

#include <math.h>
#include "od_activations.h"
#include "od_gemm.h"

/* The composites this plugin has fused kernels for (float32), after the reference kernels in kernels(). */
static const char *const OD_COMPOSITES[] = {"linear", "layer_norm", "batch_norm", "silu", "gelu_tanh", "elu", "leaky_relu", "hard_swish", "softplus"};
enum { OD_LINEAR, OD_LAYER_NORM, OD_BATCH_NORM, OD_SILU, OD_COMPOSITE_COUNT = OD_SILU + OD_ACT_COUNT };

/* linear (ONNX Gemm): out = alpha·A'·B' + beta·c. The output is first filled with beta·c broadcast to
 * [M, N] (rounded as the decomposition's mul), then dnnl_sgemm (or od_gemm for a small launch) adds
 * alpha·A'·B' to it. */
static hearth_status od_linear(const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na, int small) {
  int ta = hk_int(a, na, "transA", 0) != 0, tb = hk_int(a, na, "transB", 0) != 0;
  float alpha = (float)hk_num(a, na, "alpha", 1), beta = (float)hk_num(a, na, "beta", 1);
  int64_t M = out->shape[0], N = out->shape[1], K = ta ? in[0].shape[0] : in[0].shape[1];
  float *y = (float *)out->data;
  if (M == 0 || N == 0) return HEARTH_OK;
  int64_t st[2] = {0, 0};
  if (nin > 2) hk_broadcast(&in[2], 2, st);
  /* a bias row c[N] (beta 1) starts od_gemm's sums; otherwise the output is filled with beta·c first */
  int bias_row = small && alpha == 1 && !tb && nin > 2 && beta == 1 && st[0] == 0 && st[1] == 1 && K > 0;
  if (nin > 2 && !bias_row) {
    const float *c = (const float *)in[2].data;
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) y[i * N + j] = beta == 1 ? c[i * st[0] + j * st[1]] : c[i * st[0] + j * st[1]] * beta;
  }
  if (K == 0) {
    for (int64_t i = 0; i < M * N; i++) y[i] = nin > 2 ? 0.0f * alpha + y[i] : 0.0f * alpha;
    return HEARTH_OK;
  }
  if (small && alpha == 1 && !tb) { /* od_gemm.h's loops, where the caller says the launch is small */
    od_gemm_args g = {M, N, K, ta ? 1 : K, ta ? M : 1, N, (const float *)in[0].data, (const float *)in[1].data, y, nin > 2 && !bias_row,
                      bias_row ? (const float *)in[2].data : NULL};
    if (od_gemm(&g)) return HEARTH_OK;
    if (bias_row) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "linear: out of host memory");
  }
  if (dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, (const float *)in[0].data, ta ? M : K, (const float *)in[1].data, tb ? K : N,
                 nin > 2 ? 1.0f : 0.0f, y, N) != dnnl_success)
    return fail(HEARTH_ERROR_INTERNAL, "linear: dnnl_sgemm failed");
  return HEARTH_OK;
}

/* layer_norm over the axes from `axis` on: x as [outer, inner], oneDNN's layer normalization over its last
 * axis. oneDNN takes a scale and bias of exactly `inner` values; broadcast ones take the C form. */
static int od_build_layer_norm(od_plan *pl, const hearth_tensor *in, int32_t nin, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  if (x->rank == 0 || x->size == 0) return 0;
  int64_t axis = hk_axis(hk_int(a, na, "axis", -1), x->rank), inner = hk_prod(x->shape, (int32_t)axis, x->rank);
  for (int32_t k = 1; k < nin; k++) if (in[k].size != inner) return 0;
  int64_t dims[2] = {x->size / inner, inner};
  dnnl_memory_desc_t data, stat, param;
  if (!od_md(&data, 2, dims) || !od_md(&stat, 1, dims) || !od_md(&param, 1, &inner)) return 0;
  unsigned flags = (nin > 1 ? dnnl_use_scale : 0) | (nin > 2 ? dnnl_use_shift : 0);
  dnnl_layer_normalization_desc_t desc;
  if (dnnl_layer_normalization_forward_desc_init(&desc, dnnl_forward_inference, &data, &stat, (float)hk_num(a, na, "epsilon", 1e-5), flags) != dnnl_success) return 0;
  od_arg args[4] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, data}, {DNNL_ARG_SCALE, dnnl_query_weights_md, 0, 1, param}, {DNNL_ARG_SHIFT, dnnl_query_weights_md, 0, 2, param}};
  args[nin] = (od_arg){DNNL_ARG_DST, dnnl_query_dst_md, 0, OD_OUT, data};
  return od_build_with_layouts(pl, &desc, NULL, nin + 1, args);
}

static void od_layer_norm_c(const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  int32_t axis = (int32_t)hk_axis(hk_int(a, na, "axis", -1), x->rank);
  int64_t inner = hk_prod(x->shape, axis, x->rank), rows = inner ? x->size / inner : 0;
  double eps = hk_num(a, na, "epsilon", 1e-5);
  hearth_tensor shape = {NULL, x->shape + axis, inner, HEARTH_FLOAT32, x->rank - axis};
  int64_t ss[HK_MAX_RANK] = {0}, bs[HK_MAX_RANK] = {0}, st[HK_MAX_RANK];
  if (nin > 1) hk_broadcast(&in[1], shape.rank, ss);
  if (nin > 2) hk_broadcast(&in[2], shape.rank, bs);
  hk_strides(shape.shape, shape.rank, st);
  const float *xs = (const float *)x->data, *sc = nin > 1 ? (const float *)in[1].data : NULL, *bi = nin > 2 ? (const float *)in[2].data : NULL;
  float *y = (float *)out->data;
  for (int64_t r = 0; r < rows; r++) {
    const float *row = xs + r * inner;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < inner; j++) mean += row[j];
    mean /= (double)inner;
    for (int64_t j = 0; j < inner; j++) var += (row[j] - mean) * (row[j] - mean);
    double inv = 1 / sqrt(var / (double)inner + eps);
    for (int64_t j = 0; j < inner; j++) {
      int64_t si = 0, bj = 0;
      for (int32_t d = 0; d < shape.rank; d++) (si += (j / st[d]) % shape.shape[d] * ss[d], bj += (j / st[d]) % shape.shape[d] * bs[d]);
      double v = (row[j] - mean) * inv;
      if (sc) v *= sc[si];
      if (bi) v += bi[bj];
      y[r * inner + j] = (float)v;
    }
  }
}

/* batch_norm (inference): x as [N, C, rest, 1] (4-D, which oneDNN's JIT kernels take), oneDNN's batch normalization with the given statistics. */
static int od_build_batch_norm(od_plan *pl, const hearth_tensor *in, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  if (x->size == 0) return 0;
  int64_t dims[4] = {x->shape[0], x->shape[1], hk_prod(x->shape, 2, x->rank), 1}, C = x->shape[1];
  dnnl_memory_desc_t data, param;
  if (!od_md(&data, 4, dims) || !od_md(&param, 1, &C)) return 0;
  dnnl_batch_normalization_desc_t desc;
  if (dnnl_batch_normalization_forward_desc_init(&desc, dnnl_forward_inference, &data, (float)hk_num(a, na, "epsilon", 1e-5),
                                                 dnnl_use_global_stats | dnnl_use_scale | dnnl_use_shift) != dnnl_success)
    return 0;
  od_arg args[6] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, data},        {DNNL_ARG_SCALE, dnnl_query_weights_md, 0, 1, param},
                    {DNNL_ARG_SHIFT, dnnl_query_weights_md, 0, 2, param},  {DNNL_ARG_MEAN, dnnl_query_src_md, 1, 3, param},
                    {DNNL_ARG_VARIANCE, dnnl_query_src_md, 2, 4, param},  {DNNL_ARG_DST, dnnl_query_dst_md, 0, OD_OUT, data}};
  return od_build_with_layouts(pl, &desc, NULL, 6, args);
}

static void od_batch_norm_c(const hearth_tensor *in, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  int64_t N = x->shape[0], C = x->shape[1], S = hk_prod(x->shape, 2, x->rank);
  double eps = hk_num(a, na, "epsilon", 1e-5);
  const float *xs = (const float *)x->data, *sc = (const float *)in[1].data, *bi = (const float *)in[2].data, *mu = (const float *)in[3].data,
              *va = (const float *)in[4].data;
  float *y = (float *)out->data;
  for (int64_t n = 0; n < N; n++)
    for (int64_t c = 0; c < C; c++) {
      double d = sqrt((double)va[c] + eps);
      for (int64_t s = 0; s < S; s++) {
        int64_t i = (n * C + c) * S + s;
        y[i] = (float)(((double)xs[i] - mu[c]) / d * sc[c] + bi[c]);
      }
    }
}

#endif
