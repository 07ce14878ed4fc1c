/*
 * od_gemm.h: a small row-major product Y (+)= A·B for the model-sized matmul and linear launches (a few
 * hundred thousand multiply-adds), where dnnl_sgemm's and the matmul primitive's set-up per call cost as
 * much as the products. Tiles of 4 rows by 16 columns (8 accumulators) stream B's rows; a single row (a
 * matrix-vector product) takes 32 columns and two rows of B a step, so enough chains are in flight.
 */
#ifndef OD_GEMM_H
#define OD_GEMM_H

#include <stdlib.h>
#include "od_loops.h"

/* A as element (i, k) at A[i·ars + k·acs]; B with rows of ldb; Y with rows of N. */
typedef struct od_gemm_args {
  int64_t M, N, K, ars, acs, ldb;
  const float *A, *B;
  float *Y;
  int accumulate;    /* add to Y (which holds the bias) rather than overwrite it */
  const float *bias; /* or a row of N values each row of Y starts from (NULL: 0) */
} od_gemm_args;

/* Stores `v`'s first `cols` lanes at y, added to what is there when `acc`. */
static inline void od_put(float *y, od_v8 v, int64_t cols, int acc) {
  if (cols >= 8) {
    od_store(y, acc ? od_load(y) + v : v);
    return;
  }
  for (int64_t c = 0; c < cols; c++) y[c] = acc ? y[c] + v[c] : v[c];
}

/* The 16 columns of B from j (zero past N) as a row of 16 floats, for the last partial tile. */
static void od_pack_columns(const od_gemm_args *g, int64_t j, float *bp) {
  int64_t nj = g->N - j;
  for (int64_t k = 0; k < g->K; k++)
    for (int64_t c = 0; c < 16; c++) bp[k * 16 + c] = c < nj ? g->B[k * g->ldb + j + c] : 0.f;
}

/* The last 8 or fewer columns from j: tiles of 8 rows by one vector. The tile's rows of A are first packed
 * k-major (8 values a step, 256 steps at a time), so each step reads its 8 multipliers from one line; fewer
 * than 8 columns of B are packed zero-padded the same way. */
OD_SIMD static void od_gemm_tiles8(const od_gemm_args *g, int64_t j, int64_t nj, const float *bbias) {
  float ap[256 * 8], bq[256 * 8];
  for (int64_t i = 0; i < g->M; i += 8) {
    const float *rows[8];
    for (int r = 0; r < 8; r++) rows[r] = g->A + (i + r < g->M ? i + r : i) * g->ars; /* rows past M repeat row i, dropped */
    od_v8 c0 = od_load(bbias), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    for (int64_t k0 = 0; k0 < g->K; k0 += 256) {
      int64_t kb = g->K - k0 < 256 ? g->K - k0 : 256;
      for (int64_t k = 0; k < kb; k++)
        for (int r = 0; r < 8; r++) ap[k * 8 + r] = rows[r][(k0 + k) * g->acs];
      if (nj < 8) /* B's last columns, zero-padded to 8 */
        for (int64_t k = 0; k < kb; k++)
          for (int64_t c = 0; c < 8; c++) bq[k * 8 + c] = c < nj ? g->B[(k0 + k) * g->ldb + j + c] : 0.f;
      for (int64_t k = 0; k < kb; k++) {
        od_v8 b = nj == 8 ? od_load(g->B + (k0 + k) * g->ldb + j) : od_load(bq + k * 8);
        const float *a = ap + k * 8;
        c0 += a[0] * b, c1 += a[1] * b, c2 += a[2] * b, c3 += a[3] * b;
        c4 += a[4] * b, c5 += a[5] * b, c6 += a[6] * b, c7 += a[7] * b;
      }
    }
    od_v8 out[8] = {c0, c1, c2, c3, c4, c5, c6, c7};
    for (int64_t r = 0; r < 8 && i + r < g->M; r++) od_put(g->Y + (i + r) * g->N + j, out[r], nj, g->accumulate);
  }
}

OD_SIMD static void od_gemm_tiles(const od_gemm_args *g, float *bpack) {
  for (int64_t j = 0; j < g->N; j += 16) {
    int64_t nj = g->N - j < 16 ? g->N - j : 16;
    const float *b = g->B + j;
    int64_t ldb = g->ldb;
    float bbias[16] = {0};
    if (g->bias) memcpy(bbias, g->bias + j, sizeof(float) * (size_t)nj);
    if (nj <= 8) {
      od_gemm_tiles8(g, j, nj, bbias);
      continue;
    }
    if (nj < 16) od_pack_columns(g, j, bpack), b = bpack, ldb = 16;
    for (int64_t i = 0; i < g->M; i += 4) {
      /* rows past M repeat row i (their results are dropped) */
      const float *a0 = g->A + i * g->ars, *a1 = i + 1 < g->M ? a0 + g->ars : a0, *a2 = i + 2 < g->M ? a0 + 2 * g->ars : a0,
                  *a3 = i + 3 < g->M ? a0 + 3 * g->ars : a0;
      od_v8 c00 = od_splat(0.f), c01 = c00;
      if (g->bias) c00 = od_load(bbias), c01 = od_load(bbias + 8);
      od_v8 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
      for (int64_t k = 0; k < g->K; k++) {
        od_v8 b0 = od_load(b + k * ldb), b1 = od_load(b + k * ldb + 8);
        int64_t ka = k * g->acs;
        float x0 = a0[ka], x1 = a1[ka], x2 = a2[ka], x3 = a3[ka];
        c00 += x0 * b0, c01 += x0 * b1, c10 += x1 * b0, c11 += x1 * b1;
        c20 += x2 * b0, c21 += x2 * b1, c30 += x3 * b0, c31 += x3 * b1;
      }
      od_v8 rows[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
      for (int64_t r = 0; r < 4 && i + r < g->M; r++) {
        float *y = g->Y + (i + r) * g->N + j;
        od_put(y, rows[r][0], nj, g->accumulate);
        if (nj > 8) od_put(y + 8, rows[r][1], nj - 8, g->accumulate);
      }
    }
  }
}

/* One row of A, N a multiple of 32: 32 columns at a time, two rows of B a step (8 accumulators, the halves summed at the end). */
OD_SIMD static void od_gemv(const od_gemm_args *g) {
  const float *a = g->A;
  for (int64_t j = 0; j < g->N; j += 32) {
    od_v8 c0 = od_splat(0.f), c1 = c0, c2 = c0, c3 = c0, d0 = c0, d1 = c0, d2 = c0, d3 = c0;
    if (g->bias) c0 = od_load(g->bias + j), c1 = od_load(g->bias + j + 8), c2 = od_load(g->bias + j + 16), c3 = od_load(g->bias + j + 24);
    int64_t k = 0;
    for (; k + 2 <= g->K; k += 2) {
      const float *b = g->B + k * g->ldb + j, *e = b + g->ldb;
      float x = a[k * g->acs], z = a[(k + 1) * g->acs];
      c0 += x * od_load(b), c1 += x * od_load(b + 8), c2 += x * od_load(b + 16), c3 += x * od_load(b + 24);
      d0 += z * od_load(e), d1 += z * od_load(e + 8), d2 += z * od_load(e + 16), d3 += z * od_load(e + 24);
    }
    if (k < g->K) {
      const float *b = g->B + k * g->ldb + j;
      float x = a[k * g->acs];
      c0 += x * od_load(b), c1 += x * od_load(b + 8), c2 += x * od_load(b + 16), c3 += x * od_load(b + 24);
    }
    float *y = g->Y + j;
    od_put(y, c0 + d0, 8, g->accumulate), od_put(y + 8, c1 + d1, 8, g->accumulate);
    od_put(y + 16, c2 + d2, 8, g->accumulate), od_put(y + 24, c3 + d3, 8, g->accumulate);
  }
}

/* Y (+)= A·B; 0 when scratch memory ran out (nothing written). */
static int od_gemm(const od_gemm_args *g) {
  if (g->M == 1 && g->N % 32 == 0) return od_gemv(g), 1;
  float *bp = g->N % 16 > 8 ? malloc(sizeof(float) * (size_t)(g->K * 16)) : NULL;
  if (g->N % 16 > 8 && !bp) return 0;
  od_gemm_tiles(g, bp);
  free(bp);
  return 1;
}

/* matmul of rank >= 2 operands whose batch axes are the output's or all 1 (no other broadcasting). */
static int od_matmul_small(const hearth_tensor *in, const hearth_tensor *out) {
  const hearth_tensor *A = &in[0], *B = &in[1];
  if (A->rank < 2 || B->rank < 2) return 0;
  int64_t M = A->shape[A->rank - 2], K = A->shape[A->rank - 1], N = B->shape[B->rank - 1];
  if (M == 0 || K == 0 || N == 0) return 0;
  int64_t batches = out->size / (M * N), ab = A->size / (M * K), bb = B->size / (K * N);
  if ((ab != batches && ab != 1) || (bb != batches && bb != 1)) return 0;
  for (int64_t t = 0; t < batches; t++) {
    od_gemm_args g = {M, N, K, K, 1, N, (const float *)A->data + (ab == 1 ? 0 : t * M * K), (const float *)B->data + (bb == 1 ? 0 : t * K * N),
                      (float *)out->data + t * M * N, 0, NULL};
    if (!od_gemm(&g)) return 0;
  }
  return 1;
}

#endif
