// Tiled single-precision GEMM for matmul and conv2d (as an implicit GEMM): 128x128 output tiles, K in
// steps of 8, 256 threads each holding an 8x8 block of results in registers; A is stored transposed in
// shared memory so each thread reads its 8 rows of A and 8 columns of B as two float4 each per k.
#pragma once
#include "hk_ops.h"

#define HK_BM 128
#define HK_BN 128
#define HK_BK 8

// Where a GEMM reads A (M x K), B (K x N) and writes C (M x N), for one blockIdx.z.
struct hk_matmul_io {
  const float *a, *b;
  float *c;
  int64_t M, N, K;
  __device__ __forceinline__ float A(int64_t m, int64_t k) const { return m < M && k < K ? a[m * K + k] : 0.f; }
  __device__ __forceinline__ float B(int64_t k, int64_t n) const { return k < K && n < N ? b[k * N + n] : 0.f; }
  __device__ __forceinline__ void store(int64_t m, int64_t n, float v) const { if (m < M && n < N) c[m * N + n] = v; }
};

// conv2d as GEMM per group: A = weights [Og x Cg*KH*KW], B = the input window column for each output
// position (n, oy, ox), gathered on the fly; C lands in NCHW with the bias added.
struct hk_conv_io {
  const float *x, *w, *bias;
  float *y;
  int64_t M, N, K;  // Og, batch*OH*OW, Cg*KH*KW
  int64_t C, H, W, O, Cg, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, group;
  __device__ __forceinline__ float A(int64_t m, int64_t k) const { return m < M && k < K ? w[(group * M + m) * K + k] : 0.f; }
  __device__ __forceinline__ float B(int64_t k, int64_t n) const {
    if (k >= K || n >= N) return 0.f;
    int64_t kx = k % KW, ky = (k / KW) % KH, c = k / (KW * KH);
    int64_t ox = n % OW, oy = (n / OW) % OH, b = n / (OW * OH);
    int64_t iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
    if (iy < 0 || iy >= H || ix < 0 || ix >= W) return 0.f;
    return x[((b * C + group * Cg + c) * H + iy) * W + ix];
  }
  __device__ __forceinline__ void store(int64_t m, int64_t n, float v) const {
    if (m >= M || n >= N) return;
    int64_t o = group * M + m, pix = n % (OH * OW), b = n / (OH * OW);
    y[(b * O + o) * OH * OW + pix] = v + (bias ? bias[o] : 0.f);
  }
};

// acc += the product of one K-step of tiles: this thread's rows (ty*4.., 64+ty*4..) by its columns
// (tx*4.., 64+tx*4..), read as float4 from shared memory.
__device__ __forceinline__ void hk_tile_fma(const float (&As)[HK_BK][HK_BM], const float (&Bs)[HK_BK][HK_BN], float (&acc)[8][8], int tx, int ty) {
#pragma unroll
  for (int k = 0; k < HK_BK; k++) {
    float4 a0 = *(const float4 *)&As[k][ty * 4], a1 = *(const float4 *)&As[k][64 + ty * 4];
    float4 b0 = *(const float4 *)&Bs[k][tx * 4], b1 = *(const float4 *)&Bs[k][64 + tx * 4];
    float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w}, b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
      for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
  }
}

// One 128x128 tile of C; `io` knows how to read A and B (zero outside) and where C goes.
template <class IO>
__device__ __forceinline__ void hk_gemm_tile(const IO &io) {
  __shared__ __align__(16) float As[2][HK_BK][HK_BM];
  __shared__ __align__(16) float Bs[2][HK_BK][HK_BN];
  const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
  const int64_t m0 = (int64_t)blockIdx.y * HK_BM, n0 = (int64_t)blockIdx.x * HK_BN;
  const int ar = tid >> 1, ac = (tid & 1) * 4;   // A loads: row ar, k columns ac..ac+3
  const int br = tid >> 5, bc = (tid & 31) * 4;  // B loads: k row br, columns bc..bc+3
  float ra[4], rb[4], acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; i++)
#pragma unroll
    for (int j = 0; j < 8; j++) acc[i][j] = 0.f;
#pragma unroll
  for (int j = 0; j < 4; j++) (ra[j] = io.A(m0 + ar, ac + j), rb[j] = io.B(br, n0 + bc + j));
  int cur = 0;
#pragma unroll
  for (int j = 0; j < 4; j++) (As[0][ac + j][ar] = ra[j], Bs[0][br][bc + j] = rb[j]);
  __syncthreads();
  for (int64_t k0 = 0; k0 < io.K; k0 += HK_BK) {
    const bool more = k0 + HK_BK < io.K;
    if (more) {  // prefetch the next tiles into registers while this one is multiplied
#pragma unroll
      for (int j = 0; j < 4; j++) (ra[j] = io.A(m0 + ar, k0 + HK_BK + ac + j), rb[j] = io.B(k0 + HK_BK + br, n0 + bc + j));
    }
    hk_tile_fma(As[cur], Bs[cur], acc, tx, ty);
    if (more) {
#pragma unroll
      for (int j = 0; j < 4; j++) (As[cur ^ 1][ac + j][ar] = ra[j], Bs[cur ^ 1][br][bc + j] = rb[j]);
    }
    __syncthreads();
    cur ^= 1;
  }
#pragma unroll
  for (int i = 0; i < 8; i++) {
    int64_t m = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4);
#pragma unroll
    for (int j = 0; j < 8; j++) io.store(m, n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + j - 4), acc[i][j]);
  }
}

// Aligned fast path: M, N multiples of 128, K of 8, rows 16-byte aligned: float4 global loads, no guards.
__device__ __forceinline__ void hk_gemm_tile_aligned(const float *__restrict__ A, const float *__restrict__ B, float *__restrict__ C, int64_t N, int64_t K) {
  __shared__ __align__(16) float As[2][HK_BK][HK_BM];
  __shared__ __align__(16) float Bs[2][HK_BK][HK_BN];
  const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
  const int64_t m0 = (int64_t)blockIdx.y * HK_BM, n0 = (int64_t)blockIdx.x * HK_BN;
  const int ar = tid >> 1, ac = (tid & 1) * 4, br = tid >> 5, bc = (tid & 31) * 4;
  const float *pa = A + (m0 + ar) * K + ac, *pb = B + (int64_t)br * N + n0 + bc;
  float acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; i++)
#pragma unroll
    for (int j = 0; j < 8; j++) acc[i][j] = 0.f;
  float4 ra = *(const float4 *)pa, rb = *(const float4 *)pb;
  int cur = 0;
  As[0][ac][ar] = ra.x, As[0][ac + 1][ar] = ra.y, As[0][ac + 2][ar] = ra.z, As[0][ac + 3][ar] = ra.w;
  *(float4 *)&Bs[0][br][bc] = rb;
  __syncthreads();
  for (int64_t k0 = 0; k0 < K; k0 += HK_BK) {
    const bool more = k0 + HK_BK < K;
    if (more) (ra = *(const float4 *)(pa + k0 + HK_BK), rb = *(const float4 *)(pb + (k0 + HK_BK) * N));
    hk_tile_fma(As[cur], Bs[cur], acc, tx, ty);
    if (more) {
      As[cur ^ 1][ac][ar] = ra.x, As[cur ^ 1][ac + 1][ar] = ra.y, As[cur ^ 1][ac + 2][ar] = ra.z, As[cur ^ 1][ac + 3][ar] = ra.w;
      *(float4 *)&Bs[cur ^ 1][br][bc] = rb;
    }
    __syncthreads();
    cur ^= 1;
  }
#pragma unroll
  for (int i = 0; i < 8; i++) {
    float *row = C + (m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4)) * N + n0;
    *(float4 *)(row + tx * 4) = make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    *(float4 *)(row + 64 + tx * 4) = make_float4(acc[i][4], acc[i][5], acc[i][6], acc[i][7]);
  }
}

// matmul over the plan's batch (blockIdx.z), with broadcast batch strides from the plan.
__global__ void __launch_bounds__(256) hk_matmul_kernel(const hk_plan pl, const float *a, const float *b, float *c, int aligned) {
  const int64_t z = blockIdx.z, M = pl.p[0], K = pl.p[1], N = pl.p[2];
  const float *az = a + hk_offset(&pl, 0, z), *bz = b + hk_offset(&pl, 1, z);
  float *cz = c + z * M * N;
  if (aligned) hk_gemm_tile_aligned(az, bz, cz, N, K);
  else hk_gemm_tile(hk_matmul_io{az, bz, cz, M, N, K});
}

// conv2d, one group per blockIdx.z.
__global__ void __launch_bounds__(256) hk_conv2d_kernel(const hk_plan pl, const float *x, const float *w, const float *bias, float *y) {
  const int64_t *p = pl.p;
  const int64_t groups = p[16], O = p[4], Og = O / groups;
  hk_conv_io io{x, w, bias, y, Og, p[0] * p[8] * p[9], p[5] * p[6] * p[7], p[1], p[2], p[3], O, p[5], p[6], p[7], p[8], p[9],
                p[10], p[11], p[12], p[13], p[14], p[15], (int64_t)blockIdx.z};
  hk_gemm_tile(io);
}
