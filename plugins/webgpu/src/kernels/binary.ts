import type { DType, KernelSpec } from '@hearth/core';
import type { WebGPUBackend } from '../backend.js';
import { elementwiseKernels, runElementwise, type ElementwiseOp } from './elementwise.js';
import { FMOD_WGSL, IPOW_WGSL, POW_WGSL } from '../wgsl/math.js';
import { gpuType } from '../dtypes.js';

const FLOATS: readonly DType[] = ['float32', 'float16'];
const ALL: readonly DType[] = ['float32', 'float16', 'int32', 'bool'];

/** `fn f(a: T, b: T) -> R` for a dtype's compute type. */
function fn2(dtype: DType, ret: string, body: string, helpers = ''): string {
  const t = gpuType(dtype).compute;
  return `${helpers}fn f(a: ${t}, b: ${t}) -> ${ret === 'T' ? t : ret} { ${body} }\n`;
}

/** Arithmetic: floats and int32 share the body where WGSL's operators already do the right thing. */
const arith = (name: string, body: string, intBody = body, floatHelpers = '', intHelpers = ''): KernelSpec<WebGPUBackend>[] => [
  ...elementwiseKernels(name, FLOATS, (d) => fn2(d, 'T', body, floatHelpers), undefined, 2),
  ...elementwiseKernels(name, ['int32'], (d) => fn2(d, 'T', intBody, intHelpers), undefined, 2),
];

/** A NaN test that is false for types without NaN. */
const nanTest = (dtype: DType, v: string) => (gpuType(dtype).compute === 'f32' ? `is_nan(${v})` : 'false');
const truthy = (dtype: DType, v: string) => {
  const t = gpuType(dtype).compute;
  return t === 'f32' ? `(${v} != 0.0 || is_nan(${v}))` : t === 'i32' ? `(${v} != 0)` : `(${v} != 0u)`;
};

/** Comparisons and logic: any dtype in, bool (u32 0/1) out; NaN compares false except in `ne`. */
const cmp = (name: string, expr: (d: DType) => string): KernelSpec<WebGPUBackend>[] =>
  elementwiseKernels(name, ALL, (d) => fn2(d, 'u32', `return u32(${expr(d)});`), () => 'bool', 2);

const ordered = (op: string) => (d: DType) => `!(${nanTest(d, 'a')} || ${nanTest(d, 'b')}) && a ${op} b`;

/** maximum/minimum: NaN wins; for equal values the AND (max) or OR (min) of the bits orders -0 below +0. */
const extremum = (name: string, cmpOp: '>' | '<', bitOp: '&' | '|'): KernelSpec<WebGPUBackend>[] =>
  arith(
    name,
    `if (is_nan(a) || is_nan(b)) { return f_nan(); } if (a ${cmpOp} b) { return a; } if (b ${cmpOp} a) { return b; } return bitcast<f32>(bitcast<u32>(a) ${bitOp} bitcast<u32>(b));`,
    `return ${cmpOp === '>' ? 'max' : 'min'}(a, b);`,
  );

/** mod's bodies: floored (the sign of b) or, with `fmod`, truncated (the sign of a); int32 b = 0 gives 0. */
const MOD_BODIES = {
  float: {
    floored: `let r = fmod_f(a, b);
  let ur = bitcast<u32>(r);
  if (is_nan(r)) { return r; }
  if (is_inf(b)) { return select(b, a, (bitcast<u32>(a) & 0x7fffffffu) == 0u || (bitcast<u32>(a) >> 31u) == (bitcast<u32>(b) >> 31u)); }
  if ((ur & 0x7fffffffu) == 0u) { return bitcast<f32>(bitcast<u32>(b) & 0x80000000u); }
  if ((ur >> 31u) != (bitcast<u32>(b) >> 31u)) { return r + b; }
  return r;`,
    fmod: 'return fmod_f(a, b);',
  },
  int: {
    floored: 'if (b == 0 || b == -1) { return 0; } var r = a % b; if (r != 0 && ((r < 0) != (b < 0))) { r += b; } return r;',
    fmod: 'if (b == 0 || b == -1) { return 0; } return a % b;',
  },
} as const;

/** mod: one pipeline per (dtype, rule), picked by the `fmod` attribute at run time. */
const MOD_KERNELS: KernelSpec<WebGPUBackend>[] = (['float32', 'float16', 'int32'] as const).map((dtype) => {
  const bodies = dtype === 'int32' ? MOD_BODIES.int : MOD_BODIES.float;
  const helpers = dtype === 'int32' ? '' : FMOD_WGSL;
  const make = (rule: 'floored' | 'fmod'): ElementwiseOp => ({ name: 'mod', key: `mod|${dtype}|${rule}`, inputs: [dtype, dtype], output: dtype, wgsl: fn2(dtype, 'T', bodies[rule], helpers) });
  const ops = { floored: make('floored'), fmod: make('fmod') };
  return { op: 'mod', device: 'webgpu', dtypes: dtype, run: (inputs, output, attrs, ctx) => runElementwise(ctx.backend, attrs['fmod'] === true ? ops.fmod : ops.floored, inputs, output) };
});

/** The binary family. */
export const BINARY_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [
  ...arith('add', 'return a + b;'),
  ...arith('sub', 'return a - b;'),
  ...arith('mul', 'return a * b;'),
  ...elementwiseKernels('div', FLOATS, (d) => fn2(d, 'T', 'return a / b;'), undefined, 2),
  ...arith('pow', 'return pow_f(a, b);', 'return pow_i(a, b);', POW_WGSL, IPOW_WGSL),
  ...extremum('maximum', '>', '&'),
  ...extremum('minimum', '<', '|'),
  ...cmp('eq', ordered('==')),
  ...cmp('ne', (d) => `${nanTest(d, 'a')} || ${nanTest(d, 'b')} || a != b`),
  ...cmp('lt', ordered('<')),
  ...cmp('le', ordered('<=')),
  ...cmp('gt', ordered('>')),
  ...cmp('ge', ordered('>=')),
  ...cmp('logical_and', (d) => `${truthy(d, 'a')} && ${truthy(d, 'b')}`),
  ...cmp('logical_or', (d) => `${truthy(d, 'a')} || ${truthy(d, 'b')}`),
  ...MOD_KERNELS,
];
