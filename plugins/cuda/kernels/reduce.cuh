// Reductions with warp shuffles (one block per output over a contiguous run of elements) and softmax with
// one block per row.
#pragma once
#include "hk_ops.h"

#define HK_THREADS 256

template <class T, class Op>
__device__ __forceinline__ T hk_warp_reduce(T v, Op op) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_down_sync(0xffffffffu, v, o));
  return v;
}

// Reduces v across the block; every thread gets the result.
template <class T, class Op>
__device__ __forceinline__ T hk_block_reduce(T v, Op op) {
  __shared__ T partial[HK_THREADS / 32];
  __shared__ T result;
  v = hk_warp_reduce(v, op);
  if ((threadIdx.x & 31) == 0) partial[threadIdx.x >> 5] = v;
  __syncthreads();
  if (threadIdx.x < 32) {
    // Lane 0 combines lanes 0..7 only (offsets 4, 2, 1), so the filler in the other lanes never counts.
    v = partial[threadIdx.x < HK_THREADS / 32 ? threadIdx.x : 0];
#pragma unroll
    for (int o = HK_THREADS / 64; o > 0; o >>= 1) v = op(v, __shfl_down_sync(0xffffffffu, v, o));
    if (threadIdx.x == 0) result = v;
  }
  __syncthreads();
  T r = result;
  __syncthreads();
  return r;
}

struct hk_add_d { __device__ double operator()(double a, double b) const { return a + b; } };
struct hk_mul_d { __device__ double operator()(double a, double b) const { return a * b; } };
struct hk_add_u { __device__ uint32_t operator()(uint32_t a, uint32_t b) const { return a + b; } };
struct hk_mul_u { __device__ uint32_t operator()(uint32_t a, uint32_t b) const { return a * b; } };
// max/min that propagate NaN (a + b is NaN when either is).
struct hk_max_d { __device__ double operator()(double a, double b) const { return a != a || b != b ? a + b : (a > b ? a : b); } };
struct hk_min_d { __device__ double operator()(double a, double b) const { return a != a || b != b ? a + b : (a < b ? a : b); } };

// sum, mean, max, min, prod of float32 or int32 where output i reduces x[i*rcount .. (i+1)*rcount).
__global__ void __launch_bounds__(HK_THREADS) hk_reduce_rows(const hk_plan pl, const void *x, void *out) {
  const int64_t i = blockIdx.x, n = pl.rcount, base = i * n;
  const int op = pl.code;
  if (pl.dtype == HEARTH_INT32 && (op == HK_SUM || op == HK_PROD)) {
    const int32_t *xi = (const int32_t *)x + base;
    uint32_t acc = op == HK_PROD ? 1u : 0u;
    for (int64_t r = threadIdx.x; r < n; r += HK_THREADS) acc = op == HK_PROD ? acc * (uint32_t)xi[r] : acc + (uint32_t)xi[r];
    acc = op == HK_PROD ? hk_block_reduce(acc, hk_mul_u()) : hk_block_reduce(acc, hk_add_u());
    if (threadIdx.x == 0) ((int32_t *)out)[i] = (int32_t)acc;
    return;
  }
  double acc = op == HK_PROD ? 1.0 : op == HK_RMAX ? -INFINITY : op == HK_RMIN ? INFINITY : 0.0;
  for (int64_t r = threadIdx.x; r < n; r += HK_THREADS) {
    double v = hk_load(x, pl.dtype, base + r);
    acc = op == HK_PROD ? acc * v : op == HK_RMAX ? hk_max_d()(acc, v) : op == HK_RMIN ? hk_min_d()(acc, v) : acc + v;
  }
  if (op == HK_PROD) acc = hk_block_reduce(acc, hk_mul_d());
  else if (op == HK_RMAX) acc = hk_block_reduce(acc, hk_max_d());
  else if (op == HK_RMIN) acc = hk_block_reduce(acc, hk_min_d());
  else acc = hk_block_reduce(acc, hk_add_d());
  if (threadIdx.x == 0) hk_store(out, pl.out_dtype, i, op == HK_MEAN ? acc / (double)n : acc);
}

// softmax / log_softmax over the last axis, one block per row: max, then the sum of exp, then the output.
__global__ void __launch_bounds__(HK_THREADS) hk_softmax_rows(const hk_plan pl, const float *x, float *y) {
  const int64_t L = pl.p[0];
  const float *row = x + (int64_t)blockIdx.x * L;
  float *out = y + (int64_t)blockIdx.x * L;
  double mx = -INFINITY;
  for (int64_t k = threadIdx.x; k < L; k += HK_THREADS) mx = hk_max_d()(mx, (double)row[k]);
  mx = hk_block_reduce(mx, hk_max_d());
  double sum = 0;
  for (int64_t k = threadIdx.x; k < L; k += HK_THREADS) sum += exp((double)row[k] - mx);
  sum = hk_block_reduce(sum, hk_add_d());
  const double lse = log(sum);
  for (int64_t k = threadIdx.x; k < L; k += HK_THREADS) {
    double t = (double)row[k] - mx;
    out[k] = (float)(pl.code ? t - lse : exp(t) / sum);
  }
}
