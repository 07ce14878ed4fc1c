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

#include "od_checks.h"
#include "od_composites.h"
#include "od_conv.h"
#include "od_copy.h"
#include "od_loops.h"
#include "od_memory.h"

/* Below this many output elements an element-wise kernel costs less in the reference loop than a
 * primitive's dispatch (and its threads' wake-up). HEARTH_ONEDNN_MIN_ELEMENTS changes it: 0 sends every
 * size to oneDNN, which is how the conformance run covers oneDNN's path with its small cases. */
static int64_t od_small = 4096;

/* Below this many output elements the plain C loops of od_loops.h take the launches they can (2^18, where
 * element-wise work starts to thread); HEARTH_ONEDNN_MIN_ELEMENTS sets it too, so 0 sends every size to oneDNN. */
static int64_t od_loops_below = 1 << 18;
/* Whether this CPU runs those loops (AVX2 and FMA); set at init. */
static int od_loops_on;

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
  /* Idle OpenMP workers sleep rather than spin (unless the user chose): a spinning worker takes a core from
   * Node's thread and from other libraries between calls. Read by libgomp when oneDNN brings it in. */
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  if (!od_library_open(err, sizeof err)) return fail(HEARTH_ERROR_NO_DEVICE, err);
  if (!od_engine) {
    if (dnnl_engine_create(&od_engine, dnnl_cpu, 0) != dnnl_success) return fail(HEARTH_ERROR_NO_DEVICE, "oneDNN found no CPU engine on this machine");
    if (dnnl_stream_create(&od_stream, od_engine, dnnl_stream_default_flags) != dnnl_success) {
      dnnl_engine_destroy(od_engine);
      od_engine = NULL;
      return fail(HEARTH_ERROR_NO_DEVICE, "oneDNN could not create a CPU stream");
    }
  }
  const char *small = getenv("HEARTH_ONEDNN_MIN_ELEMENTS");
  if (small && *small) od_small = od_loops_below = strtoll(small, NULL, 10);
  od_loops_on = od_loops_supported();
  /* OpenMP's own count, read once before this plugin changes it, is what a runtime without `threads` gets. */
  static int32_t openmp_default;
  if (!openmp_default) openmp_default = od_omp_get_max_threads ? od_omp_get_max_threads() : 1;
  int32_t want = od_requested_threads();
  if (od_omp_set_num_threads) od_omp_set_num_threads(want ? want : openmp_default);
  od_threads = od_omp_get_max_threads ? od_omp_get_max_threads() : 1;
  od_inits++;
  return ref_init(device_count);
}

static void onednn_shutdown(void) {
  if (od_inits == 0 || --od_inits > 0) return;
  od_cache_clear();
  od_release_kept();
  if (od_stream) dnnl_stream_destroy(od_stream);
  if (od_engine) dnnl_engine_destroy(od_engine);
  od_stream = NULL, od_engine = NULL;
}

/* Builds the plan of an operator (`op`) or composite (`composite`, when op is NULL) for this launch; a plan
 * that oneDNN declines says so (OD_DECLINED). */
static od_plan *od_build(const hk_op *op, int32_t composite, const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *a,
                         int32_t na) {
  od_plan *pl = calloc(1, sizeof *pl);
  if (!pl) return NULL;
  int ok = 0;
  if (!op && composite >= OD_SILU) {
    float alpha, beta;
    dnnl_alg_kind_t alg = od_activation_alg(composite - OD_SILU, hk_num(a, na, "alpha", 0), &alpha, &beta);
    ok = od_build_eltwise(pl, alg, alpha, beta, out);
  } else if (!op) ok = composite == OD_LAYER_NORM ? od_build_layer_norm(pl, in, nin, a, na) : od_build_batch_norm(pl, in, a, na);
  else switch (op->family) {
    case HK_FAMILY_MATMUL: ok = od_build_matmul(pl, in, out); break;
    case HK_FAMILY_CONV2D: ok = od_build_conv2d(pl, in, nin, out, a, na); break;
    case HK_FAMILY_CONV_TRANSPOSE2D: ok = od_build_conv_transpose2d(pl, in, nin, out, a, na); break;
    case HK_FAMILY_POOL: ok = od_build_pool(pl, op->code == 1, in, out, a, na); break;
    case HK_FAMILY_SOFTMAX: ok = od_build_softmax(pl, op->code == 1, in, out, a, na); break;
    case HK_FAMILY_BINARY: {
      dnnl_alg_kind_t alg = op->code == HK_ADD ? dnnl_binary_add : op->code == HK_SUB ? dnnl_binary_sub : op->code == HK_MUL ? dnnl_binary_mul : dnnl_binary_div;
      ok = od_build_binary(pl, alg, op->code == HK_ADD || op->code == HK_MUL, in, out);
      break;
    }
    case HK_FAMILY_UNARY: {
      dnnl_alg_kind_t alg = dnnl_eltwise_relu;
      switch (op->code) {
        case HK_EXP: alg = dnnl_eltwise_exp; break;
        case HK_TANH: alg = dnnl_eltwise_tanh; break;
        case HK_SIGMOID: alg = dnnl_eltwise_logistic; break;
        case HK_SQRT: alg = dnnl_eltwise_sqrt; break;
        case HK_ABS: alg = dnnl_eltwise_abs; break;
        default: break;
      }
      ok = od_build_eltwise(pl, alg, 0.f, 0.f, out);
      break;
    }
    case HK_FAMILY_REDUCE: {
      dnnl_alg_kind_t alg = op->code == HK_SUM ? dnnl_reduction_sum : op->code == HK_MEAN ? dnnl_reduction_mean : op->code == HK_RMAX ? dnnl_reduction_max : dnnl_reduction_min;
      ok = od_build_reduce(pl, alg, in, a, na);
      break;
    }
    default: break;
  }
  if (!ok) {
    od_plan_free(pl);
    pl = calloc(1, sizeof *pl);
    if (pl) pl->how = OD_DECLINED;
  }
  return pl;
}


/* Whether oneDNN may take this launch (float32 only); the rest go straight to the reference kernels. */
static int od_candidate(const hk_op *op, const hearth_tensor *out) {
  switch (op->family) {
    case HK_FAMILY_MATMUL: case HK_FAMILY_CONV2D: case HK_FAMILY_CONV_TRANSPOSE2D: case HK_FAMILY_POOL: return 1;
    case HK_FAMILY_SOFTMAX: return op->code == 0; /* log_softmax: oneDNN's log is 12 ULP off, the bound 8 */
    case HK_FAMILY_BINARY: return out->size >= od_small && (op->code == HK_ADD || op->code == HK_SUB || op->code == HK_MUL || op->code == HK_DIV);
    case HK_FAMILY_UNARY:
      /* not log (12 ULP where the bound is 3) nor gelu (oneDNN's erf is 3.5e-7 off, the bound 2^-24) */
      return out->size >= od_small && (op->code == HK_RELU || op->code == HK_EXP || op->code == HK_TANH || op->code == HK_SIGMOID ||
                                      op->code == HK_SQRT || op->code == HK_ABS);
    case HK_FAMILY_REDUCE: return op->code == HK_SUM || op->code == HK_MEAN || op->code == HK_RMAX || op->code == HK_RMIN;
    default: return 0;
  }
}

static hearth_status od_sgemm(const od_plan *pl, const hearth_tensor *in, const hearth_tensor *out) {
  const int64_t M = pl->p[0], K = pl->p[1], N = pl->p[2];
  if (dnnl_sgemm('N', 'N', M, N, K, 1.0f, (const float *)in[0].data, K, (const float *)in[1].data, N, 0.0f, (float *)out->data, N) != dnnl_success)
    return fail(HEARTH_ERROR_INTERNAL, "matmul: dnnl_sgemm failed");
  return HEARTH_OK;
}

/* The cached plan of this launch (made now on a miss); *owned says the caller frees it (no key fitted). */
static od_plan *od_plan_for(int32_t kernel, const hk_op *op, int32_t composite, int32_t threads, const hearth_tensor *in, int32_t nin,
                            const hearth_tensor *out, const hearth_named_value *attrs, int32_t nattrs, int *owned) {
  od_key key;
  int cached = od_key_make(&key, kernel, threads, in, nin, out, attrs, nattrs);
  uint64_t h = cached ? od_key_hash(&key) : 0;
  od_plan *pl = cached ? od_cache_find(&key, h) : NULL;
  *owned = !cached;
  if (!pl && (pl = od_build(op, composite, in, nin, out, attrs, nattrs)) && cached) od_cache_put(&key, h, pl);
  return pl;
}

/* Below this much work a call runs on the calling thread alone: waking the pool costs more than it saves,
 * and far more on a loaded machine, where a parallel region waits for a worker the scheduler has not run
 * yet. Work is multiply-adds for the products and convolutions, and OD_ELEMENT_WORK per element touched for
 * the rest (an exp, a compare and a store weigh about that much), so element-wise ops, reductions, pools and
 * normalizations thread from 2^18 elements and products from 2^21 multiply-adds. */
#define OD_PARALLEL_WORK (1 << 21)
#define OD_ELEMENT_WORK 8

static int64_t od_work(const hk_op *op, int32_t composite, const hearth_tensor *in, const hearth_tensor *out) {
  if (!op) return composite == OD_LINEAR ? out->size * (in[0].size / (out->shape[0] ? out->shape[0] : 1)) : in[0].size * OD_ELEMENT_WORK;
  switch (op->family) {
    case HK_FAMILY_MATMUL: return out->size * in[0].shape[in[0].rank - 1];
    case HK_FAMILY_CONV2D: return out->size * (in[1].size / (in[1].shape[0] ? in[1].shape[0] : 1));
    case HK_FAMILY_CONV_TRANSPOSE2D: return in[0].size * (in[1].size / (in[1].shape[0] ? in[1].shape[0] : 1));
    case HK_FAMILY_REDUCE: case HK_FAMILY_POOL: return in[0].size * OD_ELEMENT_WORK;
    default: return out->size * OD_ELEMENT_WORK;
  }
}

/* A plain C loop (od_loops.h, od_conv.h) for this float32 launch, when one fits it and oneDNN would run it on
 * the calling thread alone; 0 leaves it to oneDNN or the reference. */
static int od_loop(const hk_op *op, const hearth_tensor *in, int32_t nin, const hearth_tensor *out, const hearth_named_value *attrs, int32_t nattrs) {
  for (int32_t k = 0; k < nin; k++) if (in[k].dtype != HEARTH_FLOAT32) return 0;
  if (!od_loops_on || out->dtype != HEARTH_FLOAT32 || out->size == 0 || out->size >= od_loops_below || od_work(op, 0, in, out) >= OD_PARALLEL_WORK) return 0;
  switch (op->family) {
    case HK_FAMILY_UNARY:
      if (op->code != HK_RELU || in[0].size != out->size) return 0;
      od_relu_loop((const float *)in[0].data, (float *)out->data, out->size);
      return 1;
    case HK_FAMILY_BINARY: return nin == 2 && od_binary_small(op->code, in, out);
    case HK_FAMILY_SOFTMAX: {
      /* (not in place: a slice it gives up on reruns in the reference kernel from the input) */
      if (op->code != 0 || in[0].rank == 0 || in[0].data == out->data || hk_axis(hk_int(attrs, nattrs, "axis", -1), in[0].rank) != in[0].rank - 1) return 0;
      int64_t n = in[0].shape[in[0].rank - 1];
      return od_softmax_loop((const float *)in[0].data, (float *)out->data, out->size / n, n);
    }
    case HK_FAMILY_REDUCE: return od_reduce_small(op->code, in, out, attrs, nattrs);
    case HK_FAMILY_POOL: return op->code == 0 && od_max_pool_small(in, out, attrs, nattrs);
    case HK_FAMILY_CONV2D: return od_no_nan(&in[1], 1) && od_conv_small(in, nin, out, attrs, nattrs);
    case HK_FAMILY_MATMUL: return od_matmul_small(in, out);
    default: return 0;
  }
}

/* The threads this launch runs on (set in OpenMP for its calls); od_threads is restored after it. */
static int32_t od_enter(const hk_op *op, int32_t composite, const hearth_tensor *in, const hearth_tensor *out) {
  int32_t threads = od_work(op, composite, in, out) < OD_PARALLEL_WORK ? 1 : od_threads;
  if (threads != od_threads && od_omp_set_num_threads) od_omp_set_num_threads(threads);
  return threads;
}

static void od_leave(int32_t threads) {
  if (threads != od_threads && od_omp_set_num_threads) od_omp_set_num_threads(od_threads);
}

/* The composites' fused kernels: linear through dnnl_sgemm; the normalizations through oneDNN, or their C
 * form where oneDNN declines or its result holds NaN or infinity (the opset's rules for those are the C form's). */
static hearth_status od_launch_composite(int32_t which, int32_t kernel, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                                         const hearth_named_value *attrs, int32_t nattrs) {
  int32_t threads = od_enter(NULL, which, in, out);
  if (which == OD_LINEAR) {
    hearth_status s = od_linear(in, nin, out, attrs, nattrs, od_loops_on && threads == 1 && out->size < od_loops_below);
    od_leave(threads);
    return s;
  }
  int owned = 0, act = which >= OD_SILU;
  double alpha = hk_num(attrs, nattrs, "alpha", 0); /* elu's and leaky_relu's (attributes come with defaults applied) */
  if (which == OD_SILU + OD_ACT_HARD_SWISH && od_loops_on && threads == 1 && out->size < od_loops_below) {
    od_leave(threads);
    od_hard_swish_loop(in[0].data, out->data, out->size);
    return HEARTH_OK;
  }
  if (act && out->size < od_small) {
    od_leave(threads);
    od_activation_c(which - OD_SILU, alpha, in[0].data, out->data, out->size, 1);
    return HEARTH_OK;
  }
  if (which == OD_LAYER_NORM && od_loops_on && threads == 1 && out->size < od_loops_below && od_layer_norm_small(in, nin, out, attrs, nattrs)) return od_leave(threads), HEARTH_OK;
  od_plan *pl = od_plan_for(kernel, NULL, which, threads, in, nin, out, attrs, nattrs, &owned);
  int ran = pl && pl->how == OD_PRIMITIVES && od_run(pl, in, nin, out);
  if (act) od_activation_c(which - OD_SILU, alpha, in[0].data, out->data, out->size, !ran);
  int done = act || (ran && od_no_nan(out, 1));
  if (owned) od_plan_free(pl);
  od_leave(threads);
  if (!done && which == OD_LAYER_NORM) od_layer_norm_c(in, nin, out, attrs, nattrs);
  if (!done && which == OD_BATCH_NORM) od_batch_norm_c(in, out, attrs, nattrs);
  return HEARTH_OK;
}

static hearth_status onednn_launch(int32_t device, int32_t kernel, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                                   const hearth_named_value *attrs, int32_t nattrs) {
  if (device == 0 && out && (nin == 0 || in) && od_engine && kernel >= kernel_count && kernel < kernel_count + OD_COMPOSITE_COUNT)
    return od_launch_composite(kernel - kernel_count, kernel, in, nin, out, attrs, nattrs);
  if (device != 0 || kernel < 0 || kernel >= kernel_count || !out || (nin > 0 && !in)) return ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  const hk_op *op = &HK_OPS[kernel_op[kernel]];
  if (op->family == HK_FAMILY_COPY && od_copy(op, in, nin, out, attrs, nattrs)) return HEARTH_OK;
  if (!od_engine || kernel_list[kernel].dtype != HEARTH_FLOAT32) return ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  if (od_loop(op, in, nin, out, attrs, nattrs)) return HEARTH_OK;
  if (op->family == HK_FAMILY_UNARY && !od_candidate(op, out) && nin == 1 && in[0].dtype == HEARTH_FLOAT32 && out->dtype == HEARTH_FLOAT32 && in[0].size == out->size) {
    /* the reference's function, minus its per-element index arithmetic (the input is the output's shape) */
    const float *x = (const float *)in[0].data;
    float *y = (float *)out->data;
    if (op->code == HK_GELU && od_loops_on) od_gelu_loop(x, y, out->size);
    else for (int64_t i = 0; i < out->size; i++) y[i] = (float)hk_unary(op->code, HEARTH_FLOAT32, (double)x[i]);
    return HEARTH_OK;
  }
  if (!od_candidate(op, out) || nin > OD_OUT) return ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  int owned = 0;
  int32_t threads = od_enter(op, 0, in, out);
  od_plan *pl = od_plan_for(kernel, op, 0, threads, in, nin, out, attrs, nattrs, &owned);
  if (!pl) return od_leave(threads), fail(HEARTH_ERROR_OUT_OF_MEMORY, "launch: out of host memory for a oneDNN plan");
  hearth_status s = HEARTH_OK;
  if (pl->how == OD_DECLINED || !od_inputs_allow(op, in)) s = ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  else if (pl->how == OD_SGEMM) s = od_sgemm(pl, in, out);
  else if (!od_run(pl, in, nin, out)) s = fail(HEARTH_ERROR_INTERNAL, "launch: a oneDNN primitive failed to execute");
  else if (!od_result_ok(op, in, out)) s = ref_launch(device, kernel, in, nin, out, attrs, nattrs);
  if (owned) od_plan_free(pl);
  od_leave(threads);
  return s;
}

/* The reference kernels, then the composites' fused kernels. */
static hearth_kernel od_kernel_list[HK_MAX_KERNELS + OD_COMPOSITE_COUNT];
static int32_t od_kernel_count;

static hearth_status onednn_kernels(const hearth_kernel **list, int32_t *count) {
  if (od_kernel_count == 0) {
    const hearth_kernel *ref;
    int32_t n;
    ref_kernels(&ref, &n);
    memcpy(od_kernel_list, ref, sizeof(hearth_kernel) * (size_t)n);
    for (int32_t k = 0; k < OD_COMPOSITE_COUNT; k++) od_kernel_list[n + k] = (hearth_kernel){OD_COMPOSITES[k], HEARTH_FLOAT32, 0};
    od_kernel_count = n + OD_COMPOSITE_COUNT;
  }
  *list = od_kernel_list;
  *count = od_kernel_count;
  return HEARTH_OK;
}

static hearth_status onednn_device_info(int32_t device, hearth_device_info *info) {
  if (device != 0 || !info) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "device_info: no such device");
  const dnnl_version_t *v = dnnl_version();
  snprintf(info->name, sizeof info->name, "oneDNN %d.%d.%d on the host CPU (%s, %d thread%s)", v->major, v->minor, v->patch,
           v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "threads", od_threads, od_threads == 1 ? "" : "s");
  snprintf(info->vendor, sizeof info->vendor, "Hearth");
  info->memory_bytes = 0;
  info->software = 0;
  if (HEARTH_DEVICE_INFO_HAS(info, flags)) info->flags = HEARTH_DEVICE_HOST_MEMORY; /* host memory, synchronous kernels */
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
    ONEDNN_API.kernels = onednn_kernels;
  }
  return &ONEDNN_API;
}
