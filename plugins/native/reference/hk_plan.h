/*
 * hk_plan.h: turns a launch (tensors and named attributes) into an hk_plan, on the host. Shared by the
 * reference plugin and the CUDA plugin. The core has validated shapes and attributes already; what is
 * checked here is only what this code can't handle (rank above HK_MAX_RANK).
 */
#ifndef HK_PLAN_H
#define HK_PLAN_H

#include <stdio.h>
#include <string.h>
#include "hk_ops.h"

static const hk_op HK_OPS[] = {
#define HK_ROW(name, family, code, dtypes) {name, family, code, dtypes},
    HK_OPSET_V1(HK_ROW) HK_OPSET_V2(HK_ROW)
#undef HK_ROW
};
#define HK_OP_COUNT ((int32_t)(sizeof(HK_OPS) / sizeof(HK_OPS[0])))

static const hearth_named_value *hk_attr(const hearth_named_value *attrs, int32_t n, const char *name) {
  for (int32_t i = 0; i < n; i++)
    if (strcmp(attrs[i].name, name) == 0) return &attrs[i];
  return NULL;
}

static int64_t hk_int(const hearth_named_value *attrs, int32_t n, const char *name, int64_t fallback) {
  const hearth_named_value *v = hk_attr(attrs, n, name);
  if (!v || v->kind == HEARTH_VALUE_NULL) return fallback;
  if (v->kind == HEARTH_VALUE_BOOL) return v->value.bool_value;
  return v->kind == HEARTH_VALUE_FLOAT64 ? (int64_t)v->value.float64_value : v->value.int64_value;
}

static double hk_num(const hearth_named_value *attrs, int32_t n, const char *name, double fallback) {
  const hearth_named_value *v = hk_attr(attrs, n, name);
  if (!v || v->kind == HEARTH_VALUE_NULL) return fallback;
  return v->kind == HEARTH_VALUE_FLOAT64 ? v->value.float64_value : (double)v->value.int64_value;
}

/* An int64 array attribute, or NULL when absent or null. */
static const int64_t *hk_ints(const hearth_named_value *attrs, int32_t n, const char *name, int32_t *count) {
  const hearth_named_value *v = hk_attr(attrs, n, name);
  if (!v || v->kind != HEARTH_VALUE_INT64_ARRAY) return NULL;
  *count = v->count;
  return v->value.ints;
}

/* Entry k of a number array attribute (a FLOAT64_ARRAY; an INT64_ARRAY is read as numbers too),
 * or `fallback` when the attribute is absent or null. */
static double hk_number_at(const hearth_named_value *attrs, int32_t n, const char *name, int32_t k, double fallback) {
  const hearth_named_value *v = hk_attr(attrs, n, name);
  if (!v || k >= v->count) return fallback;
  if (v->kind == HEARTH_VALUE_FLOAT64_ARRAY) return v->value.doubles[k];
  return v->kind == HEARTH_VALUE_INT64_ARRAY ? (double)v->value.ints[k] : fallback;
}

/* The position of string attribute `name`'s value in the NULL-terminated `names`, or 0 (the default) when absent. */
static int32_t hk_choice(const hearth_named_value *attrs, int32_t n, const char *name, const char *const *names) {
  const hearth_named_value *v = hk_attr(attrs, n, name);
  if (!v || v->kind != HEARTH_VALUE_STRING) return 0;
  for (int32_t i = 0; names[i]; i++)
    if (strcmp(v->value.string, names[i]) == 0) return i;
  return 0;
}

static int64_t hk_axis(int64_t axis, int32_t rank) { return axis < 0 ? axis + rank : axis; }

static void hk_strides(const int64_t *shape, int32_t rank, int64_t *out) {
  int64_t s = 1;
  for (int32_t d = rank - 1; d >= 0; d--) (out[d] = s, s *= shape[d]);
}

/* Strides of `t` read from an output of rank `rank`, trailing axes aligned, size-1 axes broadcast. */
static void hk_broadcast(const hearth_tensor *t, int32_t rank, int64_t *out) {
  int64_t s[HK_MAX_RANK];
  hk_strides(t->shape, t->rank, s);
  for (int32_t d = 0; d < rank; d++) {
    int32_t k = d - (rank - t->rank);
    out[d] = k < 0 || t->shape[k] == 1 ? 0 : s[k];
  }
}

static int64_t hk_prod(const int64_t *shape, int32_t from, int32_t to) {
  int64_t p = 1;
  for (int32_t d = from; d < to; d++) p *= shape[d];
  return p;
}

/* Fills `pl` for kernel `op`; returns HEARTH_OK or a status with a message in err. */
static hearth_status hk_plan_make(hk_plan *pl, const hk_op *op, int32_t dtype, const hearth_tensor *in, int32_t nin,
                                  const hearth_tensor *out, const hearth_named_value *a, int32_t na, char *err, size_t errlen) {
  memset(pl, 0, sizeof *pl);
  pl->family = op->family;
  pl->code = op->code;
  pl->dtype = dtype;
  pl->out_dtype = out->dtype;
  pl->n = out->size;
  for (int32_t k = 0; k < nin && k < HK_MAX_IN; k++) pl->in_dtype[k] = in[k].dtype;
  if (out->rank > HK_MAX_RANK || (nin > 0 && in[0].rank > HK_MAX_RANK)) {
    snprintf(err, errlen, "%s: tensors of rank above %d are not supported by this plugin", op->name, HK_MAX_RANK);
    return HEARTH_ERROR_UNSUPPORTED;
  }
  int32_t rank = out->rank;
  const hearth_tensor *x = nin > 0 ? &in[0] : NULL;
  int64_t xs[HK_MAX_RANK];
  if (x) hk_strides(x->shape, x->rank, xs);
  switch (op->family) {
    case HK_FAMILY_UNARY: case HK_FAMILY_BINARY: case HK_FAMILY_WHERE:
      pl->rank = rank;
      memcpy(pl->shape, out->shape, sizeof(int64_t) * rank);
      for (int32_t k = 0; k < nin; k++) hk_broadcast(&in[k], rank, pl->stride[k]);
      return HEARTH_OK;
    case HK_FAMILY_COPY:
      pl->rank = rank;
      memcpy(pl->shape, out->shape, sizeof(int64_t) * rank);
      if (op->code == 0) { /* cast, reshape: same elements in the same order */
        pl->rank = 1, pl->shape[0] = out->size, pl->stride[0][0] = 1;
      } else if (op->code == 1) { /* transpose */
        int32_t cnt = 0;
        const int64_t *perm = hk_ints(a, na, "perm", &cnt);
        for (int32_t d = 0; d < rank; d++) pl->stride[0][d] = xs[perm ? hk_axis(perm[d], rank) : rank - 1 - d];
      } else if (op->code == 2) { /* slice: Python rules, as the core's sliceAxes */
        int32_t ns = 0, ne = 0, nax = 0, nst = 0;
        const int64_t *starts = hk_ints(a, na, "starts", &ns), *axes = hk_ints(a, na, "axes", &nax), *steps = hk_ints(a, na, "steps", &nst);
        (void)hk_ints(a, na, "ends", &ne);
        for (int32_t d = 0; d < rank; d++) pl->stride[0][d] = xs[d];
        for (int32_t k = 0; k < ns; k++) {
          int64_t ax = hk_axis(axes ? axes[k] : k, rank), dim = x->shape[ax], step = steps ? steps[k] : 1;
          int64_t s = starts[k] < 0 ? starts[k] + dim : starts[k];
          int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? dim : dim - 1;
          s = s < lo ? lo : s > hi ? hi : s;
          pl->offset[0] += s * xs[ax];
          pl->stride[0][ax] = xs[ax] * step;
        }
      } else { /* expand */
        hk_broadcast(x, rank, pl->stride[0]);
      }
      return HEARTH_OK;
    case HK_FAMILY_CONCAT: {
      int64_t axis = hk_axis(hk_int(a, na, "axis", 0), rank);
      pl->p[0] = hk_prod(out->shape, 0, (int32_t)axis);                       /* outer */
      pl->p[1] = hk_prod(out->shape, (int32_t)axis + 1, rank);                /* inner */
      pl->p[2] = axis;
      return HEARTH_OK;
    }
    case HK_FAMILY_GATHER: {
      int64_t axis = hk_axis(hk_int(a, na, "axis", 0), x->rank);
      pl->p[0] = hk_prod(x->shape, 0, (int32_t)axis);
      pl->p[1] = x->shape[axis];
      pl->p[2] = in[1].size;
      pl->p[3] = hk_prod(x->shape, (int32_t)axis + 1, x->rank);
      return HEARTH_OK;
    }
    case HK_FAMILY_PAD: {
      const hearth_named_value *mode = hk_attr(a, na, "mode");
      const char *m = mode && mode->kind == HEARTH_VALUE_STRING ? mode->value.string : "constant";
      pl->p[0] = strcmp(m, "reflect") == 0 ? 1 : strcmp(m, "edge") == 0 ? 2 : 0;
      pl->f[0] = hk_num(a, na, "value", 0);
      int32_t np = 0;
      const int64_t *pads = hk_ints(a, na, "pads", &np);
      pl->rank = rank;
      memcpy(pl->shape, out->shape, sizeof(int64_t) * rank);
      for (int32_t d = 0; d < rank; d++) (pl->stride[0][d] = xs[d], pl->p[8 + d] = pads[2 * d], pl->p[16 + d] = x->shape[d]);
      return HEARTH_OK;
    }
    case HK_FAMILY_REDUCE: {
      int reduced[HK_MAX_RANK] = {0};
      int32_t cnt = 0;
      if (op->code == HK_ARGMAX || op->code == HK_ARGMIN) {
        const hearth_named_value *axis = hk_attr(a, na, "axis");
        if (!axis || axis->kind == HEARTH_VALUE_NULL) for (int32_t d = 0; d < x->rank; d++) reduced[d] = 1;
        else reduced[hk_axis(axis->value.int64_value, x->rank)] = 1;
      } else {
        const int64_t *axes = hk_ints(a, na, "axes", &cnt);
        if (!axes) for (int32_t d = 0; d < x->rank; d++) reduced[d] = 1;
        else for (int32_t k = 0; k < cnt; k++) reduced[hk_axis(axes[k], x->rank)] = 1;
      }
      pl->rcount = 1;
      for (int32_t d = 0; d < x->rank; d++) {
        if (reduced[d]) (pl->rshape[pl->rrank] = x->shape[d], pl->rstride[pl->rrank++] = xs[d], pl->rcount *= x->shape[d]);
        else (pl->shape[pl->rank] = x->shape[d], pl->stride[0][pl->rank++] = xs[d]);
      }
      return HEARTH_OK;
    }
    case HK_FAMILY_SOFTMAX: {
      int64_t axis = hk_axis(hk_int(a, na, "axis", -1), x->rank);
      pl->p[0] = x->shape[axis];
      pl->p[1] = hk_prod(x->shape, (int32_t)axis + 1, x->rank);
      pl->n = pl->p[0] ? x->size / pl->p[0] : 0; /* rows */
      return HEARTH_OK;
    }
    case HK_FAMILY_MATMUL: {
      const hearth_tensor *A = &in[0], *B = &in[1];
      int64_t M = A->rank == 1 ? 1 : A->shape[A->rank - 2], K = A->shape[A->rank - 1], N = B->rank == 1 ? 1 : B->shape[B->rank - 1];
      int32_t ab = A->rank > 2 ? A->rank - 2 : 0, bb = B->rank > 2 ? B->rank - 2 : 0;
      int32_t br = ab > bb ? ab : bb;
      pl->p[0] = M, pl->p[1] = K, pl->p[2] = N;
      pl->rank = br;
      int64_t sa = M * K, sb = K * N;
      for (int32_t d = br - 1; d >= 0; d--) {
        int32_t ka = d - (br - ab), kb = d - (br - bb);
        int64_t da = ka >= 0 ? A->shape[ka] : 1, db = kb >= 0 ? B->shape[kb] : 1;
        pl->shape[d] = da > db ? da : db;
        pl->stride[0][d] = da == 1 ? 0 : sa;
        pl->stride[1][d] = db == 1 ? 0 : sb;
        sa *= da, sb *= db;
      }
      return HEARTH_OK;
    }
    case HK_FAMILY_CONV2D: {
      int32_t c2 = 0;
      const int64_t *st = hk_ints(a, na, "stride", &c2), *pd = hk_ints(a, na, "padding", &c2), *dl = hk_ints(a, na, "dilation", &c2);
      const int64_t *w = in[1].shape;
      int64_t v[17] = {x->shape[0], x->shape[1], x->shape[2], x->shape[3], w[0], w[1], w[2], w[3], out->shape[2], out->shape[3],
                       st[0], st[1], pd[0], pd[1], dl[0], dl[1], hk_int(a, na, "groups", 1)};
      memcpy(pl->p, v, sizeof v);
      return HEARTH_OK;
    }
    case HK_FAMILY_POOL: {
      int32_t c2 = 0;
      const int64_t *ks = hk_ints(a, na, "kernelSize", &c2), *pd = hk_ints(a, na, "padding", &c2);
      const int64_t *st = hk_ints(a, na, "stride", &c2);
      if (!st) st = ks;
      int64_t v[11] = {x->shape[2], x->shape[3], out->shape[2], out->shape[3], ks[0], ks[1], st[0], st[1], pd[0], pd[1], hk_int(a, na, "countIncludePad", 1)};
      memcpy(pl->p, v, sizeof v);
      return HEARTH_OK;
    }
    case HK_FAMILY_FULL: pl->f[0] = hk_num(a, na, "value", 0); return HEARTH_OK;
    case HK_FAMILY_MOD:
      pl->rank = rank;
      memcpy(pl->shape, out->shape, sizeof(int64_t) * rank);
      for (int32_t k = 0; k < nin; k++) hk_broadcast(&in[k], rank, pl->stride[k]);
      pl->p[0] = hk_int(a, na, "fmod", 0);
      return HEARTH_OK;
    case HK_FAMILY_CUMSUM: case HK_FAMILY_TOPK: {
      int64_t axis = hk_axis(hk_int(a, na, "axis", op->family == HK_FAMILY_TOPK ? -1 : 0), x->rank);
      pl->p[0] = x->shape[axis];
      pl->p[1] = hk_prod(x->shape, (int32_t)axis + 1, x->rank);
      if (op->family == HK_FAMILY_CUMSUM) (pl->p[2] = hk_int(a, na, "exclusive", 0), pl->p[3] = hk_int(a, na, "reverse", 0), pl->n = pl->p[0] ? x->size / pl->p[0] : 0); /* rows */
      else (pl->p[2] = hk_int(a, na, "k", 0), pl->p[3] = hk_int(a, na, "largest", 1), pl->n = pl->p[2] ? x->size : 0); /* candidates */
      return HEARTH_OK;
    }
    case HK_FAMILY_GATHER_ELEMENTS: case HK_FAMILY_TILE:
      pl->rank = rank;
      memcpy(pl->shape, out->shape, sizeof(int64_t) * rank);
      memcpy(pl->stride[0], xs, sizeof(int64_t) * rank);
      if (op->family == HK_FAMILY_TILE) for (int32_t d = 0; d < rank; d++) pl->p[8 + d] = x->shape[d];
      else (pl->p[0] = hk_axis(hk_int(a, na, "axis", 0), rank), pl->p[1] = x->shape[pl->p[0]]);
      return HEARTH_OK;
    case HK_FAMILY_RESIZE: {
      static const char *const modes[] = {"nearest", "linear", NULL};
      static const char *const ctms[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", NULL};
      static const char *const rounding[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", NULL};
      int64_t H = x->shape[x->rank - 2], W = x->shape[x->rank - 1], OH = out->shape[rank - 2], OW = out->shape[rank - 1];
      int64_t v[7] = {H, W, OH, OW, hk_choice(a, na, "mode", modes), hk_choice(a, na, "coordinateTransformationMode", ctms),
                      hk_choice(a, na, "nearestMode", rounding)};
      memcpy(pl->p, v, sizeof v);
      pl->f[0] = hk_number_at(a, na, "scales", 0, H ? (double)OH / (double)H : 1);
      pl->f[1] = hk_number_at(a, na, "scales", 1, W ? (double)OW / (double)W : 1);
      return HEARTH_OK;
    }
    case HK_FAMILY_CONV_TRANSPOSE2D: {
      int32_t c2 = 0;
      const int64_t *st = hk_ints(a, na, "stride", &c2), *pd = hk_ints(a, na, "padding", &c2), *dl = hk_ints(a, na, "dilation", &c2);
      const int64_t *w = in[1].shape;
      int64_t groups = hk_int(a, na, "groups", 1);
      int64_t v[18] = {x->shape[0], x->shape[1], x->shape[2], x->shape[3], out->shape[1], x->shape[1] / groups, w[2], w[3], out->shape[2], out->shape[3],
                       st[0], st[1], pd[0], pd[1], dl[0], dl[1], groups, w[1]};
      memcpy(pl->p, v, sizeof v);
      return HEARTH_OK;
    }
    case HK_FAMILY_RANDOM:
      pl->p[0] = hk_int(a, na, "seed", 0);
      pl->f[0] = hk_num(a, na, op->code ? "mean" : "low", 0);
      pl->f[1] = hk_num(a, na, op->code ? "std" : "high", 1);
      return HEARTH_OK;
    case HK_FAMILY_ARANGE: (pl->f[0] = hk_num(a, na, "start", 0), pl->f[1] = hk_num(a, na, "step", 1)); return HEARTH_OK;
  }
  snprintf(err, errlen, "%s: unknown operator family", op->name);
  return HEARTH_ERROR_INTERNAL;
}

/* gather and gather_elements: the position of the first index outside [-n, n), or -1 when all are in range. */
static int64_t hk_check_indices(const int32_t *idx, int64_t count, int64_t n) {
  for (int64_t j = 0; j < count; j++)
    if (idx[j] < -n || idx[j] >= n) return j;
  return -1;
}

/* The message for index number `at` out of range for an axis of size n. */
static const char *hk_index_message(char *err, size_t errlen, const char *op, const int32_t *idx, int64_t at, int64_t n) {
  snprintf(err, errlen, "%s: index %d (at position %lld of indices) is out of range for an axis of size %lld; use indices in [%lld, %lld]",
           op, idx[at], (long long)at, (long long)n, (long long)-n, (long long)n - 1);
  return err;
}

/* The (op, dtype) kernel list both plugins advertise: every row of HK_OPS for each of its dtypes. */
#define HK_MAX_KERNELS (HK_OP_COUNT * 3)
static int32_t hk_kernel_list(hearth_kernel *list, int32_t *op_of) {
  static const int32_t dts[3] = {HEARTH_FLOAT32, HEARTH_INT32, HEARTH_BOOL};
  int32_t n = 0;
  for (int32_t i = 0; i < HK_OP_COUNT; i++)
    for (int32_t d = 0; d < 3; d++)
      if (HK_OPS[i].dtypes & (1 << dts[d])) (list[n].op = HK_OPS[i].name, list[n].dtype = dts[d], list[n].reserved = 0, op_of[n++] = i);
  return n;
}

#endif
