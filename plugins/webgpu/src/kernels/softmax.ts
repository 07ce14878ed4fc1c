import { normalizeAxis, sizeOf, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { loadExpr, storeExpr, gpuType } from '../dtypes.js';
import { grid, paramsWgsl, preamble } from '../wgsl/common.js';
import { EXP_WGSL } from '../wgsl/math.js';

/**
 * softmax and log_softmax: one workgroup per slice along the axis; a tree max (NaN-propagating), then a
 * tree sum of exp(x - max), then the write. Subtracting the max first keeps large inputs finite.
 */
function softmaxSource(op: 'softmax' | 'log_softmax', dtype: DType, wg: number): string {
  const write = op === 'softmax' ? 'exp_f(v - m) / total' : '(v - m) - log(total)';
  return `${preamble(dtype === 'float16')}${EXP_WGSL}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> out: array<${gpuType(dtype).storage}>;
${paramsWgsl(2)}
var<workgroup> sh: array<f32, ${wg}>;
fn fmax(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return f_nan(); } return max(a, b); }
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = wid.y * nwg.x + wid.x;
  if (s >= p(0u)) { return; }
  let dim = p(1u);
  let inner = p(2u);
  let base = (s / inner) * dim * inner + s % inner;
  var m = -f_inf();
  for (var j = lid; j < dim; j += ${wg}u) { m = fmax(m, ${loadExpr(dtype, 'x[base + j * inner]')}); }
  sh[lid] = m;
  workgroupBarrier();
  for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { sh[lid] = fmax(sh[lid], sh[lid + k]); }
    workgroupBarrier();
  }
  m = sh[0];
  workgroupBarrier();
  var acc = 0.0;
  for (var j = lid; j < dim; j += ${wg}u) { acc += exp_f(${loadExpr(dtype, 'x[base + j * inner]')} - m); }
  sh[lid] = acc;
  workgroupBarrier();
  for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { sh[lid] = sh[lid] + sh[lid + k]; }
    workgroupBarrier();
  }
  let total = sh[0];
  for (var j = lid; j < dim; j += ${wg}u) {
    let v = ${loadExpr(dtype, 'x[base + j * inner]')};
    out[base + j * inner] = ${storeExpr(dtype, write)};
  }
}
`;
}

const kernel = (op: 'softmax' | 'log_softmax'): KernelSpec<WebGPUBackend> => ({
  op,
  device: 'webgpu',
  dtypes: ['float32', 'float16'],
  run: ([x], out, attrs, ctx) => {
    if (out.size === 0) return;
    const axis = normalizeAxis(attrs['axis'] as number, x!.shape.length, op);
    const dim = x!.shape[axis]!;
    const inner = sizeOf(x!.shape.slice(axis + 1));
    const slices = x!.size / dim;
    const wg = dim >= 1024 ? 256 : 64;
    const pipeline = ctx.backend.pipelines.get(`${op}|${out.dtype}|wg${wg}`, () => softmaxSource(op, out.dtype, wg));
    ctx.backend.dispatch(pipeline, [x!.storage as WebGPUStorage, out.storage as WebGPUStorage], [slices, dim, inner], grid(slices, ctx.backend.limits.maxComputeWorkgroupsPerDimension));
  },
});

/** The softmax family. */
export const SOFTMAX_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [kernel('softmax'), kernel('log_softmax')];
