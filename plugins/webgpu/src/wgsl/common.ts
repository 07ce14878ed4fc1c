import { HearthError } from '@hearth/core';

/** WGSL shared by every template: the parameter block, special floats, f16 rounding and the 1-D grid. */

/** u32 words of the parameter block each dispatch gets (one 256-byte uniform slot). */
export const PARAM_WORDS = 64;

/**
 * The most loop iterations one shader invocation may run, all its loops together. llvmpipe (Mesa's
 * software rasterizer, which Dawn uses without a GPU) ends an invocation's loops after 65,535 iterations in
 * total, silently; kernels split longer work across workgroups or passes and keep within half of that.
 */
export const LOOP_BUDGET = 32_768;

/** Throws `E_SHAPE` when a kernel would need `iterations` loop iterations in one invocation (past {@link LOOP_BUDGET}). */
export function assertLoopBudget(op: string, iterations: number, what: string): void {
  if (iterations <= LOOP_BUDGET) return;
  throw new HearthError(
    'E_SHAPE',
    `${op}: ${what} needs ${iterations} loop iterations in one GPU invocation, over the ${LOOP_BUDGET} that every supported adapter runs correctly (llvmpipe stops at 65,535 silently); split the work into smaller calls.`,
    { iterations, limit: LOOP_BUDGET },
  );
}

/** Threads per workgroup of the 1-D templates. */
export const WG = 64;

/** Declares the parameter block at `binding`; `p(i)` reads word i, `pi(i)` reads it as i32, `pf(i)` as f32. */
export function paramsWgsl(binding: number): string {
  return `struct Params { v: array<vec4<u32>, ${PARAM_WORDS / 4}> }
@group(0) @binding(${binding}) var<uniform> P: Params;
fn p(i: u32) -> u32 { return P.v[i / 4u][i % 4u]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(p(i)); }
fn pf(i: u32) -> f32 { return bitcast<f32>(p(i)); }
`;
}

/**
 * Special floats built at run time: WGSL rejects NaN and Inf in constant expressions, and GPU compilers
 * may assume no NaN in comparisons and min/max, so NaN tests look at the bits.
 */
export const FLOAT_WGSL = `var<private> K_NAN: u32 = 0x7fc00000u;
var<private> K_INF: u32 = 0x7f800000u;
var<private> K_NEG_ZERO: u32 = 0x80000000u;
fn f_neg_zero() -> f32 { return bitcast<f32>(K_NEG_ZERO); }
fn f_nan() -> f32 { return bitcast<f32>(K_NAN); }
fn f_inf() -> f32 { return bitcast<f32>(K_INF); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
`;

/** f32 → f16 that overflows to ±Inf and keeps NaN (a plain conversion of an out-of-range value is undefined). */
export const F16_WGSL = `fn to_f16(x: f32) -> f16 {
  if (is_nan(x)) { return f16(0.0) / f16(bitcast<f32>(K_NAN & 0u)); }
  if (abs(x) >= 65520.0) { return select(f16(-65504.0), f16(65504.0), x > 0.0) * f16(2.0); }
  return f16(x);
}
`;

/** The shader preamble: `enable f16;` when any binding stores float16, then the shared helpers. */
export function preamble(usesF16: boolean): string {
  return (usesF16 ? 'enable f16;\n' : '') + FLOAT_WGSL + (usesF16 ? F16_WGSL : '');
}

/** The entry point of a 1-D grid: `i` is the global thread index, threads past `n` return. */
export function gridMain(n: string, body: string, wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (wid.y * nwg.x + wid.x) * ${wg}u + lid;
  if (i >= ${n}) { return; }
${body}
}
`;
}

/** Workgroup counts covering `groups` workgroups within the 65535-per-dimension limit. */
export function grid(groups: number, maxPerDim: number): [number, number, number] {
  if (groups <= maxPerDim) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}

/** A loop over axes from the innermost out (`ax` is the axis); nothing at rank 0. */
export function axesLoop(rank: number, body: string): string {
  return rank === 0 ? '' : `for (var d = 0u; d < ${rank}u; d++) {\n    let ax = ${rank - 1}u - d;\n${body}\n  }`;
}
