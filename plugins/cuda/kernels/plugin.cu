// The Hearth CUDA plugin: the Hearth C ABI over the CUDA runtime (linked statically, symbols hidden).
// Element-wise, movement and creation operators run the shared per-element code of the reference plugin
// (hk_ops.h) one thread per element; matmul and conv2d use tiled GEMM kernels (gemm.cuh) or cuBLAS when
// the machine has it (dlopen); contiguous reductions and last-axis softmax use warp shuffles (reduce.cuh).
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include "hk_plan.h"
#include "gemm.cuh"
#include "reduce.cuh"

static thread_local char last_error_buf[512];
static std::atomic<long long> live_allocations{0}, live_bytes{0};
static hearth_kernel kernel_list[HK_MAX_KERNELS];
static int32_t kernel_op[HK_MAX_KERNELS];
static int32_t kernel_count = 0;
static std::mutex init_lock;
static int init_count = 0, device_total = 0;

static hearth_status fail(hearth_status s, const char *fmt, const char *a = "", int b = 0) {
  snprintf(last_error_buf, sizeof last_error_buf, fmt, a, b);
  return s;
}

static hearth_status cuda_fail(cudaError_t e, const char *what) {
  hearth_status s = e == cudaErrorMemoryAllocation ? HEARTH_ERROR_OUT_OF_MEMORY
                    : (e == cudaErrorDevicesUnavailable || e == cudaErrorLaunchFailure || e == cudaErrorIllegalAddress) ? HEARTH_ERROR_DEVICE_LOST
                    : HEARTH_ERROR_DEVICE;
  snprintf(last_error_buf, sizeof last_error_buf, "%s: %s (%s)", what, cudaGetErrorString(e), cudaGetErrorName(e));
  return s;
}

#define HK_CUDA(call, what)                       \
  do {                                            \
    cudaError_t e_ = (call);                      \
    if (e_ != cudaSuccess) return cuda_fail(e_, what); \
  } while (0)

static const char *cu_last_error(void) { return last_error_buf; }

// Asks the driver first: with no driver, the runtime's own device count says "driver too old", which
// misleads. Returns OK with the device count, or NO_DEVICE with a plain reason.
static hearth_status check_driver(int *count) {
  void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h) return fail(HEARTH_ERROR_NO_DEVICE, "no CUDA device: the NVIDIA driver is not installed (libcuda.so.1 could not be opened: %s)", dlerror());
  typedef int (*cu_init_fn)(unsigned);
  typedef int (*cu_count_fn)(int *);
  cu_init_fn cu_init = (cu_init_fn)dlsym(h, "cuInit");
  cu_count_fn cu_count = (cu_count_fn)dlsym(h, "cuDeviceGetCount");
  if (!cu_init || !cu_count) return fail(HEARTH_ERROR_NO_DEVICE, "no CUDA device: libcuda.so.1 is not an NVIDIA driver (it has no cuInit)%s");
  int r = cu_init(0);
  if (r == 100) return fail(HEARTH_ERROR_NO_DEVICE, "no CUDA device: the NVIDIA driver found no GPU (cuInit: CUDA_ERROR_NO_DEVICE)%s");
  if (r != 0) return fail(HEARTH_ERROR_NO_DEVICE, "no CUDA device: the NVIDIA driver failed to start%s (cuInit returned CUDA error %d)", "", r);
  *count = 0;
  r = cu_count(count);
  if (r != 0 || *count == 0) return fail(HEARTH_ERROR_NO_DEVICE, "no CUDA device: the NVIDIA driver reports no GPU%s (cuDeviceGetCount returned %d)", "", r);
  return HEARTH_OK;  // the handle stays open: the CUDA runtime uses the same driver
}

static hearth_status cu_init(int32_t *device_count) {
  std::lock_guard<std::mutex> guard(init_lock);
  if (init_count == 0) {
    int count = 0;
    hearth_status s = check_driver(&count);
    if (s != HEARTH_OK) return s;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) return fail(HEARTH_ERROR_NO_DEVICE, "no CUDA device usable by this CUDA 13 build: %s (update the NVIDIA driver)", cudaGetErrorString(e));
    if (kernel_count == 0) kernel_count = hk_kernel_list(kernel_list, kernel_op);
    for (int d = 0; d < count; d++) {  // keep freed memory in each device's pool instead of returning it
      cudaMemPool_t pool;
      uint64_t keep = UINT64_MAX;
      if (cudaDeviceGetDefaultMemPool(&pool, d) == cudaSuccess) cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
    }
    device_total = count;
  }
  init_count++;
  *device_count = device_total;
  return HEARTH_OK;
}

static void cu_shutdown(void) {
  std::lock_guard<std::mutex> guard(init_lock);
  if (init_count > 0) init_count--;
}

static hearth_status cu_device_info(int32_t device, hearth_device_info *info) {
  cudaDeviceProp prop;
  HK_CUDA(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  snprintf(info->name, sizeof info->name, "%s (sm_%d%d)", prop.name, prop.major, prop.minor);
  snprintf(info->vendor, sizeof info->vendor, "NVIDIA");
  info->memory_bytes = prop.totalGlobalMem;
  info->software = 0;
  return HEARTH_OK;
}

// Stream-ordered allocation (cudaMallocAsync on the default stream), so freeing never stalls the GPU; the
// pool keeps freed memory for reuse. Sizes are kept on the host for the statistics.
static std::mutex alloc_lock;
static std::unordered_map<void *, uint64_t> alloc_sizes;

static hearth_status cu_alloc(int32_t device, uint64_t bytes, void **out) {
  HK_CUDA(cudaSetDevice(device), "cudaSetDevice");
  void *p = nullptr;
  HK_CUDA(cudaMallocAsync(&p, bytes ? bytes : 1, 0), "cudaMallocAsync");
  std::lock_guard<std::mutex> guard(alloc_lock);
  alloc_sizes[p] = bytes;
  live_allocations++;
  live_bytes += (long long)bytes;
  *out = p;
  return HEARTH_OK;
}

static hearth_status cu_free(int32_t device, void *ptr) {
  if (!ptr) return HEARTH_OK;
  HK_CUDA(cudaSetDevice(device), "cudaSetDevice");
  HK_CUDA(cudaFreeAsync(ptr, 0), "cudaFreeAsync");
  std::lock_guard<std::mutex> guard(alloc_lock);
  auto it = alloc_sizes.find(ptr);
  if (it != alloc_sizes.end()) {
    live_allocations--;
    live_bytes -= (long long)it->second;
    alloc_sizes.erase(it);
  }
  return HEARTH_OK;
}

static hearth_status cu_copy_to_device(int32_t device, void *dst, const void *src, uint64_t bytes) {
  HK_CUDA(cudaSetDevice(device), "cudaSetDevice");
  HK_CUDA(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy to device");
  return HEARTH_OK;
}

// Runs on a worker thread: cudaMemcpy waits for the kernels queued before it, so kernel faults show here.
static hearth_status cu_copy_to_host(int32_t device, void *dst, const void *src, uint64_t bytes) {
  HK_CUDA(cudaSetDevice(device), "cudaSetDevice");
  HK_CUDA(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy to host");
  return HEARTH_OK;
}

static hearth_status cu_synchronize(int32_t device) {
  HK_CUDA(cudaSetDevice(device), "cudaSetDevice");
  HK_CUDA(cudaDeviceSynchronize(), "synchronize");
  return HEARTH_OK;
}

static hearth_status cu_kernels(const hearth_kernel **list, int32_t *count) {
  if (kernel_count == 0) kernel_count = hk_kernel_list(kernel_list, kernel_op);
  *list = kernel_list;
  *count = kernel_count;
  return HEARTH_OK;
}

static hearth_status cu_stats(int32_t device, hearth_stats *out) {
  (void)device;
  out->live_allocations = live_allocations.load();
  out->live_bytes = live_bytes.load();
  return HEARTH_OK;
}

struct hk_inputs {
  const void *in[HK_MAX_IN];
};

__global__ void hk_generic(const hk_plan pl, hk_inputs in, void *out) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < pl.n; i += (int64_t)gridDim.x * blockDim.x) hk_eval(&pl, in.in, out, i);
}

__global__ void hk_softmax_strided(const hk_plan pl, const float *x, float *y) {
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r < pl.n; r += (int64_t)gridDim.x * blockDim.x) hk_softmax_row(&pl, x, y, r);
}

__global__ void hk_topk_kernel(const hk_plan pl, const void *x, int32_t *out) {
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < pl.n; t += (int64_t)gridDim.x * blockDim.x) hk_topk_place(&pl, x, out, t);
}

__global__ void hk_cumsum_kernel(const hk_plan pl, const void *x, void *y) {
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r < pl.n; r += (int64_t)gridDim.x * blockDim.x) hk_cumsum_row(&pl, x, y, r);
}

static unsigned grid_for(int64_t n) { return (unsigned)((n + 255) / 256 < 65535 * 8 ? (n + 255) / 256 : 65535 * 8); }

// cuBLAS, when the machine has it: opened once with dlopen, never linked.
typedef int (*cublas_create_fn)(void **);
typedef int (*cublas_sgemm_fn)(void *, int, int, int, int, int, const float *, const float *, int, const float *, int, const float *, float *, int);
static struct {
  std::once_flag once;
  cublas_create_fn create = nullptr;
  cublas_sgemm_fn sgemm = nullptr;
  void *handle[64] = {nullptr};
} cublas;

static cublas_sgemm_fn cublas_for(int device, void **handle) {
  const char *env = getenv("HEARTH_CUDA_CUBLAS");
  if (env && strcmp(env, "0") == 0) return nullptr;
  std::call_once(cublas.once, [] {
    const char *names[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so"};
    for (const char *n : names) {
      void *h = dlopen(n, RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      cublas.create = (cublas_create_fn)dlsym(h, "cublasCreate_v2");
      cublas.sgemm = (cublas_sgemm_fn)dlsym(h, "cublasSgemm_v2");
      if (cublas.create && cublas.sgemm) break;
      cublas.create = nullptr, cublas.sgemm = nullptr;
    }
  });
  if (!cublas.sgemm || device >= 64) return nullptr;
  if (!cublas.handle[device] && cublas.create(&cublas.handle[device]) != 0) return nullptr;
  *handle = cublas.handle[device];
  return cublas.sgemm;
}

static hearth_status launch_matmul(int32_t device, const hk_plan &pl, const hearth_tensor *in, const hearth_tensor *out) {
  const int64_t M = pl.p[0], K = pl.p[1], N = pl.p[2], batch = out->size / (M * N > 0 ? M * N : 1);
  if (out->size == 0) return HEARTH_OK;
  if (pl.dtype != HEARTH_FLOAT32 || K == 0) {
    hk_inputs ptrs = {{in[0].data, in[1].data, nullptr}};
    hk_generic<<<grid_for(out->size), 256>>>(pl, ptrs, out->data);
    return HEARTH_OK;
  }
  void *handle = nullptr;
  cublas_sgemm_fn sgemm = batch == 1 && M < INT32_MAX && N < INT32_MAX && K < INT32_MAX ? cublas_for(device, &handle) : nullptr;
  if (sgemm) {  // row-major C = A B is column-major C^T = B^T A^T
    const float one = 1.f, zero = 0.f;
    int r = sgemm(handle, 0, 0, (int)N, (int)M, (int)K, &one, (const float *)in[1].data, (int)N, (const float *)in[0].data, (int)K, &zero, (float *)out->data, (int)N);
    if (r == 0) return HEARTH_OK;
  }
  int aligned = M % HK_BM == 0 && N % HK_BN == 0 && K % HK_BK == 0 && ((uintptr_t)in[0].data % 16 == 0) && ((uintptr_t)in[1].data % 16 == 0) &&
                ((uintptr_t)out->data % 16 == 0);
  dim3 grid((unsigned)((N + HK_BN - 1) / HK_BN), (unsigned)((M + HK_BM - 1) / HK_BM), (unsigned)batch);
  hk_matmul_kernel<<<grid, 256>>>(pl, (const float *)in[0].data, (const float *)in[1].data, (float *)out->data, aligned);
  return HEARTH_OK;
}

static bool contiguous_rows(const hk_plan &pl) {
  int64_t s = 1;
  for (int d = pl.rrank - 1; d >= 0; d--) {
    if (pl.rstride[d] != s) return false;
    s *= pl.rshape[d];
  }
  for (int d = pl.rank - 1; d >= 0; d--) {
    if (pl.shape[d] != 1 && pl.stride[0][d] != s) return false;
    s *= pl.shape[d];
  }
  return true;
}

static hearth_status cu_launch(int32_t device, int32_t kernel, const hearth_tensor *in, int32_t nin, const hearth_tensor *out,
                               const hearth_named_value *attrs, int32_t nattrs) {
  if (kernel < 0 || kernel >= kernel_count) return fail(HEARTH_ERROR_INVALID_ARGUMENT, "launch: no such kernel%s");
  HK_CUDA(cudaSetDevice(device), "cudaSetDevice");
  const hk_op *op = &HK_OPS[kernel_op[kernel]];
  hk_plan pl;
  char err[256];
  hearth_status s = hk_plan_make(&pl, op, kernel_list[kernel].dtype, in, nin, out, attrs, nattrs, err, sizeof err);
  if (s != HEARTH_OK) return fail(s, "%s", err);
  if (out->size == 0) return HEARTH_OK;
  switch (op->family) {
    case HK_FAMILY_CONCAT: {
      size_t es = out->dtype == HEARTH_BOOL ? 1 : 4;
      int64_t outer = pl.p[0], inner = pl.p[1], row = out->shape[pl.p[2]] * inner, at = 0;
      for (int32_t k = 0; k < nin; k++) {
        int64_t block = in[k].shape[pl.p[2]] * inner;
        if (block > 0 && outer > 0)
          HK_CUDA(cudaMemcpy2DAsync((char *)out->data + at * es, row * es, in[k].data, block * es, block * es, outer, cudaMemcpyDeviceToDevice), "concat");
        at += block;
      }
      break;
    }
    case HK_FAMILY_MATMUL:
      if ((s = launch_matmul(device, pl, in, out)) != HEARTH_OK) return s;
      break;
    case HK_FAMILY_CONV2D:
      if (pl.p[5] * pl.p[6] * pl.p[7] == 0) {
        hk_inputs ptrs = {{in[0].data, in[1].data, nin > 2 ? in[2].data : nullptr}};
        hk_generic<<<grid_for(out->size), 256>>>(pl, ptrs, out->data);
      } else {
        int64_t Og = pl.p[4] / pl.p[16], Ncols = pl.p[0] * pl.p[8] * pl.p[9];
        dim3 grid((unsigned)((Ncols + HK_BN - 1) / HK_BN), (unsigned)((Og + HK_BM - 1) / HK_BM), (unsigned)pl.p[16]);
        hk_conv2d_kernel<<<grid, 256>>>(pl, (const float *)in[0].data, (const float *)in[1].data, nin > 2 ? (const float *)in[2].data : nullptr, (float *)out->data);
      }
      break;
    case HK_FAMILY_SOFTMAX:
      if (pl.p[1] == 1) hk_softmax_rows<<<(unsigned)pl.n, HK_THREADS>>>(pl, (const float *)in[0].data, (float *)out->data);
      else hk_softmax_strided<<<grid_for(pl.n), 256>>>(pl, (const float *)in[0].data, (float *)out->data);
      break;
    case HK_FAMILY_REDUCE:
      if (pl.code != HK_ARGMAX && pl.code != HK_ARGMIN && pl.rcount >= 256 && contiguous_rows(pl) && out->size < (1ll << 31)) {
        hk_reduce_rows<<<(unsigned)out->size, HK_THREADS>>>(pl, in[0].data, out->data);
        break;
      }
      /* fall through: one thread per output */
    default: {
      if (op->family == HK_FAMILY_GATHER || op->family == HK_FAMILY_GATHER_ELEMENTS) {  // check the indices before anything is written
        int64_t count = in[1].size;
        int32_t *idx = (int32_t *)malloc(count * sizeof(int32_t) + 1);
        cudaError_t e = cudaMemcpy(idx, in[1].data, count * sizeof(int32_t), cudaMemcpyDeviceToHost);
        if (e != cudaSuccess) return free(idx), cuda_fail(e, "reading indices");
        int64_t bad = hk_check_indices(idx, count, pl.p[1]);
        if (bad >= 0) hk_index_message(last_error_buf, sizeof last_error_buf, op->name, idx, bad, pl.p[1]);
        free(idx);
        if (bad >= 0) return HEARTH_ERROR_INDEX_OUT_OF_RANGE;
      }
      if (op->family == HK_FAMILY_CUMSUM) {  // one thread per row, in the axis' order
        if (pl.n > 0) hk_cumsum_kernel<<<grid_for(pl.n), 256>>>(pl, in[0].data, out->data);
        break;
      }
      if (op->family == HK_FAMILY_TOPK) {
        if (pl.n > 0) hk_topk_kernel<<<grid_for(pl.n), 256>>>(pl, in[0].data, (int32_t *)out->data);
        break;
      }
      hk_inputs ptrs = {{nin > 0 ? in[0].data : nullptr, nin > 1 ? in[1].data : nullptr, nin > 2 ? in[2].data : nullptr}};
      hk_generic<<<grid_for(pl.n), 256>>>(pl, ptrs, out->data);
    }
  }
  HK_CUDA(cudaGetLastError(), op->name);
  return HEARTH_OK;
}

static const hearth_plugin_api API = {
    sizeof(hearth_plugin_api), HEARTH_ABI_MAJOR, HEARTH_ABI_MINOR, "hearth-cuda", "Hearth", "1.0.0", "cuda",
    cu_last_error, cu_init, cu_device_info, cu_alloc, cu_free, cu_copy_to_device, cu_copy_to_host, cu_synchronize,
    cu_kernels, cu_launch, cu_shutdown, cu_stats,
};

extern "C" HEARTH_EXPORT const hearth_plugin_api *hearth_plugin_get_api(void) { return &API; }
