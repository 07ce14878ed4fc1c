/*
 * od_activations.h: fused kernels for opset v2's activation composites that oneDNN has as one eltwise
 * algorithm. Each has its formula here in float64 (rounded once, within the composite's bound), which
 * computes small tensors and mends the elements where oneDNN's result is zero, infinite or NaN (its exp
 * flushes below -87.3 and turns NaN into +Inf, where the decomposition keeps tiny values and NaN).
 */
#ifndef OD_ACTIVATIONS_H
#define OD_ACTIVATIONS_H

#include <math.h>
#include "od_ops.h"

/* The activations, in the order of od_composites.h's list from OD_SILU on. */
enum { OD_ACT_SILU, OD_ACT_GELU_TANH, OD_ACT_ELU, OD_ACT_LEAKY_RELU, OD_ACT_HARD_SWISH, OD_ACT_SOFTPLUS, OD_ACT_COUNT };

/* The decomposition's formula in float64 (NaN propagating as through its primitives). */
static double od_activation(int32_t which, double x, double alpha) {
  switch (which) {
    case OD_ACT_SILU: return x * (1 / (1 + exp(-x)));
    case OD_ACT_GELU_TANH: return 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    case OD_ACT_ELU: return x > 0 ? x : alpha * (exp(x) - 1);
    case OD_ACT_LEAKY_RELU: return x >= 0 ? x : alpha * x;
    case OD_ACT_HARD_SWISH: {
      double t = x / 6 + 0.5;
      return x != x ? x : x * (t < 0 ? 0 : t > 1 ? 1 : t);
    }
    default: return (x > 0 || x != x ? x : 0) + log(1 + exp(-fabs(x))); /* softplus */
  }
}

/* oneDNN's algorithm and parameters for activation `which`. */
static dnnl_alg_kind_t od_activation_alg(int32_t which, double alpha, float *a, float *b) {
  *a = 0, *b = 0;
  switch (which) {
    case OD_ACT_SILU: *a = 1; return dnnl_eltwise_swish;
    case OD_ACT_GELU_TANH: return dnnl_eltwise_gelu_tanh;
    case OD_ACT_ELU: *a = (float)alpha; return dnnl_eltwise_elu;
    case OD_ACT_LEAKY_RELU: *a = (float)alpha; return dnnl_eltwise_relu;
    case OD_ACT_HARD_SWISH: return dnnl_eltwise_hardswish;
    default: return dnnl_eltwise_soft_relu;
  }
}

/* Recomputes every element (all = 1), or those where oneDNN's result is zero or not finite. */
static void od_activation_c(int32_t which, double alpha, const float *x, float *y, int64_t n, int all) {
  for (int64_t i = 0; i < n; i++)
    if (all || !(fabsf(y[i]) <= FLT_MAX) || y[i] == 0) y[i] = (float)od_activation(which, x[i], alpha);
}

#endif
