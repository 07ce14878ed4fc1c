/*
 * The Hearth reference native plugin: every opset v2 primitive for float32, int32 and bool in plain C, with
 * host memory standing in for device memory. It proves the ABI and the loader end to end, and it is the
 * template a vendor copies: replace alloc/free/copies with your device's, and launch with your kernels.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include "hk_plan.h"

/* The exported entry point's name; a test build renames it to wrap the table. */
#ifndef HEARTH_ENTRY
#define HEARTH_ENTRY hearth_plugin_get_api
#endif

#ifndef HEARTH_REFERENCE_NAME
#define HEARTH_REFERENCE_NAME "hearth-reference"
#endif

static _Thread_local char last_error_buf[512];
static atomic_llong live_allocations, live_bytes;
static hearth_kernel kernel_list[HK_MAX_KERNELS];
static int32_t kernel_op[HK_MAX_KERNELS];
static int32_t kernel_count;

static hearth_status fail(hearth_status s, const char *msg) {
  snprintf(last_error_buf, sizeof last_error_buf, "%s", msg);
  return s;
}

static const char *ref_last_error(void) { return last_error_buf; }

static hearth_status ref_init(int32_t *device_count) {
  if (!device_count) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "init: device_count is NULL");
  if (kernel_count == 0) kernel_count = hk_kernel_list(kernel_list, kernel_op);
  *device_count = 1;
  return HEARTH_OK;
}

static hearth_status ref_device_info(int32_t device, hearth_device_info *info) {
  if (device != 0 || !info) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "device_info: no such device");
  snprintf(info->name, sizeof info->name, "Hearth reference (host memory)");
  snprintf(info->vendor, sizeof info->vendor, "Hearth");
  info->memory_bytes = 0;
  info->software = 1;
  /* Plain malloc'd memory, memcpy copies and synchronous kernels: the loader may read without a worker. */
  if (HEARTH_DEVICE_INFO_HAS(info, flags)) info->flags = HEARTH_DEVICE_HOST_MEMORY;
  return HEARTH_OK;
}

/* Each allocation carries its size in front, so free can keep the statistics right. */
static hearth_status ref_alloc(int32_t device, uint64_t bytes, void **out) {
  (void)device;
  uint64_t *p = malloc(sizeof(uint64_t) * 2 + (bytes ? bytes : 1));
  if (!p) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "alloc: out of host memory");
  p[0] = bytes;
  atomic_fetch_add(&live_allocations, 1);
  atomic_fetch_add(&live_bytes, (long long)bytes);
  *out = p + 2;
  return HEARTH_OK;
}

static hearth_status ref_free(int32_t device, void *ptr) {
  (void)device;
  if (!ptr) return HEARTH_OK;
  uint64_t *p = (uint64_t *)ptr - 2;
  atomic_fetch_sub(&live_allocations, 1);
  atomic_fetch_sub(&live_bytes, (long long)p[0]);
  free(p);
  return HEARTH_OK;
}

static hearth_status ref_copy(int32_t device, void *dst, const void *src, uint64_t bytes) {
  (void)device;
  if (bytes && (!dst || !src)) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "copy: a NULL pointer");
  if (bytes) memcpy(dst, src, bytes);
  return HEARTH_OK;
}

static hearth_status ref_synchronize(int32_t device) {
  (void)device;
  return HEARTH_OK;
}

static hearth_status ref_kernels(const hearth_kernel **list, int32_t *count) {
  if (kernel_count == 0) kernel_count = hk_kernel_list(kernel_list, kernel_op);
  *list = kernel_list;
  *count = kernel_count;
  return HEARTH_OK;
}

static size_t elem_bytes(int32_t dtype) { return dtype == HEARTH_BOOL ? 1 : dtype == HEARTH_FLOAT64 ? 8 : 4; }

static void run_concat(const hk_plan *pl, const hearth_tensor *in, int32_t nin, const hearth_tensor *out) {
  size_t es = elem_bytes(out->dtype);
  int64_t outer = pl->p[0], inner = pl->p[1], row = out->shape[pl->p[2]] * inner, at = 0;
  for (int32_t k = 0; k < nin; k++) {
    int64_t block = in[k].shape[pl->p[2]] * inner;
    for (int64_t o = 0; o < outer; o++) memcpy((char *)out->data + (o * row + at) * es, (const char *)in[k].data + o * block * es, block * es);
    at += block;
  }
}

/* topk on the host: each row's (value, index) pairs sorted by the opset's order (hk_topk_before, a total
 * order since ties go by index), the first k indices kept. O(L log L) a row, where the per-element ranking
 * the CUDA plugin runs in parallel is O(L^2) at worst. */
typedef struct topk_entry {
  double v;
  int64_t i;
} topk_entry;
static int topk_largest(const void *a, const void *b) {
  const topk_entry *x = a, *y = b;
  return x->i == y->i ? 0 : hk_topk_before(1, x->v, x->i, y->v, y->i) ? -1 : 1;
}
static int topk_smallest(const void *a, const void *b) {
  const topk_entry *x = a, *y = b;
  return x->i == y->i ? 0 : hk_topk_before(0, x->v, x->i, y->v, y->i) ? -1 : 1;
}
static hearth_status run_topk(const hk_plan *pl, const void *x, int32_t *out) {
  int64_t L = pl->p[0], inner = pl->p[1], k = pl->p[2], rows = L ? pl->n / L : 0;
  topk_entry *row = malloc(sizeof(topk_entry) * (L ? L : 1));
  if (!row) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "topk: out of host memory for a row of indices");
  for (int64_t r = 0; r < rows; r++) {
    int64_t base = (r / inner) * L * inner + r % inner;
    for (int64_t e = 0; e < L; e++) (row[e].v = hk_load(x, pl->dtype, base + e * inner), row[e].i = e);
    qsort(row, (size_t)L, sizeof *row, pl->p[3] ? topk_largest : topk_smallest);
    for (int64_t j = 0; j < k; j++) out[((r / inner) * k + j) * inner + r % inner] = (int32_t)row[j].i;
  }
  free(row);
  return HEARTH_OK;
}

static hearth_status ref_launch(int32_t device, int32_t kernel, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                                const hearth_named_value *attrs, int32_t nattrs) {
  if (device != 0) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "launch: no such device");
  if (kernel < 0 || kernel >= kernel_count) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "launch: no such kernel");
  if (!out || (nin > 0 && !in)) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "launch: NULL tensors");
  const hk_op *op = &HK_OPS[kernel_op[kernel]];
  hk_plan pl;
  char err[256];
  hearth_status s = hk_plan_make(&pl, op, kernel_list[kernel].dtype, in, nin, out, attrs, nattrs, err, sizeof err);
  if (s != HEARTH_OK) return fail(s, err);
  if (op->family == HK_FAMILY_CONCAT) return run_concat(&pl, in, nin, out), HEARTH_OK;
  if (op->family == HK_FAMILY_GATHER || op->family == HK_FAMILY_GATHER_ELEMENTS) {
    int64_t bad = hk_check_indices((const int32_t *)in[1].data, in[1].size, pl.p[1]);
    if (bad >= 0) return fail(HEARTH_ERROR_INDEX_OUT_OF_RANGE, hk_index_message(err, sizeof err, op->name, (const int32_t *)in[1].data, bad, pl.p[1]));
  }
  if (op->family == HK_FAMILY_CUMSUM) {
    for (int64_t r = 0; r < pl.n; r++) hk_cumsum_row(&pl, in[0].data, out->data, r);
    return HEARTH_OK;
  }
  if (op->family == HK_FAMILY_TOPK) return run_topk(&pl, in[0].data, (int32_t *)out->data);
  if (op->family == HK_FAMILY_SOFTMAX) {
    for (int64_t r = 0; r < pl.n; r++) hk_softmax_row(&pl, (const float *)in[0].data, (float *)out->data, r);
    return HEARTH_OK;
  }
  const void *ptrs[HK_MAX_IN] = {0};
  for (int32_t k = 0; k < nin && k < HK_MAX_IN; k++) ptrs[k] = in[k].data;
  for (int64_t i = 0; i < pl.n; i++) hk_eval(&pl, ptrs, out->data, i);
  return HEARTH_OK;
}

static void ref_shutdown(void) {}

static hearth_status ref_stats(int32_t device, hearth_stats *out) {
  (void)device;
  out->live_allocations = atomic_load(&live_allocations);
  out->live_bytes = atomic_load(&live_bytes);
  return HEARTH_OK;
}

static const hearth_plugin_api API = {
    .struct_size = sizeof(hearth_plugin_api),
    .abi_major = HEARTH_ABI_MAJOR,
    .abi_minor = HEARTH_ABI_MINOR,
    .name = HEARTH_REFERENCE_NAME,
    .vendor = "Hearth",
    .version = "1.0.0",
    .device_type = "native",
    .last_error = ref_last_error,
    .init = ref_init,
    .device_info = ref_device_info,
    .alloc = ref_alloc,
    .free = ref_free,
    .copy_to_device = ref_copy,
    .copy_to_host = ref_copy,
    .synchronize = ref_synchronize,
    .kernels = ref_kernels,
    .launch = ref_launch,
    .shutdown = ref_shutdown,
    .stats = ref_stats,
};

HEARTH_EXPORT const hearth_plugin_api *HEARTH_ENTRY(void) { return &API; }
