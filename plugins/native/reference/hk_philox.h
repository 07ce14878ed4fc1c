/*
 * hk_philox.h: the counter-based generator of random_uniform and random_normal (opset v2), so every
 * backend draws the same values. Philox4x32-10 (Salmon et al. 2011): key = [seed low word, seed high
 * word], counter for block i = [i, 0, 0, 0], giving the words of elements 4i..4i+3.
 */
#ifndef HK_PHILOX_H
#define HK_PHILOX_H

#include "hk_scalar.h"

typedef struct hk_words {
  uint32_t w[4];
} hk_words;

/* The four 32-bit words of `counter` under `key`, after ten rounds. */
HK_HD hk_words hk_philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; round++) {
    if (round > 0) (k0 += 0x9E3779B9u, k1 += 0xBB67AE85u);
    uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0, hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  hk_words r = {{c0, c1, c2, c3}};
  return r;
}

/* The words of block i for `seed` (a safe integer >= 0). */
HK_HD hk_words hk_philox_block(uint64_t seed, uint64_t block) {
  return hk_philox4x32((uint32_t)block, (uint32_t)(block >> 32), 0, 0, (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* A word's 24 high bits as a float64 in [0, 1). */
HK_HD double hk_unit(uint32_t w) { return (double)(w >> 8) * (1.0 / 16777216.0); }

/* Element i of random_uniform: low + (high - low) * u. */
HK_HD double hk_random_uniform(uint64_t seed, int64_t i, double low, double high) {
  hk_words b = hk_philox_block(seed, (uint64_t)i >> 2);
  return low + (high - low) * hk_unit(b.w[i & 3]);
}

/* Element i of random_normal: Box-Muller on the word pair (w0, w1) or (w2, w3) of its block. */
HK_HD double hk_random_normal(uint64_t seed, int64_t i, double mean, double std) {
  hk_words b = hk_philox_block(seed, (uint64_t)i >> 2);
  int pair = (int)(i & 2);
  double u1 = ((double)(b.w[pair] >> 8) + 1.0) * (1.0 / 16777216.0), u2 = hk_unit(b.w[pair + 1]);
  double r = sqrt(-2.0 * log(u1)), a = 6.283185307179586476925 * u2;
  return mean + std * (i & 1 ? r * sin(a) : r * cos(a));
}

#endif
