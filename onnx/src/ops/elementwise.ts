import { getOp, isFloat, type Hearth, type Tensor } from '@hearth/core';
import type { OnnxOp, OpContext, OpTable } from './context.js';

type Unary = (h: Hearth, x: Tensor) => Tensor;

/** An ONNX op that is one Hearth op of the same inputs. */
const primitive = (fn: (h: Hearth, ...xs: Tensor[]) => Tensor, attrs: readonly string[] = []): OnnxOp => ({
  kind: 'primitive',
  attrs,
  run: (c) => fn(c.hearth, ...Array.from({ length: c.inputCount }, (_, i) => c.tensor(i))),
});

/** An ONNX op written as several Hearth ops. */
const decomposed = (attrs: readonly string[], run: (c: OpContext) => Tensor, since?: number): OnnxOp => ({ kind: 'decomposed', attrs, since, run });

/** True when the runtime's opset has `name` (opset v2 adds ops the mapping prefers when present). */
export function hasOp(name: string): boolean {
  try {
    getOp(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * erf from opset v2 when the core has it; else Abramowitz and Stegun 7.1.26, |error| <= 1.5e-7, within
 * float32 rounding of erf for every input.
 */
export function erf(h: Hearth, x: Tensor): Tensor {
  if (hasOp('erf')) return h.op('erf', [x]);
  return h.scope(() => {
    const a = h.abs(x);
    const t = h.reciprocal(h.add(h.mul(a, 0.3275911), 1));
    let poly = h.mul(t, 1.061405429);
    for (const c of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) poly = h.mul(h.add(poly, c), t);
    const y = h.sub(1, h.mul(poly, h.exp(h.neg(h.mul(a, a)))));
    return h.mul(h.sign(x), y);
  });
}

/** Numerically stable log(1 + e^x): relu(x) + log(1 + e^-|x|). */
const softplus: Unary = (h, x) => h.scope(() => h.add(h.relu(x), h.log(h.add(h.exp(h.neg(h.abs(x))), 1))));

/** ONNX integer Div truncates toward zero; Hearth's div is true division. */
function div(h: Hearth, a: Tensor, b: Tensor): Tensor {
  if (isFloat(a.dtype) || isFloat(b.dtype)) return h.div(a, b);
  return h.scope(() => {
    const q = h.div(a, b);
    return h.cast(h.where(h.lt(q, 0), h.ceil(q), h.floor(q)), a.dtype);
  });
}

/** Folds a variadic op (Sum, Max, Min) over its inputs. */
const variadic = (fn: (h: Hearth, a: Tensor, b: Tensor) => Tensor): OnnxOp => ({
  kind: 'decomposed',
  attrs: [],
  run: (c) => c.hearth.scope(() => {
    let acc = c.tensor(0);
    for (let i = 1; i < c.inputCount; i++) acc = fn(c.hearth, acc, c.tensor(i));
    return c.inputCount === 1 ? c.hearth.reshape(acc, acc.shape) : acc;
  }),
});

const gelu = (c: OpContext): Tensor => {
  const h = c.hearth;
  const x = c.tensor(0);
  if (c.attr('approximate', 'none') !== 'tanh') return h.gelu(x);
  if (hasOp('gelu_tanh')) return h.op('gelu_tanh', [x]);
  return h.scope(() => h.mul(h.mul(x, 0.5), h.add(h.tanh(h.mul(h.add(x, h.mul(h.mul(h.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI))), 1)));
};

/** Clip before opset 11 takes min/max attributes; from 11 optional inputs. */
function clip(c: OpContext): Tensor {
  const h = c.hearth;
  const lo = c.opset < 11 ? c.attr('min', -Infinity) : c.has(1) ? c.tensor(1) : undefined;
  const hi = c.opset < 11 ? c.attr('max', Infinity) : c.has(2) ? c.tensor(2) : undefined;
  return h.scope(() => {
    let y = c.tensor(0);
    if (lo !== undefined && lo !== -Infinity) y = h.maximum(y, lo);
    if (hi !== undefined && hi !== Infinity) y = h.minimum(y, hi);
    return y === c.tensor(0) ? h.reshape(y, y.shape) : y;
  });
}

/** The elementwise ops and activations. */
export const ELEMENTWISE_OPS: OpTable = {
  Neg: primitive((h, x) => h.neg(x!)),
  Abs: primitive((h, x) => h.abs(x!)),
  Sign: primitive((h, x) => h.sign(x!)),
  Exp: primitive((h, x) => h.exp(x!)),
  Log: primitive((h, x) => h.log(x!)),
  Sqrt: primitive((h, x) => h.sqrt(x!)),
  Reciprocal: primitive((h, x) => h.reciprocal(x!)),
  Sin: primitive((h, x) => h.sin(x!)),
  Cos: primitive((h, x) => h.cos(x!)),
  Tanh: primitive((h, x) => h.tanh(x!)),
  Sigmoid: primitive((h, x) => h.sigmoid(x!)),
  Relu: primitive((h, x) => h.relu(x!)),
  Floor: primitive((h, x) => h.floor(x!)),
  Ceil: primitive((h, x) => h.ceil(x!)),
  Round: primitive((h, x) => h.round(x!)),
  Erf: { kind: hasOp('erf') ? 'primitive' : 'decomposed', attrs: [], run: (c) => erf(c.hearth, c.tensor(0)) },
  Gelu: { kind: 'primitive', attrs: ['approximate'], since: 20, run: gelu },
  Add: primitive((h, a, b) => h.add(a!, b!)),
  Sub: primitive((h, a, b) => h.sub(a!, b!)),
  Mul: primitive((h, a, b) => h.mul(a!, b!)),
  Div: primitive((h, a, b) => div(h, a!, b!)),
  // ONNX's Pow keeps the base's type (an int32 base to a float exponent is int32, truncated); Hearth's promotes.
  Pow: primitive((h, a, b) => {
    const y = h.pow(a!, b!);
    return y.dtype === a!.dtype ? y : h.cast(y, a!.dtype); // the node's scope frees y
  }),
  Equal: primitive((h, a, b) => h.eq(a!, b!)),
  Less: primitive((h, a, b) => h.lt(a!, b!)),
  LessOrEqual: primitive((h, a, b) => h.le(a!, b!)),
  Greater: primitive((h, a, b) => h.gt(a!, b!)),
  GreaterOrEqual: primitive((h, a, b) => h.ge(a!, b!)),
  And: primitive((h, a, b) => h.logical_and(a!, b!)),
  Or: primitive((h, a, b) => h.logical_or(a!, b!)),
  Xor: primitive((h, a, b) => h.ne(a!, b!)),
  Not: primitive((h, x) => h.eq(x!, false)),
  Where: primitive((h, c, a, b) => h.where(c!, a!, b!)),
  Max: variadic((h, a, b) => h.maximum(a, b)),
  Min: variadic((h, a, b) => h.minimum(a, b)),
  Sum: variadic((h, a, b) => h.add(a, b)),
  Mean: { kind: 'decomposed', attrs: [], run: (c) => c.hearth.scope(() => c.hearth.div(variadic((h, a, b) => h.add(a, b)).run(c) as Tensor, c.inputCount)) },
  PRelu: decomposed([], (c) => c.hearth.scope(() => c.hearth.where(c.hearth.lt(c.tensor(0), 0), c.hearth.mul(c.tensor(0), c.tensor(1)), c.tensor(0)))),
  LeakyRelu: decomposed(['alpha'], (c) => c.hearth.scope(() => c.hearth.where(c.hearth.ge(c.tensor(0), 0), c.tensor(0), c.hearth.mul(c.tensor(0), c.attr('alpha', 0.01))))),
  Elu: decomposed(['alpha'], (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    return h.scope(() => h.where(h.gt(x, 0), x, h.mul(h.sub(h.exp(x), 1), c.attr('alpha', 1))));
  }),
  Selu: decomposed(['alpha', 'gamma'], (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    const alpha = c.attr('alpha', 1.67326319217681884765625);
    return h.scope(() => h.mul(h.where(h.gt(x, 0), x, h.mul(h.sub(h.exp(x), 1), alpha)), c.attr('gamma', 1.05070102214813232421875)));
  }),
  HardSigmoid: decomposed(['alpha', 'beta'], (c) => {
    const h = c.hearth;
    return h.scope(() => h.minimum(h.maximum(h.add(h.mul(c.tensor(0), c.attr('alpha', 0.2)), c.attr('beta', 0.5)), 0), 1));
  }),
  HardSwish: decomposed([], (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    return h.scope(() => h.mul(x, h.minimum(h.maximum(h.add(h.mul(x, 1 / 6), 0.5), 0), 1)));
  }, 14),
  Softplus: decomposed([], (c) => softplus(c.hearth, c.tensor(0))),
  // Compositions of Hearth ops; the node's scope frees their intermediates.
  IsNaN: decomposed([], (c) => c.hearth.ne(c.tensor(0), c.tensor(0)), 9),
  IsInf: decomposed(['detect_positive', 'detect_negative'], (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    const [pos, neg] = [c.attr('detect_positive', 1) !== 0, c.attr('detect_negative', 1) !== 0];
    if (pos && neg) return h.eq(h.abs(x), Infinity);
    return pos ? h.eq(x, Infinity) : neg ? h.eq(x, -Infinity) : h.full(x.shape, 0, { dtype: 'bool', device: x.device });
  }, 10),
  Celu: decomposed(['alpha'], (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    const alpha = c.attr('alpha', 1);
    return h.add(h.relu(x), h.minimum(h.mul(h.sub(h.exp(h.div(x, alpha)), 1), alpha), 0));
  }, 12),
  Shrink: decomposed(['lambd', 'bias'], (c) => {
    const h = c.hearth;
    const x = c.tensor(0);
    const [lambd, bias] = [c.attr('lambd', 0.5), c.attr('bias', 0)];
    return h.where(h.lt(x, -lambd), h.add(x, bias), h.where(h.gt(x, lambd), h.sub(x, bias), 0));
  }, 9),

  Softsign: decomposed([], (c) => c.hearth.scope(() => c.hearth.div(c.tensor(0), c.hearth.add(c.hearth.abs(c.tensor(0)), 1)))),
  Mish: decomposed([], (c) => c.hearth.scope(() => c.hearth.mul(c.tensor(0), c.hearth.tanh(softplus(c.hearth, c.tensor(0))))), 18),
  ThresholdedRelu: decomposed(['alpha'], (c) => c.hearth.scope(() => c.hearth.where(c.hearth.gt(c.tensor(0), c.attr('alpha', 1)), c.tensor(0), 0))),
  Clip: decomposed(['min', 'max'], clip),
};
