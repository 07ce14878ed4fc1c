import { broadcastShapes, sameShape, type Shape } from '../shape.js';
import { promoted, fixed, type OpSchema, type DTypeClass, type ComputeRule, type OutputRule } from './schema.js';

function unary(name: string, doc: string, computeDtypes: DTypeClass, compute: ComputeRule = 'promote', output: OutputRule = 'compute'): OpSchema {
  return { name, family: 'unary', doc, inputs: [promoted('x')], attrs: {}, compute, output, computeDtypes, meta: (ins) => ins[0]!.shape };
}

/** Elementwise operators of one input. Float-only ones compute int32 and bool inputs as float32. */
export const UNARY_OPS: readonly OpSchema[] = [
  unary('neg', '-x. int32 wraps: neg(-2^31) = -2^31.', 'numeric'),
  unary('abs', '|x|; abs(-0) = +0. int32 wraps: abs(-2^31) = -2^31.', 'numeric'),
  unary('sign', '-1, 0 or 1 by the sign of x; sign(±0) = ±0, sign(NaN) = NaN.', 'numeric'),
  unary('exp', 'e^x.', 'float', 'float'),
  unary('log', 'Natural logarithm; log(0) = -Inf, log(x<0) = NaN.', 'float', 'float'),
  unary('sqrt', 'Square root; sqrt(-0) = -0, sqrt(x<0) = NaN.', 'float', 'float'),
  unary('rsqrt', '1 / sqrt(x); rsqrt(+0) = +Inf, rsqrt(-0) = -Inf.', 'float', 'float'),
  unary('reciprocal', '1 / x; reciprocal(±0) = ±Inf.', 'float', 'float'),
  unary('sin', 'Sine (radians).', 'float', 'float'),
  unary('cos', 'Cosine (radians).', 'float', 'float'),
  unary('tanh', 'Hyperbolic tangent.', 'float', 'float'),
  unary('sigmoid', '1 / (1 + e^-x), without overflow for large |x|.', 'float', 'float'),
  unary('relu', 'max(x, 0); relu(NaN) = NaN, relu(-0) = 0.', 'numeric'),
  unary('gelu', 'x * Φ(x) with Φ the standard normal CDF (the exact erf form, not the tanh approximation); gelu(-Inf) = -0, its limit.', 'float', 'float'),
  unary('floor', 'Largest integer <= x; identity on int32.', 'numeric'),
  unary('ceil', 'Smallest integer >= x; identity on int32.', 'numeric'),
  unary('round', 'Nearest integer, ties to even (round(0.5) = 0, round(1.5) = 2, round(-0.5) = -0); identity on int32.', 'numeric'),
];

// Equal shapes give the first input's own (frozen) shape: the output shares it, with nothing to copy or freeze.
const broadcast2 = (ins: readonly { shape: Shape }[]): Shape => {
  const a = ins[0]!.shape;
  const b = ins[1]!.shape;
  return a === b || sameShape(a, b) ? a : broadcastShapes(a, b);
};

function binary(name: string, doc: string, computeDtypes: DTypeClass, compute: ComputeRule = 'promote', output: OutputRule = 'compute'): OpSchema {
  return { name, family: 'binary', doc, inputs: [promoted('a'), promoted('b')], attrs: {}, compute, output, computeDtypes, meta: broadcast2 };
}

/** Elementwise operators of two broadcast inputs, promoted to a common dtype. */
export const BINARY_OPS: readonly OpSchema[] = [
  binary('add', 'a + b. int32 wraps around (two\'s complement).', 'numeric'),
  binary('sub', 'a - b. int32 wraps around.', 'numeric'),
  binary('mul', 'a * b. int32 wraps around (the low 32 bits of the product).', 'numeric'),
  binary('div', 'True division a / b, always in a float dtype (int32 inputs compute in float32).', 'float', 'float'),
  binary('pow', 'a ^ b. For int32: exact with wrap-around; a negative exponent gives 0 except for a = 1 (1) and a = -1 (±1). For floats, pow(±1, NaN) and pow(±1, ±Inf) are unspecified (C gives 1, JavaScript NaN).', 'numeric'),
  binary('maximum', 'The larger of a and b; NaN if either is NaN; maximum(-0, +0) = +0.', 'numeric'),
  binary('minimum', 'The smaller of a and b; NaN if either is NaN; minimum(-0, +0) = -0.', 'numeric'),
  binary('eq', 'a == b (NaN is unequal to everything).', 'any', 'promote', 'bool'),
  binary('ne', 'a != b (true when either is NaN).', 'any', 'promote', 'bool'),
  binary('lt', 'a < b (false when either is NaN).', 'any', 'promote', 'bool'),
  binary('le', 'a <= b (false when either is NaN).', 'any', 'promote', 'bool'),
  binary('gt', 'a > b (false when either is NaN).', 'any', 'promote', 'bool'),
  binary('ge', 'a >= b (false when either is NaN).', 'any', 'promote', 'bool'),
  binary('logical_and', 'a && b, where nonzero (and NaN) is true.', 'any', 'promote', 'bool'),
  binary('logical_or', 'a || b, where nonzero (and NaN) is true.', 'any', 'promote', 'bool'),
];

/** `where(cond, a, b)`: a where cond is true, else b; all three broadcast. */
export const WHERE_OP: OpSchema = {
  name: 'where',
  family: 'select',
  doc: 'Picks a where cond is true, else b; cond, a and b broadcast together.',
  inputs: [fixed('cond', 'bool'), promoted('a'), promoted('b')],
  attrs: {},
  compute: 'promote',
  output: 'compute',
  computeDtypes: 'any',
  meta: (ins) => broadcastShapes(broadcastShapes(ins[0]!.shape, ins[1]!.shape), ins[2]!.shape),
};
