/*
 * od_copy.h: reshape, same-dtype cast and transpose as plain memory moves. The reference kernels compute
 * every element's source through divisions in double; a model calls these between most operators, where
 * that costs more than the operators themselves.
 */
#ifndef OD_COPY_H
#define OD_COPY_H

#include <string.h>

static size_t od_dtype_bytes(int32_t dtype) {
  switch (dtype) {
    case HEARTH_BOOL: return 1;
    case HEARTH_FLOAT16: return 2;
    case HEARTH_INT32: case HEARTH_FLOAT32: return 4;
    case HEARTH_FLOAT64: return 8;
    default: return 0;
  }
}

/* Output element order walks `out`; source offsets follow `stride` (in elements): the last two axes as a
 * plain double loop (contiguous runs copy as vectors), an odometer over the axes before them. */
#define OD_PERMUTE(T)                                                                                   \
  static void od_permute_##T(const T *x, T *y, int32_t rank, const int64_t *shape, const int64_t *stride, int64_t n) { \
    int64_t idx[HK_MAX_RANK] = {0}, off = 0, inner = shape[rank - 1], s = stride[rank - 1];              \
    int64_t rows = rank > 1 ? shape[rank - 2] : 1, rs = rank > 1 ? stride[rank - 2] : 0;                 \
    for (int64_t i = 0; i < n; i += rows * inner) {                                                     \
      for (int64_t r = 0; r < rows; r++) {                                                              \
        const T *src = x + off + r * rs;                                                                \
        T *dst = y + i + r * inner;                                                                     \
        if (s == 1) for (int64_t j = 0; j < inner; j++) dst[j] = src[j];                                \
        else for (int64_t j = 0; j < inner; j++) dst[j] = src[j * s];                                   \
      }                                                                                                 \
      for (int32_t d = rank - 3; d >= 0; d--) {                                                         \
        off += stride[d];                                                                               \
        if (++idx[d] < shape[d]) break;                                                                 \
        off -= stride[d] * shape[d];                                                                    \
        idx[d] = 0;                                                                                     \
      }                                                                                                 \
    }                                                                                                   \
  }
OD_PERMUTE(uint8_t)
OD_PERMUTE(uint16_t)
OD_PERMUTE(uint32_t)
OD_PERMUTE(uint64_t)
#undef OD_PERMUTE

/* Runs reshape, a cast to the same dtype, or transpose here; 0 when the reference kernel must (other copies). */
static int od_copy(const hk_op *op, const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  size_t bytes = od_dtype_bytes(out->dtype);
  if (nin < 1 || !bytes || in[0].dtype != out->dtype || in[0].size != out->size) return 0;
  if (out->size == 0) return 1;
  if (op->code == 0) {
    if (out->data != in[0].data) memcpy(out->data, in[0].data, bytes * (size_t)out->size);
    return 1;
  }
  if (op->code != 1 || out->rank != in[0].rank || out->rank < 1 || out->rank > HK_MAX_RANK || out->data == in[0].data) return 0;
  int32_t rank = out->rank, cnt = 0;
  int64_t xs[HK_MAX_RANK], stride[HK_MAX_RANK];
  hk_strides(in[0].shape, rank, xs);
  const int64_t *perm = hk_ints(a, na, "perm", &cnt);
  if (perm && cnt != rank) return 0;
  for (int32_t d = 0; d < rank; d++) stride[d] = xs[perm ? hk_axis(perm[d], rank) : rank - 1 - d];
  switch (bytes) {
    case 1: od_permute_uint8_t(in[0].data, out->data, rank, out->shape, stride, out->size); break;
    case 2: od_permute_uint16_t(in[0].data, out->data, rank, out->shape, stride, out->size); break;
    case 4: od_permute_uint32_t(in[0].data, out->data, rank, out->shape, stride, out->size); break;
    default: od_permute_uint64_t(in[0].data, out->data, rank, out->shape, stride, out->size); break;
  }
  return 1;
}

#endif
