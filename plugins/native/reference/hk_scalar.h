/*
 * hk_scalar.h: loads, stores and scalar math with the opset's special-value rules. Shared by the reference
 * C plugin and the CUDA plugin (HK_HD marks functions that also run on a GPU). Values travel as double:
 * every float32, int32 and bool value is exact in a double, and int32 arithmetic is done in 32-bit
 * unsigned arithmetic so it wraps the way the opset says.
 */
#ifndef HK_SCALAR_H
#define HK_SCALAR_H

#include <math.h>
#include <stdint.h>
#include "hearth_plugin.h"

#ifdef __CUDACC__
#define HK_HD __host__ __device__ __forceinline__
#else
#define HK_HD static inline
#endif

HK_HD double hk_load(const void *p, int32_t dtype, int64_t i) {
  switch (dtype) {
    case HEARTH_FLOAT32: return (double)((const float *)p)[i];
    case HEARTH_INT32: return (double)((const int32_t *)p)[i];
    case HEARTH_FLOAT64: return ((const double *)p)[i];
    default: return (double)((const uint8_t *)p)[i];
  }
}

/* float -> int32 as cast says: truncate toward zero, NaN -> 0, saturate out of range. */
HK_HD int32_t hk_to_int32(double x) {
  if (x != x) return 0;
  if (x >= 2147483647.0) return 2147483647;
  if (x <= -2147483648.0) return (int32_t)(-2147483647 - 1);
  return (int32_t)x;
}

/* Stores v converted into dtype: floats round to nearest even, int32 as above, bool is v != 0 (NaN true). */
HK_HD void hk_store(void *p, int32_t dtype, int64_t i, double v) {
  switch (dtype) {
    case HEARTH_FLOAT32: ((float *)p)[i] = (float)v; break;
    case HEARTH_INT32: ((int32_t *)p)[i] = hk_to_int32(v); break;
    case HEARTH_FLOAT64: ((double *)p)[i] = v; break;
    default: ((uint8_t *)p)[i] = (uint8_t)(v != 0); break;
  }
}

HK_HD int32_t hk_wrap(uint32_t u) { return (int32_t)u; }

/* int32 power with wrap-around; a negative exponent gives 0 except for bases 1 and -1. */
HK_HD int32_t hk_ipow(int32_t base, int32_t e) {
  if (e < 0) return base == 1 ? 1 : base == -1 ? ((e % 2 == 0) ? 1 : -1) : 0;
  uint32_t r = 1u, b = (uint32_t)base;
  while (e > 0) {
    if (e & 1) r *= b;
    b *= b;
    e >>= 1;
  }
  return (int32_t)r;
}

HK_HD int hk_isnan(double x) { return x != x; }

/* maximum/minimum: NaN if either is NaN; +0 beats -0 for maximum, -0 wins for minimum. */
HK_HD double hk_max(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
HK_HD double hk_min(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}

/* The unary operators, by their index in HK_UNARY_OPS. */
enum {
  HK_NEG, HK_ABS, HK_SIGN, HK_EXP, HK_LOG, HK_SQRT, HK_RSQRT, HK_RECIPROCAL, HK_SIN, HK_COS, HK_TANH,
  HK_SIGMOID, HK_RELU, HK_GELU, HK_FLOOR, HK_CEIL, HK_ROUND, HK_IDENTITY, HK_ERF
};

HK_HD double hk_unary(int32_t op, int32_t dtype, double x) {
  if (dtype == HEARTH_INT32) {
    int32_t v = (int32_t)x;
    switch (op) {
      case HK_NEG: return hk_wrap(0u - (uint32_t)v);
      case HK_ABS: return v < 0 ? hk_wrap(0u - (uint32_t)v) : v;
      case HK_SIGN: return (v > 0) - (v < 0);
      case HK_RELU: return v > 0 ? v : 0;
      default: return v; /* floor, ceil, round, identity */
    }
  }
  switch (op) {
    case HK_NEG: return -x;
    case HK_ABS: return fabs(x);
    case HK_SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : x; /* keeps +-0 and NaN */
    case HK_EXP: return exp(x);
    case HK_LOG: return log(x);
    case HK_SQRT: return sqrt(x);
    case HK_RSQRT: return 1.0 / sqrt(x);
    case HK_RECIPROCAL: return 1.0 / x;
    case HK_SIN: return sin(x);
    case HK_COS: return cos(x);
    case HK_TANH: return tanh(x);
    case HK_SIGMOID: {
      if (x >= 0) return 1.0 / (1.0 + exp(-x));
      double e = exp(x);
      return e / (1.0 + e);
    }
    case HK_RELU: return x > 0 ? x : (x != x ? x : 0.0);
    case HK_GELU: return x == -INFINITY ? -0.0 : 0.5 * x * (1.0 + erf(x * 0.70710678118654752440));
    case HK_FLOOR: return floor(x);
    case HK_CEIL: return ceil(x);
    case HK_ROUND: return rint(x); /* the default rounding mode: ties to even */
    case HK_ERF: return erf(x);
    default: return x;
  }
}

/* The binary operators (and where's selection), by their index in HK_BINARY_OPS. */
enum {
  HK_ADD, HK_SUB, HK_MUL, HK_DIV, HK_POW, HK_MAXIMUM, HK_MINIMUM, HK_EQ, HK_NE, HK_LT, HK_LE, HK_GT, HK_GE,
  HK_LOGICAL_AND, HK_LOGICAL_OR
};

HK_HD double hk_binary(int32_t op, int32_t dtype, double a, double b) {
  switch (op) {
    case HK_EQ: return a == b;
    case HK_NE: return a != b;
    case HK_LT: return a < b;
    case HK_LE: return a <= b;
    case HK_GT: return a > b;
    case HK_GE: return a >= b;
    case HK_LOGICAL_AND: return (a != 0) && (b != 0);
    case HK_LOGICAL_OR: return (a != 0) || (b != 0);
    default: break;
  }
  if (dtype == HEARTH_INT32) {
    int32_t x = (int32_t)a, y = (int32_t)b;
    switch (op) {
      case HK_ADD: return hk_wrap((uint32_t)x + (uint32_t)y);
      case HK_SUB: return hk_wrap((uint32_t)x - (uint32_t)y);
      case HK_MUL: return hk_wrap((uint32_t)x * (uint32_t)y);
      case HK_POW: return hk_ipow(x, y);
      case HK_MAXIMUM: return x > y ? x : y;
      case HK_MINIMUM: return x < y ? x : y;
      default: return a / b;
    }
  }
  switch (op) {
    case HK_ADD: return a + b;
    case HK_SUB: return a - b;
    case HK_MUL: return a * b;
    case HK_DIV: return a / b;
    case HK_POW: return pow(a, b);
    case HK_MAXIMUM: return hk_max(a, b);
    case HK_MINIMUM: return hk_min(a, b);
    default: return a;
  }
}

#endif
