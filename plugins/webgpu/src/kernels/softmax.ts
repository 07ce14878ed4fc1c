import { normalizeAxis, sizeOf, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { loadExpr, storeExpr, gpuType } from '../dtypes.js';
import { grid, LOOP_BUDGET, paramsWgsl, preamble } from '../wgsl/common.js';
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

/** Threads of the long-row workgroups. */
const LONG_WG = 256;

/**
 * The longest row the one-pass kernel takes: it walks the row three times, each thread a third of the loop
 * budget. Longer rows are cut into chunks of this length, one workgroup each.
 */
export const ROW_CHUNK = LONG_WG * Math.floor(LOOP_BUDGET / 4);

/**
 * Long rows, pass 1: per (slice, chunk) the chunk's max m and s = Σ exp(x − m), into `stats` as pairs.
 * Params: slices · chunks, dim, inner, chunk length, chunks.
 */
function statsSource(dtype: DType): string {
  return `${preamble(dtype === 'float16')}${EXP_WGSL}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
${paramsWgsl(2)}
var<workgroup> sh: array<f32, ${LONG_WG}>;
fn fmax(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return f_nan(); } return max(a, b); }
@compute @workgroup_size(${LONG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p(0u)) { return; }
  let s = g / p(4u);
  let inner = p(2u);
  let base = (s / inner) * p(1u) * inner + s % inner;
  let j0 = (g % p(4u)) * p(3u);
  let j1 = min(p(1u), j0 + p(3u));
  var m = -f_inf();
  for (var j = j0 + lid; j < j1; j += ${LONG_WG}u) { m = fmax(m, ${loadExpr(dtype, 'x[base + j * inner]')}); }
  sh[lid] = m;
  workgroupBarrier();
  for (var k = ${LONG_WG / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { sh[lid] = fmax(sh[lid], sh[lid + k]); }
    workgroupBarrier();
  }
  m = sh[0];
  workgroupBarrier();
  var acc = 0.0;
  for (var j = j0 + lid; j < j1; j += ${LONG_WG}u) { acc += exp_f(${loadExpr(dtype, 'x[base + j * inner]')} - m); }
  sh[lid] = acc;
  workgroupBarrier();
  for (var k = ${LONG_WG / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { sh[lid] = sh[lid] + sh[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { stats[2u * g] = m; stats[2u * g + 1u] = sh[0]; }
}
`;
}

/**
 * Long rows, pass 2: each (slice, chunk) workgroup combines its slice's chunk stats into the row's max M
 * and Σ exp(x − M) (a chunk of only −Inf adds nothing), then writes its chunk.
 */
function writeSource(op: 'softmax' | 'log_softmax', dtype: DType): string {
  const write = op === 'softmax' ? 'exp_f(v - m) / total' : '(v - m) - log(total)';
  return `${preamble(dtype === 'float16')}${EXP_WGSL}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<${gpuType(dtype).storage}>;
${paramsWgsl(3)}
fn fmax(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return f_nan(); } return max(a, b); }
@compute @workgroup_size(${LONG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p(0u)) { return; }
  let chunks = p(4u);
  let s = g / chunks;
  var m = -f_inf();
  for (var c = 0u; c < chunks; c++) { m = fmax(m, stats[2u * (s * chunks + c)]); }
  var total = 0.0;
  for (var c = 0u; c < chunks; c++) {
    let mc = stats[2u * (s * chunks + c)];
    if (!(is_inf(mc) && mc < 0.0)) { total += stats[2u * (s * chunks + c) + 1u] * exp_f(mc - m); }
  }
  let inner = p(2u);
  let base = (s / inner) * p(1u) * inner + s % inner;
  let j0 = (g % chunks) * p(3u);
  let j1 = min(p(1u), j0 + p(3u));
  for (var j = j0 + lid; j < j1; j += ${LONG_WG}u) {
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
    const maxPerDim = ctx.backend.limits.maxComputeWorkgroupsPerDimension;
    if (dim > ROW_CHUNK) {
      const chunks = Math.ceil(dim / ROW_CHUNK);
      const words = [slices * chunks, dim, inner, ROW_CHUNK, chunks];
      const stats = ctx.allocate('float32', 2 * slices * chunks) as WebGPUStorage;
      const xs = x!.storage as WebGPUStorage;
      ctx.backend.dispatch(ctx.backend.pipelines.get(`softmax-stats|${out.dtype}`, () => statsSource(out.dtype)), [xs, stats], words, grid(slices * chunks, maxPerDim));
      ctx.backend.dispatch(ctx.backend.pipelines.get(`${op}-write|${out.dtype}`, () => writeSource(op, out.dtype)), [xs, stats, out.storage as WebGPUStorage], words, grid(slices * chunks, maxPerDim));
      ctx.backend.flush();
      ctx.release(stats, 'float32', 2 * slices * chunks);
      return;
    }
    const wg = dim >= 1024 ? 256 : 64;
    const pipeline = ctx.backend.pipelines.get(`${op}|${out.dtype}|wg${wg}`, () => softmaxSource(op, out.dtype, wg));
    ctx.backend.dispatch(pipeline, [x!.storage as WebGPUStorage, out.storage as WebGPUStorage], [slices, dim, inner], grid(slices, ctx.backend.limits.maxComputeWorkgroupsPerDimension));
  },
});

/** The softmax family. */
export const SOFTMAX_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [kernel('softmax'), kernel('log_softmax')];
