/*
 * od_checks.h: where oneDNN's results and Hearth's opset part ways, found by the conformance suite, and
 * what the plugin does about each: inputs that send a launch to the reference kernel, results that are
 * mended element by element or make the reference kernel run the whole launch.
 */
#ifndef OD_CHECKS_H
#define OD_CHECKS_H

#include <float.h>
#include <math.h>
#include "hk_plan.h"

/* Whether a float32 tensor holds no NaN (finite: no NaN and no infinity either). */
static int od_no_nan(const hearth_tensor *t, int finite) {
  const float *x = (const float *)t->data;
  int bad = 0;
  if (finite) for (int64_t i = 0; i < t->size; i++) bad |= !(fabsf(x[i]) <= FLT_MAX);
  else for (int64_t i = 0; i < t->size; i++) bad |= x[i] != x[i];
  return !bad;
}

/* Launch-time conditions a cached plan can't see, checked on the inputs before oneDNN runs:
 * - conv2d, conv_transpose2d: Hearth skips the taps that fall in the padding, where oneDNN may multiply them by the zeros it
 *   pads with, so a NaN or infinite weight goes to the reference kernel (the weights are small);
 * - max_pool2d, max, min: oneDNN's max skips NaN where Hearth's propagates it. */
static int od_inputs_allow(const hk_op *op, const hearth_tensor *in) {
  switch (op->family) {
    case HK_FAMILY_CONV2D: case HK_FAMILY_CONV_TRANSPOSE2D: return od_no_nan(&in[1], 1);
    case HK_FAMILY_POOL: return op->code == 1 || od_no_nan(&in[0], 0);
    case HK_FAMILY_REDUCE: return (op->code != HK_RMAX && op->code != HK_RMIN) || od_no_nan(&in[0], 0);
    default: return 1;
  }
}

/* Recomputes with the reference the elements where oneDNN's unary result sits at the edge of the function's
 * range: there oneDNN flushes to zero early (exp, sigmoid below -87.3, where Hearth keeps the tiny
 * results), turns NaN into a number (relu gives 0, exp +Inf) or saturates; inside the range its results
 * are within the opset's bound (the conformance suite checks both sides). */
#define OD_FIX(edge)                                                                    \
  for (int64_t i = 0; i < n; i++) {                                                    \
    float v = y[i];                                                                     \
    if (edge) y[i] = (float)hk_unary(code, HEARTH_FLOAT32, (double)x[i]);               \
  }
static void od_fix_unary(int32_t code, const float *x, float *y, int64_t n) {
  switch (code) {
    case HK_EXP: OD_FIX(!(v > 0 && v <= FLT_MAX)) break;
    case HK_RELU: /* the reference's value inline (half the elements of a typical input land here): NaN stays, else +0 */
      for (int64_t i = 0; i < n; i++) if (!(y[i] > 0)) y[i] = x[i] != x[i] ? x[i] : 0.0f;
      break;
    case HK_SIGMOID: OD_FIX(!(v > 0 && v < 1)) break;
    case HK_TANH: OD_FIX(!(fabsf(v) < 1)) break;
    default: OD_FIX(v != v) break;
  }
}

/* Checks (or mends) oneDNN's result; 0 sends the whole launch to the reference kernel:
 * - softmax: a result outside (0, 1] means a NaN or infinity in its slice, or a spread beyond exp's range
 *   (oneDNN flushes e^-88 to 0 where Hearth keeps it);
 * - sum, mean: a non-finite result may be an overflow inside the float32 sum (mean of values near
 *   FLT_MAX), or NaN and infinity whose rules the reference keeps. */
static int od_result_ok(const hk_op *op, const hearth_tensor *in, const hearth_tensor *out) {
  const float *y = (const float *)out->data;
  int bad = 0;
  switch (op->family) {
    case HK_FAMILY_UNARY: od_fix_unary(op->code, (const float *)in[0].data, (float *)out->data, out->size); return 1;
    case HK_FAMILY_SOFTMAX: for (int64_t i = 0; i < out->size; i++) bad |= !(y[i] > 0 && y[i] <= 1); return !bad;
    case HK_FAMILY_REDUCE: return op->code == HK_RMAX || op->code == HK_RMIN || od_no_nan(out, 1);
    default: return 1;
  }
}

#endif
