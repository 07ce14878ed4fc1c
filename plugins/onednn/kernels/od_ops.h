/*
 * od_ops.h: plans for the operators oneDNN computes within Hearth's bounds, each built from a launch's
 * shapes and attributes. A builder returns 0 when oneDNN can't do the case exactly as the opset says
 * (then the reference kernel runs it): those rules are written next to each builder.
 */
#ifndef OD_OPS_H
#define OD_OPS_H

#include "od_plan.h"

/* A plain row-major float32 layout of `dims` (a scalar as [1]). */
static int od_md(dnnl_memory_desc_t *md, int32_t rank, const int64_t *dims) {
  dnnl_dims_t d = {0}, s = {0};
  if (rank == 0) (rank = 1, d[0] = 1);
  else for (int32_t i = 0; i < rank; i++) d[i] = dims[i];
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; i--) (s[i] = stride, stride *= d[i] ? d[i] : 1);
  return dnnl_memory_desc_init_by_strides(md, rank, d, dnnl_f32, s) == dnnl_success;
}

/* `t`'s dims padded in front with 1s to `rank`. */
static void od_dims_to(const hearth_tensor *t, int32_t rank, int64_t *dims) {
  for (int32_t i = 0; i < rank; i++) {
    int32_t k = i - (rank - t->rank);
    dims[i] = k < 0 ? 1 : t->shape[k];
  }
}

/* One argument of a primitive: its kind, how to ask the primitive for its layout, the user tensor it
 * reads or writes (inputs 0..2, OD_OUT) and that tensor's plain layout. */
typedef struct od_arg {
  int kind;
  dnnl_query_t query;
  int32_t index, slot;
  dnnl_memory_desc_t md;
} od_arg;

/* Makes the primitive of `op_desc` (with `attr`), and the steps around it: a reorder into each layout the
 * primitive chose (`any`) that differs from the tensor's plain one, and one out of the destination's
 * (the last argument). */
static int od_build_with_layouts(od_plan *pl, const void *op_desc, const_dnnl_primitive_attr_t attr, int32_t nargs, const od_arg *arg) {
  dnnl_primitive_desc_t pd;
  if (dnnl_primitive_desc_create(&pd, op_desc, attr, od_engine, NULL) != dnnl_success) return 0;
  dnnl_exec_arg_t args[OD_ARGS];
  dnnl_memory_t after_from = NULL, after_to = NULL;
  dnnl_memory_desc_t after_from_md;
  for (int32_t i = 0; i < nargs; i++) {
    const dnnl_memory_desc_t *chosen = dnnl_primitive_desc_query_md(pd, arg[i].query, arg[i].index);
    dnnl_memory_t user = od_user(pl, arg[i].slot, &arg[i].md);
    args[i].arg = arg[i].kind;
    if (!user || !chosen) return dnnl_primitive_desc_destroy(pd), 0;
    if (dnnl_memory_desc_equal(chosen, &arg[i].md)) {
      args[i].memory = user;
      continue;
    }
    dnnl_memory_t mid = od_owned(pl, chosen);
    if (!mid) return dnnl_primitive_desc_destroy(pd), 0;
    args[i].memory = mid;
    if (i == nargs - 1) (after_from = mid, after_from_md = *chosen, after_to = user);
    else if (!od_add_reorder(pl, user, &arg[i].md, mid, chosen)) return dnnl_primitive_desc_destroy(pd), 0;
  }
  if (!od_add_step(pl, pd, nargs, args)) return 0;
  return !after_from || od_add_reorder(pl, after_from, &after_from_md, after_to, &arg[nargs - 1].md);
}

/* matmul of rank >= 1 operands with broadcast batch axes. One 2-D product goes to dnnl_sgemm (faster than
 * the matmul primitive on this library's AVX2 path); a batch to the matmul primitive. Empty products are
 * the reference's (it writes the zeros of k = 0). */
static int od_build_matmul(od_plan *pl, const hearth_tensor *in, const hearth_tensor *out) {
  const hearth_tensor *A = &in[0], *B = &in[1];
  int64_t M = A->rank == 1 ? 1 : A->shape[A->rank - 2], K = A->shape[A->rank - 1], N = B->rank == 1 ? 1 : B->shape[B->rank - 1];
  if (M == 0 || K == 0 || N == 0 || out->size == 0) return 0;
  int32_t ab = A->rank > 2 ? A->rank - 2 : 0, bb = B->rank > 2 ? B->rank - 2 : 0, br = ab > bb ? ab : bb;
  if (out->size == M * N) {
    pl->how = OD_SGEMM;
    pl->p[0] = M, pl->p[1] = K, pl->p[2] = N;
    return 1;
  }
  if (br + 2 > DNNL_MAX_NDIMS) return 0;
  int64_t ad[DNNL_MAX_NDIMS], bd[DNNL_MAX_NDIMS], cd[DNNL_MAX_NDIMS];
  for (int32_t d = 0; d < br; d++) {
    int32_t ka = d - (br - ab), kb = d - (br - bb);
    ad[d] = ka >= 0 ? A->shape[ka] : 1;
    bd[d] = kb >= 0 ? B->shape[kb] : 1;
    cd[d] = ad[d] > bd[d] ? ad[d] : bd[d];
  }
  ad[br] = M, ad[br + 1] = K, bd[br] = K, bd[br + 1] = N, cd[br] = M, cd[br + 1] = N;
  dnnl_memory_desc_t md[3];
  if (!od_md(&md[0], br + 2, ad) || !od_md(&md[1], br + 2, bd) || !od_md(&md[2], br + 2, cd)) return 0;
  dnnl_matmul_desc_t desc;
  if (dnnl_matmul_desc_init(&desc, &md[0], &md[1], NULL, &md[2]) != dnnl_success) return 0;
  od_arg args[3] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, md[0]}, {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 0, 1, md[1]}, {DNNL_ARG_DST, dnnl_query_dst_md, 0, OD_OUT, md[2]}};
  return od_build_with_layouts(pl, &desc, NULL, 3, args);
}

/* The "any" layouts of a convolution-like primitive's source, weights and destination (oneDNN picks the
 * blocked ones it runs fastest), from their plain descriptions. */
static void od_any_layouts(dnnl_memory_desc_t *any, const dnnl_memory_desc_t *plain, int32_t wrank) {
  dnnl_memory_desc_init_by_tag(&any[0], 4, plain[0].dims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&any[1], wrank, plain[1].dims, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&any[3], 4, plain[3].dims, dnnl_f32, dnnl_format_tag_any);
}

/* Builds a convolution or deconvolution from its descriptor: input 0 as source, 1 as weights, the optional
 * bias 2, the output as destination, each reordered from its plain layout where oneDNN chose another. */
static int od_build_conv_like(od_plan *pl, const void *desc, const dnnl_memory_desc_t *plain, int32_t nin) {
  od_arg args[4] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, plain[0]}, {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 0, 1, plain[1]},
                    {DNNL_ARG_BIAS, dnnl_query_weights_md, 1, 2, plain[2]}, {DNNL_ARG_DST, dnnl_query_dst_md, 0, OD_OUT, plain[3]}};
  if (nin <= 2) args[2] = args[3];
  return od_build_with_layouts(pl, desc, NULL, nin > 2 ? 4 : 3, args);
}

/* conv2d: NCHW, OIHW weights (grouped as G, O/G, I, KH, KW), optional bias, symmetric padding on the left
 * and whatever right padding the output size implies. oneDNN picks blocked layouts; the plan reorders in
 * and out of them. */
static int od_build_conv2d(od_plan *pl, const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  int32_t c2 = 0;
  const int64_t *st = hk_ints(a, na, "stride", &c2), *pd = hk_ints(a, na, "padding", &c2), *dl = hk_ints(a, na, "dilation", &c2);
  int64_t g = hk_int(a, na, "groups", 1);
  const int64_t *x = in[0].shape, *w = in[1].shape;
  if (!st || !pd || !dl || in[0].size == 0 || in[1].size == 0 || out->size == 0) return 0;
  int64_t OH = out->shape[2], OW = out->shape[3];
  dnnl_dims_t strides = {st[0], st[1]}, dil = {dl[0] - 1, dl[1] - 1}, pad_l = {pd[0], pd[1]};
  dnnl_dims_t pad_r = {(OH - 1) * st[0] + (w[2] - 1) * dl[0] + 1 - x[2] - pd[0], (OW - 1) * st[1] + (w[3] - 1) * dl[1] + 1 - x[3] - pd[1]};
  if (pad_r[0] < 0 || pad_r[1] < 0) return 0;
  dnnl_memory_desc_t plain[4], any[4];
  memset(plain, 0, sizeof plain);
  int64_t wd[5] = {g, w[0] / g, w[1], w[2], w[3]};
  int32_t wrank = g > 1 ? 5 : 4;
  if (!od_md(&plain[0], 4, x) || !od_md(&plain[1], wrank, g > 1 ? wd : w) || !od_md(&plain[3], 4, out->shape)) return 0;
  if (nin > 2 && !od_md(&plain[2], 1, in[2].shape)) return 0;
  od_any_layouts(any, plain, wrank);
  dnnl_convolution_desc_t desc;
  if (dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &any[0], &any[1], nin > 2 ? &plain[2] : NULL, &any[3],
                                                 strides, dil, pad_l, pad_r) != dnnl_success)
    return 0;
  return od_build_conv_like(pl, &desc, plain, nin);
}


/* conv_transpose2d: NCHW, weights [C, O/G, KH, KW] (PyTorch's layout, described to oneDNN by strides as its
 * G, O/G, C/G, KH, KW), optional bias, through the deconvolution primitive. The right padding is what the
 * output size implies (output padding makes it smaller than the left). */
static int od_build_conv_transpose2d(od_plan *pl, const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  int32_t c2 = 0;
  const int64_t *st = hk_ints(a, na, "stride", &c2), *pd = hk_ints(a, na, "padding", &c2), *dl = hk_ints(a, na, "dilation", &c2);
  int64_t g = hk_int(a, na, "groups", 1);
  const int64_t *x = in[0].shape, *w = in[1].shape;
  if (!st || !pd || !dl || in[0].size == 0 || in[1].size == 0 || out->size == 0) return 0;
  int64_t Cg = x[1] / g, Og = w[1], KH = w[2], KW = w[3], OH = out->shape[2], OW = out->shape[3];
  dnnl_dims_t strides = {st[0], st[1]}, dil = {dl[0] - 1, dl[1] - 1}, pad_l = {pd[0], pd[1]};
  dnnl_dims_t pad_r = {(x[2] - 1) * st[0] + (KH - 1) * dl[0] + 1 - OH - pd[0], (x[3] - 1) * st[1] + (KW - 1) * dl[1] + 1 - OW - pd[1]};
  dnnl_memory_desc_t plain[4], any[4];
  memset(plain, 0, sizeof plain);
  int32_t wrank = g > 1 ? 5 : 4;
  dnnl_dims_t wd = {g, Og, Cg, KH, KW}, ws = {Cg * Og * KH * KW, KH * KW, Og * KH * KW, KW, 1};
  if (!od_md(&plain[0], 4, x) || !od_md(&plain[3], 4, out->shape)) return 0;
  if (dnnl_memory_desc_init_by_strides(&plain[1], wrank, g > 1 ? wd : wd + 1, dnnl_f32, g > 1 ? ws : ws + 1) != dnnl_success) return 0;
  if (nin > 2 && !od_md(&plain[2], 1, in[2].shape)) return 0;
  od_any_layouts(any, plain, wrank);
  dnnl_deconvolution_desc_t desc;
  if (dnnl_dilated_deconvolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_deconvolution_direct, &any[0], &any[1], nin > 2 ? &plain[2] : NULL, &any[3],
                                                   strides, dil, pad_l, pad_r) != dnnl_success)
    return 0;
  return od_build_conv_like(pl, &desc, plain, nin);
}

/* The arguments of a primitive with one source and one destination in plain layouts. */
static int od_build_unary(od_plan *pl, const void *desc, const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst, int src_arg) {
  od_arg args[2] = {{src_arg, dnnl_query_src_md, 0, 0, *src}, {DNNL_ARG_DST, dnnl_query_dst_md, 0, OD_OUT, *dst}};
  return od_build_with_layouts(pl, desc, NULL, 2, args);
}

static int od_same_dims(int32_t rank, const int64_t *a, const int64_t *b) {
  for (int32_t i = 0; i < rank; i++) if (a[i] != b[i]) return 0;
  return 1;
}

/* add, sub, mul, div with broadcasting. oneDNN broadcasts only its second source, so the first input must
 * have the output's shape, or, for add and mul, the second (the inputs then swap). Each is one IEEE
 * operation, correctly rounded, as the opset asks. */
static int od_build_binary(od_plan *pl, dnnl_alg_kind_t alg, int commutative, const hearth_tensor *in, const hearth_tensor *out) {
  int32_t rank = out->rank ? out->rank : 1;
  int64_t d[2][HK_MAX_RANK], o[HK_MAX_RANK];
  for (int32_t k = 0; k < 2; k++) {
    if (out->rank == 0) d[k][0] = 1;
    else od_dims_to(&in[k], rank, d[k]);
  }
  if (out->rank == 0) o[0] = 1;
  else memcpy(o, out->shape, sizeof(int64_t) * (size_t)rank);
  int32_t first = 0;
  if (!od_same_dims(rank, d[0], o)) {
    if (!commutative || !od_same_dims(rank, d[1], o)) return 0;
    first = 1;
  }
  dnnl_memory_desc_t md[3];
  if (!od_md(&md[0], rank, d[first]) || !od_md(&md[1], rank, d[1 - first]) || !od_md(&md[2], rank, o)) return 0;
  dnnl_binary_desc_t desc;
  if (dnnl_binary_desc_init(&desc, alg, &md[0], &md[1], &md[2]) != dnnl_success) return 0;
  od_arg args[3] = {{DNNL_ARG_SRC_0, dnnl_query_src_md, 0, first, md[0]}, {DNNL_ARG_SRC_1, dnnl_query_src_md, 1, 1 - first, md[1]},
                    {DNNL_ARG_DST, dnnl_query_dst_md, 0, OD_OUT, md[2]}};
  return od_build_with_layouts(pl, &desc, NULL, 3, args);
}

/* An element-wise function over all n elements (one flat axis). */
static int od_build_eltwise(od_plan *pl, dnnl_alg_kind_t alg, float alpha, float beta, const hearth_tensor *out) {
  dnnl_memory_desc_t md;
  int64_t n = out->size;
  if (n == 0 || !od_md(&md, 1, &n)) return 0;
  dnnl_eltwise_desc_t desc;
  if (dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, alpha, beta) != dnnl_success) return 0;
  return od_build_unary(pl, &desc, &md, &md, DNNL_ARG_SRC);
}

/* softmax and log_softmax over one axis. */
static int od_build_softmax(od_plan *pl, int log, const hearth_tensor *in, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  if (in[0].rank == 0 || out->size == 0) return 0;
  int64_t axis = hk_axis(hk_int(a, na, "axis", -1), in[0].rank);
  dnnl_memory_desc_t md;
  if (!od_md(&md, in[0].rank, in[0].shape)) return 0;
  dnnl_softmax_v2_desc_t desc;
  if (dnnl_softmax_v2_forward_desc_init(&desc, dnnl_forward_inference, log ? dnnl_softmax_log : dnnl_softmax_accurate, &md, &md, (int)axis) != dnnl_success) return 0;
  return od_build_unary(pl, &desc, &md, &md, DNNL_ARG_SRC);
}

/* max_pool2d and avg_pool2d on NCHW. The right padding is what the output size (ceil mode included)
 * implies. Averages that count the padding divide by the whole window in oneDNN, but by the window
 * clipped to the padded input in Hearth (PyTorch's rule): they go to oneDNN only when the two agree
 * (no extra right padding). */
static int od_build_pool(od_plan *pl, int avg, const hearth_tensor *in, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  int32_t c2 = 0;
  const int64_t *ks = hk_ints(a, na, "kernelSize", &c2), *pd = hk_ints(a, na, "padding", &c2), *st = hk_ints(a, na, "stride", &c2);
  if (!st) st = ks;
  if (!ks || !pd || in[0].size == 0 || out->size == 0) return 0;
  const int64_t *x = in[0].shape;
  int64_t OH = out->shape[2], OW = out->shape[3];
  dnnl_dims_t strides = {st[0], st[1]}, kernel = {ks[0], ks[1]}, dil = {0, 0}, pad_l = {pd[0], pd[1]};
  dnnl_dims_t pad_r = {(OH - 1) * st[0] + ks[0] - x[2] - pd[0], (OW - 1) * st[1] + ks[1] - x[3] - pd[1]};
  int include = hk_int(a, na, "countIncludePad", 1) != 0;
  if (pad_r[0] < 0 || pad_r[1] < 0) return 0;
  if (avg && include && (pad_r[0] != pd[0] || pad_r[1] != pd[1])) return 0;
  /* a window wholly in the padding has no element: oneDNN's max gives -FLT_MAX, Hearth's -Inf */
  if (pad_r[0] >= ks[0] || pad_r[1] >= ks[1] || pd[0] >= ks[0] || pd[1] >= ks[1]) return 0;
  dnnl_memory_desc_t src, dst, blocked, any;
  if (!od_md(&src, 4, x) || !od_md(&dst, 4, out->shape)) return 0;
  dnnl_alg_kind_t alg = !avg ? dnnl_pooling_max : include ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
  dnnl_pooling_v2_desc_t desc;
  /* On plain NCHW oneDNN has only a scalar loop (simple_nchw), several times slower than reordering into
   * channel blocks of 8 (its JIT kernels' layout), pooling there and reordering back. */
  if (dnnl_memory_desc_init_by_tag(&blocked, 4, src.dims, dnnl_f32, dnnl_nChw8c) == dnnl_success &&
      dnnl_memory_desc_init_by_tag(&any, 4, dst.dims, dnnl_f32, dnnl_format_tag_any) == dnnl_success &&
      dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, alg, &blocked, &any, strides, kernel, dil, pad_l, pad_r) == dnnl_success &&
      od_build_unary(pl, &desc, &src, &dst, DNNL_ARG_SRC))
    return 1;
  od_plan_reset(pl);
  if (dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, alg, &src, &dst, strides, kernel, dil, pad_l, pad_r) != dnnl_success) return 0;
  return od_build_unary(pl, &desc, &src, &dst, DNNL_ARG_SRC);
}

/* sum, mean, max, min over axes (null: all), keepdims or not (the same elements in the same order). */
static int od_build_reduce(od_plan *pl, dnnl_alg_kind_t alg, const hearth_tensor *in, const hearth_named_value *a, int32_t na) {
  const hearth_tensor *x = &in[0];
  if (x->rank == 0 || x->size == 0) return 0;
  int reduced[HK_MAX_RANK] = {0}, any = 0;
  int32_t cnt = 0;
  const int64_t *axes = hk_ints(a, na, "axes", &cnt);
  if (!axes) for (int32_t d = 0; d < x->rank; d++) reduced[d] = 1;
  else for (int32_t k = 0; k < cnt; k++) reduced[hk_axis(axes[k], x->rank)] = 1;
  int64_t dd[HK_MAX_RANK];
  for (int32_t d = 0; d < x->rank; d++) {
    dd[d] = reduced[d] ? 1 : x->shape[d];
    any |= reduced[d] && x->shape[d] != 1;
  }
  if (!any) return 0;
  dnnl_memory_desc_t src, dst;
  if (!od_md(&src, x->rank, x->shape) || !od_md(&dst, x->rank, dd)) return 0;
  dnnl_reduction_desc_t desc;
  if (dnnl_reduction_desc_init(&desc, alg, &src, &dst, 0.f, 0.f) != dnnl_success) return 0;
  return od_build_unary(pl, &desc, &src, &dst, DNNL_ARG_SRC);
}

#endif
