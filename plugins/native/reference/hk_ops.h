/*
 * hk_ops.h: every opset operator as "compute output element i" from a plan made once per launch (the v2
 * primitives' element functions are in hk_ops_v2.h).
 * The reference plugin runs hk_eval in a loop; the CUDA plugin runs the same function one thread per
 * element (and has its own tiled kernels for matmul, conv2d, reductions and softmax).
 */
#ifndef HK_OPS_H
#define HK_OPS_H

#include "hk_scalar.h"

#define HK_MAX_RANK 8
#define HK_MAX_IN 3

/* How an operator's elements are computed. */
enum {
  HK_FAMILY_UNARY, HK_FAMILY_BINARY, HK_FAMILY_WHERE, HK_FAMILY_COPY, /* cast, reshape, transpose, slice, expand */
  HK_FAMILY_CONCAT, HK_FAMILY_GATHER, HK_FAMILY_PAD, HK_FAMILY_REDUCE, HK_FAMILY_SOFTMAX, HK_FAMILY_MATMUL,
  HK_FAMILY_CONV2D, HK_FAMILY_POOL, HK_FAMILY_FULL, HK_FAMILY_ARANGE,
  /* opset v2 */
  HK_FAMILY_MOD, HK_FAMILY_CUMSUM, HK_FAMILY_TOPK, HK_FAMILY_GATHER_ELEMENTS, HK_FAMILY_TILE, HK_FAMILY_RESIZE,
  HK_FAMILY_CONV_TRANSPOSE2D, HK_FAMILY_RANDOM
};

enum { HK_SUM, HK_MEAN, HK_RMAX, HK_RMIN, HK_PROD, HK_ARGMAX, HK_ARGMIN };

/* The dtypes a kernel is registered for. */
#define HK_F32 (1 << HEARTH_FLOAT32)
#define HK_I32 (1 << HEARTH_INT32)
#define HK_BOOL (1 << HEARTH_BOOL)
#define HK_NUM (HK_F32 | HK_I32)
#define HK_ANY (HK_F32 | HK_I32 | HK_BOOL)

typedef struct hk_op {
  const char *name;
  int32_t family;
  int32_t code; /* the unary/binary/reduction operator, or 1 for log_softmax / avg_pool2d */
  int32_t dtypes;
} hk_op;

/* Every operator of opset v1 this code computes, with the compute dtypes it is registered for. */
#define HK_OPSET_V1(X) \
  X("neg", HK_FAMILY_UNARY, HK_NEG, HK_NUM) X("abs", HK_FAMILY_UNARY, HK_ABS, HK_NUM) \
  X("sign", HK_FAMILY_UNARY, HK_SIGN, HK_NUM) X("exp", HK_FAMILY_UNARY, HK_EXP, HK_F32) \
  X("log", HK_FAMILY_UNARY, HK_LOG, HK_F32) X("sqrt", HK_FAMILY_UNARY, HK_SQRT, HK_F32) \
  X("rsqrt", HK_FAMILY_UNARY, HK_RSQRT, HK_F32) X("reciprocal", HK_FAMILY_UNARY, HK_RECIPROCAL, HK_F32) \
  X("sin", HK_FAMILY_UNARY, HK_SIN, HK_F32) X("cos", HK_FAMILY_UNARY, HK_COS, HK_F32) \
  X("tanh", HK_FAMILY_UNARY, HK_TANH, HK_F32) X("sigmoid", HK_FAMILY_UNARY, HK_SIGMOID, HK_F32) \
  X("relu", HK_FAMILY_UNARY, HK_RELU, HK_NUM) X("gelu", HK_FAMILY_UNARY, HK_GELU, HK_F32) \
  X("floor", HK_FAMILY_UNARY, HK_FLOOR, HK_NUM) X("ceil", HK_FAMILY_UNARY, HK_CEIL, HK_NUM) \
  X("round", HK_FAMILY_UNARY, HK_ROUND, HK_NUM) \
  X("add", HK_FAMILY_BINARY, HK_ADD, HK_NUM) X("sub", HK_FAMILY_BINARY, HK_SUB, HK_NUM) \
  X("mul", HK_FAMILY_BINARY, HK_MUL, HK_NUM) X("div", HK_FAMILY_BINARY, HK_DIV, HK_F32) \
  X("pow", HK_FAMILY_BINARY, HK_POW, HK_NUM) X("maximum", HK_FAMILY_BINARY, HK_MAXIMUM, HK_NUM) \
  X("minimum", HK_FAMILY_BINARY, HK_MINIMUM, HK_NUM) X("eq", HK_FAMILY_BINARY, HK_EQ, HK_ANY) \
  X("ne", HK_FAMILY_BINARY, HK_NE, HK_ANY) X("lt", HK_FAMILY_BINARY, HK_LT, HK_ANY) \
  X("le", HK_FAMILY_BINARY, HK_LE, HK_ANY) X("gt", HK_FAMILY_BINARY, HK_GT, HK_ANY) \
  X("ge", HK_FAMILY_BINARY, HK_GE, HK_ANY) X("logical_and", HK_FAMILY_BINARY, HK_LOGICAL_AND, HK_ANY) \
  X("logical_or", HK_FAMILY_BINARY, HK_LOGICAL_OR, HK_ANY) \
  X("where", HK_FAMILY_WHERE, 0, HK_ANY) X("cast", HK_FAMILY_COPY, 0, HK_ANY) \
  X("sum", HK_FAMILY_REDUCE, HK_SUM, HK_NUM) X("mean", HK_FAMILY_REDUCE, HK_MEAN, HK_F32) \
  X("max", HK_FAMILY_REDUCE, HK_RMAX, HK_NUM) X("min", HK_FAMILY_REDUCE, HK_RMIN, HK_NUM) \
  X("prod", HK_FAMILY_REDUCE, HK_PROD, HK_NUM) X("argmax", HK_FAMILY_REDUCE, HK_ARGMAX, HK_NUM) \
  X("argmin", HK_FAMILY_REDUCE, HK_ARGMIN, HK_NUM) \
  X("softmax", HK_FAMILY_SOFTMAX, 0, HK_F32) X("log_softmax", HK_FAMILY_SOFTMAX, 1, HK_F32) \
  X("matmul", HK_FAMILY_MATMUL, 0, HK_NUM) \
  X("reshape", HK_FAMILY_COPY, 0, HK_ANY) X("transpose", HK_FAMILY_COPY, 1, HK_ANY) \
  X("slice", HK_FAMILY_COPY, 2, HK_ANY) X("concat", HK_FAMILY_CONCAT, 0, HK_ANY) \
  X("expand", HK_FAMILY_COPY, 3, HK_ANY) X("gather", HK_FAMILY_GATHER, 0, HK_ANY) \
  X("pad", HK_FAMILY_PAD, 0, HK_ANY) \
  X("conv2d", HK_FAMILY_CONV2D, 0, HK_F32) X("max_pool2d", HK_FAMILY_POOL, 0, HK_F32) \
  X("avg_pool2d", HK_FAMILY_POOL, 1, HK_F32) \
  X("full", HK_FAMILY_FULL, 0, HK_ANY) X("arange", HK_FAMILY_ARANGE, 0, HK_NUM)

/* The primitives opset v2 adds (random_*: code 0 uniform, 1 normal). */
#define HK_OPSET_V2(X) \
  X("erf", HK_FAMILY_UNARY, HK_ERF, HK_F32) X("mod", HK_FAMILY_MOD, 0, HK_NUM) \
  X("cumsum", HK_FAMILY_CUMSUM, 0, HK_NUM) X("topk", HK_FAMILY_TOPK, 0, HK_NUM) \
  X("gather_elements", HK_FAMILY_GATHER_ELEMENTS, 0, HK_ANY) X("tile", HK_FAMILY_TILE, 0, HK_ANY) \
  X("resize", HK_FAMILY_RESIZE, 0, HK_F32) X("conv_transpose2d", HK_FAMILY_CONV_TRANSPOSE2D, 0, HK_F32) \
  X("random_uniform", HK_FAMILY_RANDOM, 0, HK_F32) X("random_normal", HK_FAMILY_RANDOM, 1, HK_F32)

/*
 * What one launch computes, made on the host by hk_plan_make and passed by value to device code.
 * Strided walks: output element i has coordinates in shape[0..rank); input k is read at
 * offset[k] + sum(coord[d] * stride[k][d]).
 */
typedef struct hk_plan {
  int32_t family, code, dtype, out_dtype;
  int32_t in_dtype[HK_MAX_IN];
  int32_t rank;
  int64_t n; /* output elements (or rows, for softmax) */
  int64_t shape[HK_MAX_RANK];
  int64_t stride[HK_MAX_IN][HK_MAX_RANK];
  int64_t offset[HK_MAX_IN];
  /* Reductions: the reduced axes' sizes and input strides, and how many elements each output reduces. */
  int32_t rrank;
  int64_t rshape[HK_MAX_RANK];
  int64_t rstride[HK_MAX_RANK];
  int64_t rcount;
  /* Operator parameters (sizes, windows, pads), by family. */
  int64_t p[24];
  double f[2];
} hk_plan;

/* Input offset of output element i along a strided walk. */
HK_HD int64_t hk_offset(const hk_plan *pl, int k, int64_t i) {
  int64_t off = pl->offset[k];
  for (int d = pl->rank - 1; d >= 0; d--) {
    int64_t c = i % pl->shape[d];
    i /= pl->shape[d];
    off += c * pl->stride[k][d];
  }
  return off;
}

/* A reduction over the elements of output i; the argument reductions give the index in the reduced walk. */
HK_HD double hk_reduce(const hk_plan *pl, const void *x, int64_t i) {
  int64_t base = hk_offset(pl, 0, i);
  int32_t dt = pl->dtype, op = pl->code;
  int is_int = dt == HEARTH_INT32;
  double acc = op == HK_PROD ? 1.0 : 0.0;
  uint32_t iacc = op == HK_PROD ? 1u : 0u;
  double best = 0;
  int64_t best_at = 0;
  for (int64_t r = 0; r < pl->rcount; r++) {
    int64_t off = base, q = r;
    for (int d = pl->rrank - 1; d >= 0; d--) {
      off += (q % pl->rshape[d]) * pl->rstride[d];
      q /= pl->rshape[d];
    }
    double v = hk_load(x, dt, off);
    switch (op) {
      case HK_SUM: case HK_MEAN: if (is_int) iacc += (uint32_t)(int32_t)v; else acc += v; break;
      case HK_PROD: if (is_int) iacc *= (uint32_t)(int32_t)v; else acc *= v; break;
      case HK_RMAX: acc = r == 0 || v != v || v > acc ? v : acc; if (acc != acc) return acc; break;
      case HK_RMIN: acc = r == 0 || v != v || v < acc ? v : acc; if (acc != acc) return acc; break;
      default: /* argmax, argmin: the first extreme on ties; the first NaN wins outright */
        if (v != v) return (double)r;
        if (r == 0 || (op == HK_ARGMAX ? v > best : v < best)) { best = v; best_at = r; }
    }
  }
  if (op == HK_ARGMAX || op == HK_ARGMIN) return (double)best_at;
  if (is_int && (op == HK_SUM || op == HK_PROD)) return (double)(int32_t)iacc;
  if (op == HK_MEAN) return acc / (double)pl->rcount;
  return acc;
}

/* matmul element i of [batch..., M, N]; p = {M, K, N}, batch strides in stride[0..1]. */
HK_HD double hk_matmul(const hk_plan *pl, const void *a, const void *b, int64_t i) {
  int64_t M = pl->p[0], K = pl->p[1], N = pl->p[2];
  int64_t n = i % N, m = (i / N) % M;
  int64_t abase = hk_offset(pl, 0, i / (M * N)) + m * K, bbase = hk_offset(pl, 1, i / (M * N)) + n;
  if (pl->dtype == HEARTH_INT32) {
    uint32_t acc = 0;
    for (int64_t k = 0; k < K; k++) acc += (uint32_t)((const int32_t *)a)[abase + k] * (uint32_t)((const int32_t *)b)[bbase + k * N];
    return (double)(int32_t)acc;
  }
  double acc = 0;
  for (int64_t k = 0; k < K; k++) acc += (double)((const float *)a)[abase + k] * (double)((const float *)b)[bbase + k * N];
  return acc;
}

/* conv2d element i of [N, O, OH, OW]; p = {N, C, H, W, O, Cg, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, groups}. */
HK_HD double hk_conv2d(const hk_plan *pl, const float *x, const float *w, const float *bias, int64_t i) {
  const int64_t *p = pl->p;
  int64_t C = p[1], H = p[2], W = p[3], O = p[4], Cg = p[5], KH = p[6], KW = p[7], OH = p[8], OW = p[9];
  int64_t ox = i % OW, oy = (i / OW) % OH, oc = (i / (OW * OH)) % O, n = i / (OW * OH * O);
  int64_t c0 = oc / (O / p[16]) * Cg;
  double acc = 0;
  for (int64_t c = 0; c < Cg; c++) {
    for (int64_t ky = 0; ky < KH; ky++) {
      int64_t iy = oy * p[10] - p[12] + ky * p[14];
      if (iy < 0 || iy >= H) continue;
      for (int64_t kx = 0; kx < KW; kx++) {
        int64_t ix = ox * p[11] - p[13] + kx * p[15];
        if (ix < 0 || ix >= W) continue;
        acc += (double)x[((n * C + c0 + c) * H + iy) * W + ix] * (double)w[((oc * Cg + c) * KH + ky) * KW + kx];
      }
    }
  }
  return acc + (bias ? (double)bias[oc] : 0.0);
}

/* Pool element i of [N, C, OH, OW]; p = {H, W, OH, OW, kh, kw, sh, sw, ph, pw, countIncludePad}. The padded
 * part of a window is never read; avg counts it only in the divisor (PyTorch's rule). */
HK_HD double hk_pool(const hk_plan *pl, const float *x, int64_t i) {
  const int64_t *p = pl->p;
  int64_t H = p[0], W = p[1], OH = p[2], OW = p[3];
  int64_t ox = i % OW, oy = (i / OW) % OH, plane = i / (OW * OH);
  int64_t y0 = oy * p[6] - p[8], x0 = ox * p[7] - p[9];
  int64_t y1 = y0 + p[4] < H + p[8] ? y0 + p[4] : H + p[8], x1 = x0 + p[5] < W + p[9] ? x0 + p[5] : W + p[9];
  int64_t ys = y0 > 0 ? y0 : 0, xs = x0 > 0 ? x0 : 0, ye = y1 < H ? y1 : H, xe = x1 < W ? x1 : W;
  int avg = pl->code == 1;
  double acc = avg ? 0.0 : -INFINITY;
  for (int64_t y = ys; y < ye; y++) {
    for (int64_t xx = xs; xx < xe; xx++) {
      double v = x[(plane * H + y) * W + xx];
      if (avg) acc += v;
      else if (v != v || v > acc) acc = v;
    }
  }
  if (avg) acc /= (double)(p[10] ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs));
  return acc;
}

/* pad element i; p = {mode (0 constant, 1 reflect, 2 edge)}, p[8 + d] = pad before axis d, p[16 + d] = its input size. */
HK_HD double hk_pad(const hk_plan *pl, const void *x, int64_t i) {
  int64_t off = 0;
  for (int d = pl->rank - 1; d >= 0; d--) {
    int64_t c = i % pl->shape[d], size = pl->p[16 + d];
    i /= pl->shape[d];
    int64_t s = c - pl->p[8 + d];
    if (s < 0 || s >= size) {
      if (pl->p[0] == 0) return pl->f[0];
      s = pl->p[0] == 2 ? (s < 0 ? 0 : size - 1) : (s < 0 ? -s : 2 * (size - 1) - s);
    }
    off += s * pl->stride[0][d];
  }
  return hk_load(x, pl->dtype, off);
}

/* gather element i; p = {outer, n (axis size), m (index count), inner}. Indices were checked before. */
HK_HD double hk_gather(const hk_plan *pl, const void *x, const int32_t *idx, int64_t i) {
  int64_t n = pl->p[1], m = pl->p[2], inner = pl->p[3];
  int64_t r = i % inner, j = (i / inner) % m, o = i / (inner * m);
  int64_t v = idx[j];
  return hk_load(x, pl->dtype, (o * n + (v < 0 ? v + n : v)) * inner + r);
}

#include "hk_ops_v2.h"

/* Output element i of every element-wise family (softmax, concat, cumsum and topk have their own loops). */
HK_HD void hk_eval(const hk_plan *pl, const void *const *in, void *out, int64_t i) {
  double v;
  switch (pl->family) {
    case HK_FAMILY_UNARY: v = hk_unary(pl->code, pl->dtype, hk_load(in[0], pl->in_dtype[0], hk_offset(pl, 0, i))); break;
    case HK_FAMILY_BINARY:
      v = hk_binary(pl->code, pl->dtype, hk_load(in[0], pl->in_dtype[0], hk_offset(pl, 0, i)), hk_load(in[1], pl->in_dtype[1], hk_offset(pl, 1, i)));
      break;
    case HK_FAMILY_WHERE:
      v = hk_load(in[0], HEARTH_BOOL, hk_offset(pl, 0, i)) != 0 ? hk_load(in[1], pl->dtype, hk_offset(pl, 1, i)) : hk_load(in[2], pl->dtype, hk_offset(pl, 2, i));
      break;
    case HK_FAMILY_COPY: v = hk_load(in[0], pl->in_dtype[0], hk_offset(pl, 0, i)); break;
    case HK_FAMILY_GATHER: v = hk_gather(pl, in[0], (const int32_t *)in[1], i); break;
    case HK_FAMILY_PAD: v = hk_pad(pl, in[0], i); break;
    case HK_FAMILY_REDUCE: v = hk_reduce(pl, in[0], i); break;
    case HK_FAMILY_MATMUL: v = hk_matmul(pl, in[0], in[1], i); break;
    case HK_FAMILY_CONV2D: v = hk_conv2d(pl, (const float *)in[0], (const float *)in[1], (const float *)in[2], i); break;
    case HK_FAMILY_POOL: v = hk_pool(pl, (const float *)in[0], i); break;
    case HK_FAMILY_FULL: v = pl->f[0]; break;
    case HK_FAMILY_ARANGE: v = pl->f[0] + (double)i * pl->f[1]; break;
    case HK_FAMILY_MOD: v = hk_mod(pl->dtype, (int)pl->p[0], hk_load(in[0], pl->in_dtype[0], hk_offset(pl, 0, i)), hk_load(in[1], pl->in_dtype[1], hk_offset(pl, 1, i))); break;
    case HK_FAMILY_GATHER_ELEMENTS: v = hk_gather_elements(pl, in[0], (const int32_t *)in[1], i); break;
    case HK_FAMILY_TILE: v = hk_tile(pl, in[0], i); break;
    case HK_FAMILY_RESIZE: v = hk_resize(pl, in[0], i); break;
    case HK_FAMILY_CONV_TRANSPOSE2D: v = hk_conv_transpose2d(pl, (const float *)in[0], (const float *)in[1], (const float *)in[2], i); break;
    case HK_FAMILY_RANDOM: v = pl->code ? hk_random_normal((uint64_t)pl->p[0], i, pl->f[0], pl->f[1]) : hk_random_uniform((uint64_t)pl->p[0], i, pl->f[0], pl->f[1]); break;
    default: v = 0; break;
  }
  hk_store(out, pl->out_dtype, i, v);
}

/* softmax / log_softmax of one row; p = {L (axis size), inner}; row r covers outer r / inner. */
HK_HD void hk_softmax_row(const hk_plan *pl, const float *x, float *y, int64_t row) {
  int64_t L = pl->p[0], inner = pl->p[1];
  int64_t base = (row / inner) * L * inner + row % inner;
  double mx = -INFINITY;
  for (int64_t k = 0; k < L; k++) mx = hk_max(mx, x[base + k * inner]);
  double sum = 0;
  for (int64_t k = 0; k < L; k++) sum += exp((double)x[base + k * inner] - mx);
  for (int64_t k = 0; k < L; k++) {
    double t = (double)x[base + k * inner] - mx;
    y[base + k * inner] = (float)(pl->code ? t - log(sum) : exp(t) / sum);
  }
}

#endif
