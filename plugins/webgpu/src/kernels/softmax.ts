import { normalizeAxis, sizeOf, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { loadExpr, storeExpr, gpuType } from '../dtypes.js';
import { grid, LOOP_BUDGET, paramsWgsl, preamble } from '../wgsl/common.js';
import { EXP_WGSL } from '../wgsl/math.js';

/** NaN-propagating max (WGSL's `max` may drop a NaN). */
const FMAX_WGSL = 'fn fmax(a: f32, b: f32) -> f32 { if (is_nan(a) || is_nan(b)) { return f_nan(); } return max(a, b); }\n';

/** WGSL: `base`, the offset of slice `s` whose rows have p(1u) elements, `inner` apart. */
const sliceBase = (s: string) => `let inner = p(2u);
  let base = (${s} / inner) * p(1u) * inner + ${s} % inner;`;

/**
 * WGSL: the max `m` and `total` = Σ exp(x − m) of row elements [from, to) of the slice at `base`, each of
 * `wg` threads walking its share, then tree reductions over `sh`.
 */
function rowStats(dtype: DType, wg: number, from: string, to: string): string {
  const load = loadExpr(dtype, 'x[base + j * inner]');
  return `  var m = -f_inf();
  for (var j = ${from} + lid; j < ${to}; j += ${wg}u) { m = fmax(m, ${load}); }
  sh[lid] = m;
  workgroupBarrier();
  for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { sh[lid] = fmax(sh[lid], sh[lid + k]); }
    workgroupBarrier();
  }
  m = sh[0];
  workgroupBarrier();
  var acc = 0.0;
  for (var j = ${from} + lid; j < ${to}; j += ${wg}u) { acc += exp_f(${load} - m); }
  sh[lid] = acc;
  workgroupBarrier();
  for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { sh[lid] = sh[lid] + sh[lid + k]; }
    workgroupBarrier();
  }
  let total = sh[0];`;
}

/** WGSL: writes softmax or log_softmax of row elements [from, to), given the row's `m` and `total`. */
function writeRow(op: 'softmax' | 'log_softmax', dtype: DType, wg: number, from: string, to: string): string {
  const write = op === 'softmax' ? 'exp_f(v - m) / total' : '(v - m) - log(total)';
  return `  for (var j = ${from} + lid; j < ${to}; j += ${wg}u) {
    let v = ${loadExpr(dtype, 'x[base + j * inner]')};
    out[base + j * inner] = ${storeExpr(dtype, write)};
  }`;
}

/**
 * softmax and log_softmax: one workgroup per slice along the axis; a tree max (NaN-propagating), then a
 * tree sum of exp(x - max), then the write. Subtracting the max first keeps large inputs finite.
 */
function softmaxSource(op: 'softmax' | 'log_softmax', dtype: DType, wg: number): string {
  return `${preamble(dtype === 'float16')}${EXP_WGSL}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> out: array<${gpuType(dtype).storage}>;
${paramsWgsl(2)}
var<workgroup> sh: array<f32, ${wg}>;
${FMAX_WGSL}@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = wid.y * nwg.x + wid.x;
  if (s >= p(0u)) { return; }
  ${sliceBase('s')}
${rowStats(dtype, wg, '0u', 'p(1u)')}
${writeRow(op, dtype, wg, '0u', 'p(1u)')}
}
`;
}

/** Threads of the long-row workgroups. */
const LONG_WG = 256;

/**
 * The longest row the one-pass kernel takes: it walks the row three times, each walk a quarter of the loop
 * budget per thread (the tree steps fit in the rest). Longer rows are cut into chunks of this length, one
 * workgroup each.
 */
export const ROW_CHUNK = LONG_WG * Math.floor(LOOP_BUDGET / 4);

/** WGSL, long rows: `s`, the slice of (slice, chunk) workgroup `g`, and its chunk's elements [j0, j1). */
const CHUNK_RANGE = `let s = g / p(4u);
  ${sliceBase('s')}
  let j0 = (g % p(4u)) * p(3u);
  let j1 = min(p(1u), j0 + p(3u));`;

/**
 * Long rows, pass 1: per (slice, chunk) the chunk's max m and s = Σ exp(x − m), into `stats` as pairs.
 * Params: slices · chunks, dim, inner, chunk length, chunks.
 */
function statsSource(dtype: DType): string {
  return `${preamble(dtype === 'float16')}${EXP_WGSL}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
${paramsWgsl(2)}
var<workgroup> sh: array<f32, ${LONG_WG}>;
${FMAX_WGSL}@compute @workgroup_size(${LONG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p(0u)) { return; }
  ${CHUNK_RANGE}
${rowStats(dtype, LONG_WG, 'j0', 'j1')}
  if (lid == 0u) { stats[2u * g] = m; stats[2u * g + 1u] = total; }
}
`;
}

/**
 * Long rows, pass 2: each (slice, chunk) workgroup combines its slice's chunk stats into the row's max M
 * and Σ exp(x − M) (a chunk of only −Inf adds nothing), then writes its chunk.
 */
function writeSource(op: 'softmax' | 'log_softmax', dtype: DType): string {
  return `${preamble(dtype === 'float16')}${EXP_WGSL}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<${gpuType(dtype).storage}>;
${paramsWgsl(3)}
${FMAX_WGSL}@compute @workgroup_size(${LONG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p(0u)) { return; }
  ${CHUNK_RANGE}
  let chunks = p(4u);
  var m = -f_inf();
  for (var c = 0u; c < chunks; c++) { m = fmax(m, stats[2u * (s * chunks + c)]); }
  var total = 0.0;
  for (var c = 0u; c < chunks; c++) {
    let mc = stats[2u * (s * chunks + c)];
    if (!(is_inf(mc) && mc < 0.0)) { total += stats[2u * (s * chunks + c) + 1u] * exp_f(mc - m); }
  }
${writeRow(op, dtype, LONG_WG, 'j0', 'j1')}
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
