import type { Hearth, Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';

// The trigonometric and hyperbolic functions Hearth's opset leaves out, written with its exp, log, sqrt, sin
// and cos. Each runs in its node's scope, which frees the intermediates.

/**
 * atan on [0, 1]: Abramowitz and Stegun 4.4.49, |error| <= 2e-8, below float32's rounding of the result.
 */
const ATAN_COEFFS = [-0.3333314528, 0.1999355085, -0.1420889944, 0.1065626393, -0.07528964, 0.0429096138, -0.0161657367, 0.0028662257];

/** atan(x) for any x: the polynomial on [0, 1], pi/2 - atan(1/|x|) beyond, the sign restored. */
function atan(h: Hearth, x: Tensor): Tensor {
  const a = h.abs(x);
  const big = h.gt(a, 1);
  const t = h.where(big, h.reciprocal(a), a); // in [0, 1]; 1/inf is 0, so atan(+-inf) is +-pi/2
  const t2 = h.mul(t, t);
  let poly: Tensor | number = ATAN_COEFFS[ATAN_COEFFS.length - 1]!;
  for (let i = ATAN_COEFFS.length - 2; i >= 0; i--) poly = h.add(h.mul(t2, poly), ATAN_COEFFS[i]!);
  const core = h.mul(t, h.add(h.mul(t2, poly), 1));
  return h.mul(h.sign(x), h.where(big, h.sub(Math.PI / 2, core), core));
}

/** asin(x) = atan(x / sqrt(1 - x^2)); NaN outside [-1, 1], as sqrt of a negative is. */
const asin = (h: Hearth, x: Tensor) => atan(h, h.div(x, h.sqrt(h.sub(1, h.mul(x, x)))));

const unary = (fn: (h: Hearth, x: Tensor) => Tensor, since: number): OnnxOp => ({ kind: 'decomposed', attrs: [], since, run: (c: OpContext) => fn(c.hearth, c.tensor(0)) });

/** Trigonometric and hyperbolic functions and their inverses. */
export const TRIG_OPS: OpTable = {
  Tan: unary((h, x) => h.div(h.sin(x), h.cos(x)), 7),
  Atan: unary(atan, 7),
  Asin: unary(asin, 7),
  Acos: unary((h, x) => h.sub(Math.PI / 2, asin(h, x)), 7),
  Sinh: unary((h, x) => h.mul(h.sub(h.exp(x), h.exp(h.neg(x))), 0.5), 9),
  Cosh: unary((h, x) => h.mul(h.add(h.exp(x), h.exp(h.neg(x))), 0.5), 9),
  // asinh is odd: computed on |x|, so that negative inputs do not cancel in x + sqrt(x^2 + 1).
  Asinh: unary((h, x) => {
    const a = h.abs(x);
    return h.mul(h.sign(x), h.log(h.add(a, h.sqrt(h.add(h.mul(a, a), 1)))));
  }, 9),
  Acosh: unary((h, x) => h.log(h.add(x, h.sqrt(h.sub(h.mul(x, x), 1)))), 9),
  Atanh: unary((h, x) => h.mul(h.log(h.div(h.add(x, 1), h.sub(1, x))), 0.5), 9),
};
