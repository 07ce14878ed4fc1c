/*
 * The oneDNN plugin: a vendor library behind the Hearth C ABI. oneDNN (the CPU library PyTorch and ONNX
 * Runtime's DNNL provider use) runs the operators it computes within the opset's bounds (od_ops.h), from
 * primitives cached by shape (od_plan.h); every other kernel, and every case oneDNN declines, runs the
 * reference native kernels compiled in beside it, so the plugin covers the whole opset. Tensors live in
 * host memory aligned as oneDNN wants, so oneDNN reads and writes them in place: no copy between kernels.
 */
#define HEARTH_ENTRY hearth_reference_get_api
#define HEARTH_REFERENCE_NAME "hearth-onednn"
#include "plugin.c"

#include "od_ops.h"

/* oneDNN's threads for launches from the loader's thread; 0 until init. */
static int32_t od_threads;
static int32_t od_inits;

/* The thread count HEARTH_ONEDNN_THREADS asks for (the TypeScript plugin sets it from the device option
 * `threads`), or 0 for OpenMP's own default (OMP_NUM_THREADS, else every core). */
static int32_t od_requested_threads(void) {
  const char *s = getenv("HEARTH_ONEDNN_THREADS");
  long n = s ? strtol(s, NULL, 10) : 0;
  return n > 0 && n < 4096 ? (int32_t)n : 0;
}

static hearth_status onednn_init(int32_t *device_count) {
  char err[512];
  if (!device_count) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "init: device_count is NULL");
  if (!od_library_open(err, sizeof err)) return fail(HEARTH_ERROR_NO_DEVICE, err);
  if (!od_engine) {
    if (dnnl_engine_create(&od_engine, dnnl_cpu, 0) != dnnl_success) return fail(HEARTH_ERROR_NO_DEVICE, "oneDNN found no CPU engine on this machine");
    if (dnnl_stream_create(&od_stream, od_engine, dnnl_stream_default_flags) != dnnl_success) {
      dnnl_engine_destroy(od_engine);
      od_engine = NULL;
      return fail(HEARTH_ERROR_NO_DEVICE, "oneDNN could not create a CPU stream");
    }
  }
  int32_t want = od_requested_threads();
  if (want && od_omp_set_num_threads) od_omp_set_num_threads(want);
  od_threads = od_omp_get_max_threads ? od_omp_get_max_threads() : 1;
  od_inits++;
  return ref_init(device_count);
}

static void onednn_shutdown(void) {
  if (od_inits == 0 || --od_inits > 0) return;
  od_cache_clear();
  if (od_stream) dnnl_stream_destroy(od_stream);
  if (od_engine) dnnl_engine_destroy(od_engine);
  od_stream = NULL, od_engine = NULL;
}

/* Host memory on 64-byte boundaries (a cache line, what oneDNN's kernels load best); the size sits in the
 * 64 bytes in front so that free keeps the statistics right. */
static hearth_status onednn_alloc(int32_t device, uint64_t bytes, void **out) {
  (void)device;
  uint64_t rounded = (bytes + 63) / 64 * 64;
  uint64_t *p = aligned_alloc(64, 64 + (rounded ? rounded : 64));
  if (!p) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "alloc: out of host memory");
  p[0] = bytes;
  atomic_fetch_add(&live_allocations, 1);
  atomic_fetch_add(&live_bytes, (long long)bytes);
  *out = (char *)p + 64;
  return HEARTH_OK;
}

static hearth_status onednn_free(int32_t device, void *ptr) {
  (void)device;
  if (!ptr) return HEARTH_OK;
  uint64_t *p = (uint64_t *)((char *)ptr - 64);
  atomic_fetch_sub(&live_allocations, 1);
  atomic_fetch_sub(&live_bytes, (long long)p[0]);
  free(p);
  return HEARTH_OK;
}

/* Builds the plan of kernel `op` for this launch; a plan that oneDNN declines says so (OD_DECLINED). */
static od_plan *od_build(const hk_op *op, const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a, int32_t na) {
  od_plan *pl = calloc(1, sizeof *pl);
  if (!pl) return NULL;
  int ok = 0;
  switch (op->family) {
    case HK_FAMILY_MATMUL: ok = od_build_matmul(pl, in, out); break;
    case HK_FAMILY_CONV2D: ok = od_build_conv2d(pl, in, nin, out, a, na); break;
    default: break;
  }
  if (!ok) {
    od_plan_free(pl);
    pl = calloc(1, sizeof *pl);
    if (pl) pl->how = OD_DECLINED;
  }
  return pl;
}

/* The families oneDNN may take (float32 only); the rest go straight to the reference kernels. */
static int od_candidate(const hk_op *op) {
  switch (op->family) {
    case HK_FAMILY_MATMUL: case HK_FAMILY_CONV2D: return 1;
    default: return 0;
  }
}

/* Whether every element of a float32 tensor is finite. */
static int od_finite(const hearth_tensor *t) {
  const float *x = (const float *)t->data;
  int ok = 1;
  for (int64_t i = 0; i < t->size; i++) ok &= isfinite(x[i]) != 0;
  return ok;
}

/* Launch-time conditions a cached plan can't see. conv2d: Hearth skips the taps that fall in the padding,
 * where oneDNN may multiply them by the zeros it pads with, so a NaN or infinite weight goes to the
 * reference kernel (a scan of the weights, small beside the convolution). */
static int od_data_allows(const hk_op *op, const hearth_tensor *in) {
  return op->family != HK_FAMILY_CONV2D || od_finite(&in[1]);
}

static hearth_status od_sgemm(const od_plan *pl, const hearth_tensor *in, const hearth_tensor *out) {
  const int64_t M = pl->p[0], K = pl->p[1], N = pl->p[2];
  if (dnnl_sgemm('N', 'N', M, N, K, 1.0f, (const float *)in[0].data, K, (const float *)in[1].data, N, 0.0f, (float *)out->data, N) != dnnl_success)
    return fail(HEARTH_ERROR_INTERNAL, "matmul: dnnl_sgemm failed");
  return HEARTH_OK;
}

static hearth_status onednn_launch(int32_t device, int32_t kernel, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                                   const hearth_named_value *attrs, int32_t nattrs) {
  if (device != 0 || kernel < 0 || kernel >= kernel_count || !out || (nin > 0 && !in) || !od_engine || kernel_list[kernel].dtype != HEARTH_FLOAT32)
    return ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  const hk_op *op = &HK_OPS[kernel_op[kernel]];
  if (!od_candidate(op) || nin > OD_OUT) return ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  od_key key;
  int cached = od_key_make(&key, kernel, od_threads, in, nin, out, attrs, nattrs);
  uint64_t h = cached ? od_key_hash(&key) : 0;
  od_plan *pl = cached ? od_cache_find(&key, h) : NULL;
  if (!pl) {
    pl = od_build(op, in, nin, out, attrs, nattrs);
    if (!pl) return fail(HEARTH_ERROR_OUT_OF_MEMORY, "launch: out of host memory for a oneDNN plan");
    if (cached) od_cache_put(&key, h, pl);
  }
  hearth_status s = HEARTH_OK;
  if (pl->how == OD_DECLINED || !od_data_allows(op, in)) s = ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  else if (pl->how == OD_SGEMM) s = od_sgemm(pl, in, out);
  else if (!od_run(pl, in, nin, out)) s = fail(HEARTH_ERROR_INTERNAL, "launch: a oneDNN primitive failed to execute");
  if (!cached) od_plan_free(pl);
  return s;
}

static hearth_status onednn_device_info(int32_t device, hearth_device_info *info) {
  if (device != 0 || !info) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "device_info: no such device");
  const dnnl_version_t *v = dnnl_version();
  snprintf(info->name, sizeof info->name, "oneDNN %d.%d.%d on the host CPU (%s, %d thread%s)", v->major, v->minor, v->patch,
           v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "threads", od_threads, od_threads == 1 ? "" : "s");
  snprintf(info->vendor, sizeof info->vendor, "Hearth");
  info->memory_bytes = 0;
  info->software = 0;
  return HEARTH_OK;
}

static hearth_plugin_api ONEDNN_API;

HEARTH_EXPORT const hearth_plugin_api *hearth_plugin_get_api(void) {
  if (ONEDNN_API.struct_size == 0) {
    ONEDNN_API = *hearth_reference_get_api();
    ONEDNN_API.name = "hearth-onednn";
    ONEDNN_API.device_type = "onednn";
    ONEDNN_API.init = onednn_init;
    ONEDNN_API.shutdown = onednn_shutdown;
    ONEDNN_API.device_info = onednn_device_info;
    ONEDNN_API.alloc = onednn_alloc;
    ONEDNN_API.free = onednn_free;
    ONEDNN_API.launch = onednn_launch;
  }
  return &ONEDNN_API;
}
