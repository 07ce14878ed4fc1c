/*
 * The machine's ceilings for `npm run bench -- cpu`: the AVX2 FMA peak (10 independent chains of 8-wide
 * FMAs per thread) and memory bandwidth (a 256 MiB read and copy), for 1 .. OMP_NUM_THREADS threads, best
 * of 15 rounds each. Build and run: cc -O3 -ffast-math -mavx2 -mfma -fopenmp bench/peak.c -o build/peak && build/peak
 */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float fma_chains(long iters) {
  __m256 a[10], m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 10; i++) a[i] = _mm256_set1_ps((float)i);
  for (long k = 0; k < iters; k++)
    for (int i = 0; i < 10; i++) a[i] = _mm256_fmadd_ps(a[i], m, c);
  float o[8];
  for (int i = 1; i < 10; i++) a[0] = _mm256_add_ps(a[0], a[i]);
  _mm256_storeu_ps(o, a[0]);
  return o[0];
}

int main(void) {
  const long iters = 20000000;
  const size_t n = 64u << 20;
  float *a = aligned_alloc(64, n * 4), *b = aligned_alloc(64, n * 4);
  memset(a, 1, n * 4), memset(b, 0, n * 4);
  for (int t = 1; t <= omp_get_max_threads(); t++) {
    double flops = 0, rd = 0, cp = 0;
    for (int r = 0; r < 15; r++) {
      volatile float sink = 0;
      double t0 = now();
#pragma omp parallel num_threads(t) reduction(+ : sink)
      sink += fma_chains(iters);
      double g = 2.0 * 8 * 10 * iters * t / (now() - t0) / 1e9;
      flops = g > flops ? g : flops;
      float s = 0;
      t0 = now();
#pragma omp parallel for num_threads(t) reduction(+ : s)
      for (size_t i = 0; i < n; i++) s += a[i];
      g = n * 4.0 / (now() - t0) / 1e9;
      rd = g > rd && s != 42 ? g : rd;
      t0 = now();
#pragma omp parallel for num_threads(t)
      for (size_t i = 0; i < n; i++) b[i] = a[i];
      g = n * 8.0 / (now() - t0) / 1e9;
      cp = g > cp ? g : cp;
    }
    printf("%d thread(s): FMA peak %.0f GFLOP/s, read %.1f GB/s, copy (read + write) %.1f GB/s\n", t, flops, rd, cp);
  }
  return 0;
}
