import type { DType, KernelSpec } from '@hearth/core';
import type { WebGPUBackend } from '../backend.js';
import { elementwiseKernels } from './elementwise.js';
import { ERF_WGSL, ERFC_WGSL, EXP_WGSL, TANH_WGSL, TRIG_WGSL } from '../wgsl/math.js';

const FLOATS: readonly DType[] = ['float32', 'float16'];

/** `fn f(a: f32) -> f32` from a body, with helpers. */
const fl = (body: string, helpers = '') => `${helpers}fn f(a: f32) -> f32 { ${body} }\n`;

/** The float bodies, by op; special values follow each op's doc in the opset. */
const FLOAT_BODIES: Readonly<Record<string, string>> = {
  neg: fl('return -a;'),
  abs: fl('return bitcast<f32>(bitcast<u32>(a) & 0x7fffffffu);'),
  sign: fl('if (is_nan(a)) { return a; } if (a > 0.0) { return 1.0; } if (a < 0.0) { return -1.0; } return a;'),
  exp: fl('return exp_f(a);', EXP_WGSL),
  log: fl('let u = bitcast<u32>(a); if ((u & 0x7fffffffu) == 0u) { return -f_inf(); } if (is_nan(a) || u >= 0x80000000u) { return f_nan(); } if (is_inf(a)) { return a; } if (u < 0x00800000u) { return log(f32(u)) - 103.27892990343184; } return log(a);'),
  sqrt: fl('if (a == 0.0 || is_nan(a)) { return a; } if (a < 0.0) { return f_nan(); } if (is_inf(a)) { return a; } return sqrt(a);'),
  rsqrt: fl(
    'if (a == 0.0) { return select(f_inf(), -f_inf(), (bitcast<u32>(a) & 0x80000000u) != 0u); } if (is_nan(a) || a < 0.0) { return f_nan(); } if (is_inf(a)) { return 0.0; } return 1.0 / sqrt(a);',
  ),
  reciprocal: fl('if (a == 0.0) { return select(f_inf(), -f_inf(), (bitcast<u32>(a) & 0x80000000u) != 0u); } return 1.0 / a;'),
  sin: fl('return sin_f(a);', TRIG_WGSL),
  cos: fl('return cos_f(a);', TRIG_WGSL),
  tanh: fl('return tanh_f(a);', EXP_WGSL + TANH_WGSL),
  sigmoid: fl('if (is_nan(a)) { return a; } if (a >= 0.0) { return 1.0 / (1.0 + exp_f(-a)); } let e = exp_f(a); return e / (1.0 + e);', EXP_WGSL),
  relu: fl('if (is_nan(a)) { return a; } return select(0.0, a, a > 0.0);'),
  gelu: fl('if (is_nan(a)) { return a; } if (is_inf(a)) { return select(f_neg_zero(), a, a > 0.0); } return 0.5 * a * erfc_f(-a * 0.7071067811865476);', EXP_WGSL + ERFC_WGSL),
  floor: fl('return floor(a);'),
  ceil: fl('return ceil(a);'),
  round: fl('return round(a);'),
  erf: fl('return erf_f(a);', EXP_WGSL + ERFC_WGSL + ERF_WGSL),
};

/** The int32 bodies (ops whose schema is numeric); int32 arithmetic wraps in WGSL. */
const INT_BODIES: Readonly<Record<string, string>> = {
  neg: 'return -a;',
  abs: 'return abs(a);',
  sign: 'return select(select(0, -1, a < 0), 1, a > 0);',
  relu: 'return max(a, 0);',
  floor: 'return a;',
  ceil: 'return a;',
  round: 'return a;',
};

/** The unary family. */
export const UNARY_KERNELS: readonly KernelSpec<WebGPUBackend>[] = Object.keys(FLOAT_BODIES).flatMap((name) => [
  ...elementwiseKernels(name, FLOATS, () => FLOAT_BODIES[name]!),
  ...(INT_BODIES[name] ? elementwiseKernels(name, ['int32'], () => `fn f(a: i32) -> i32 { ${INT_BODIES[name]} }\n`) : []),
]);
