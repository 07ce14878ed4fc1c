import { reductionAxes, sizeOf, stridesOf, type DType, type KernelContext, type KernelSpec, type KernelTensor } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { axesLoop, grid, gridMain, LOOP_BUDGET, paramsWgsl, preamble, WG } from '../wgsl/common.js';
import { coalesce } from './strides.js';

/** Threads of a tree-reduction workgroup. */
const TREE = 256;
/** Reductions this short run one thread per output instead of one workgroup per output. */
const SERIAL_MAX = 16;
/**
 * The most elements one workgroup reduces: a quarter of the loop budget per thread. A longer reduction
 * is cut into chunks reduced side by side into partial results, then a second pass reduces those.
 */
export const REDUCE_CHUNK = TREE * (LOOP_BUDGET / 4);

/** Words before the kept and reduced shapes: groups, reduced size, chunk length, chunks per output, divisor. */
const HEAD = 5;

/** How one reduction combines values: identity, combine(a, b), and the final step, per compute type. */
interface Reducer {
  readonly identity: (t: string) => string;
  readonly combine: (t: string) => string;
  readonly finish?: string;
}

const REDUCERS: Readonly<Record<string, Reducer>> = {
  sum: { identity: (t) => `${t}(0)`, combine: () => 'return a + b;' },
  // Two sums: of x, and of x·2^-64, which cannot overflow; the second gives the mean where the first overflowed.
  mean: {
    identity: () => 'vec2<f32>(0.0)',
    combine: () => 'return a + b;',
    finish: 'if (n == 0u) { return f_nan(); } if (!is_inf(a.x)) { return a.x / f32(n); } return (a.y / f32(n)) * 18446744073709551616.0;',
  },
  prod: { identity: (t) => `${t}(1)`, combine: () => 'return a * b;' },
  max: {
    identity: (t) => (t === 'f32' ? '-f_inf()' : 'i32(-2147483647 - 1)'),
    combine: (t) => (t === 'f32' ? 'if (is_nan(a) || is_nan(b)) { return f_nan(); } if (a > b) { return a; } if (b > a) { return b; } return bitcast<f32>(bitcast<u32>(a) & bitcast<u32>(b));' : 'return max(a, b);'),
  },
  min: {
    identity: (t) => (t === 'f32' ? 'f_inf()' : 'i32(2147483647)'),
    combine: (t) => (t === 'f32' ? 'if (is_nan(a) || is_nan(b)) { return f_nan(); } if (a < b) { return a; } if (b < a) { return b; } return bitcast<f32>(bitcast<u32>(a) | bitcast<u32>(b));' : 'return min(a, b);'),
  },
};

/** Offsets of the kept part (from output index `o`) and the reduced part (from `r`), read from params. */
function offsetFns(rk: number, rr: number): string {
  const walk = (name: string, rank: number, shapeAt: number) => `fn ${name}(v: u32) -> u32 {
  var rem = v;
  var off = 0u;
  ${axesLoop(rank, `    off += (rem % p(${shapeAt}u + ax)) * p(${shapeAt + rank}u + ax);
    rem = rem / p(${shapeAt}u + ax);`)}
  return off;
}
`;
  return walk('kept_off', rk, HEAD) + walk('red_off', rr, HEAD + 2 * rk);
}

/** The reduction template: one shader per (op, dtype, strategy, kept rank, reduced rank). */
function reduceSource(op: string, dtype: DType, serial: boolean, rk: number, rr: number): string {
  const result = gpuType(dtype).compute;
  const t = op === 'mean' ? 'vec2<f32>' : result;
  const r = REDUCERS[op]!;
  const lift = (v: string) => (op === 'mean' ? `vec2<f32>(${v}, ${v} * 5.421010862427522e-20)` : v);
  const head = `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> out: array<${gpuType(dtype).storage}>;
${paramsWgsl(2)}
${offsetFns(rk, rr)}
fn combine(a: ${t}, b: ${t}) -> ${t} { ${r.combine(t)} }
fn finish(a: ${t}, n: u32) -> ${result} { ${r.finish ?? 'return a;'} }
`;
  const load = (at: string) => lift(loadExpr(dtype, `x[${at}]`));
  if (serial) {
    return `${head}${gridMain(
      'p(0u)',
      `  let base = kept_off(i);
  var acc = ${r.identity(t)};
  for (var k = 0u; k < p(1u); k++) { acc = combine(acc, ${load('base + red_off(k)')}); }
  out[i] = ${storeExpr(dtype, 'finish(acc, p(4u))')};`,
    )}`;
  }
  return `${head}var<workgroup> sh: array<${t}, ${TREE}>;
@compute @workgroup_size(${TREE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p(0u)) { return; }
  let base = kept_off(g / p(3u));
  let k_begin = (g % p(3u)) * p(2u);
  let k_end = min(p(1u), k_begin + p(2u));
  var acc = ${r.identity(t)};
  for (var k = k_begin + lid; k < k_end; k += ${TREE}u) { acc = combine(acc, ${load('base + red_off(k)')}); }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = combine(sh[lid], sh[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[g] = ${storeExpr(dtype, 'finish(sh[0], p(4u))')}; }
}
`;
}

/** Splits the input into kept and reduced axes, merged where contiguous: [outSize, redSize, keptShape, keptStrides, redShape, redStrides]. */
export function reductionLayout(x: { readonly shape: readonly number[] }, axes: readonly number[], op: string): { params: number[]; rk: number; rr: number; outSize: number; redSize: number } {
  const strides = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const k = coalesce(kept.map((i) => x.shape[i]!), [kept.map((i) => strides[i]!)], op);
  const r = coalesce(axes.map((i) => x.shape[i]!), [axes.map((i) => strides[i]!)], op);
  const outSize = sizeOf(k.shape);
  const redSize = sizeOf(r.shape);
  return { params: [outSize, redSize, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!], rk: k.shape.length, rr: r.shape.length, outSize, redSize };
}

/** One reduction pass: `x` reduced over its layout into `out`, `chunks` partial results per output, dividing by `divisor` (mean). */
function reducePass(backend: WebGPUBackend, op: string, dtype: DType, x: WebGPUStorage, out: WebGPUStorage, layout: ReturnType<typeof reductionLayout>, chunks: number, divisor: number): void {
  const { params, rk, rr, outSize, redSize } = layout;
  const serial = redSize <= SERIAL_MAX;
  const pipeline = backend.pipelines.get(`${op}|${dtype}|${serial ? 'serial' : 'tree'}|k${rk}r${rr}`, () => reduceSource(op, dtype, serial, rk, rr));
  const groups = serial ? Math.ceil(outSize / WG) : outSize * chunks;
  const chunkLen = Math.ceil(redSize / chunks);
  const words = [serial ? outSize : groups, redSize, chunkLen, chunks, divisor, ...params.slice(2)];
  backend.dispatch(pipeline, [x, out], words, grid(groups, backend.limits.maxComputeWorkgroupsPerDimension));
}

/**
 * A reduction in one pass, or, past {@link REDUCE_CHUNK} elements per output, in two: chunks into partial
 * results (partial means for mean, so nothing overflows), then the partials (summed, for mean).
 */
function runReduce(ctx: KernelContext<WebGPUBackend>, op: string, x: KernelTensor, out: KernelTensor, attrs: Readonly<Record<string, unknown>>): void {
  if (out.size === 0) return;
  const backend = ctx.backend;
  const axes = reductionAxes(x.shape, attrs['axes'] as number[] | null, op);
  const layout = reductionLayout(x, axes, op);
  const chunks = Math.ceil(layout.redSize / REDUCE_CHUNK);
  if (chunks <= 1) return reducePass(backend, op, out.dtype, x.storage as WebGPUStorage, out.storage as WebGPUStorage, layout, 1, layout.redSize);
  const partials = ctx.allocate(out.dtype, layout.outSize * chunks) as WebGPUStorage;
  reducePass(backend, op, out.dtype, x.storage as WebGPUStorage, partials, layout, chunks, layout.redSize);
  const second = reductionLayout({ shape: [layout.outSize, chunks] }, [1], op);
  reducePass(backend, op === 'mean' ? 'sum' : op, out.dtype, partials, out.storage as WebGPUStorage, second, 1, chunks);
  // The partials go back to the pool only once the passes that use them are submitted.
  backend.flush();
  ctx.release(partials, out.dtype, layout.outSize * chunks);
}

/**
 * argmax/argmin: a tree over (value, index) pairs; ties keep the first index and a NaN wins. `whole` reduces
 * each output at once; `partial` writes each chunk's winning value and index; `final` picks among the
 * partials (chunks in order, so the first chunk wins a tie) and writes the winner's stored index.
 */
function argSource(op: 'argmax' | 'argmin', dtype: DType, rk: number, rr: number, mode: 'whole' | 'partial' | 'final'): string {
  const t = gpuType(dtype).compute;
  const better = op === 'argmax' ? '>' : '<';
  const nan = t === 'f32' ? `let na = is_nan(va); let nb = is_nan(vb); if (na || nb) { if (na && nb) { return ib < ia; } return nb; }` : '';
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
${mode === 'partial' ? `@group(0) @binding(1) var<storage, read_write> vals: array<${gpuType(dtype).storage}>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
${paramsWgsl(3)}` : mode === 'final' ? `@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
${paramsWgsl(3)}` : `@group(0) @binding(1) var<storage, read_write> out: array<i32>;
${paramsWgsl(2)}`}
${offsetFns(rk, rr)}
const NONE = 0xffffffffu;
fn take_b(va: ${t}, ia: u32, vb: ${t}, ib: u32) -> bool {
  if (ib == NONE) { return false; }
  if (ia == NONE) { return true; }
  ${nan}
  if (vb ${better} va) { return true; }
  if (va ${better} vb) { return false; }
  return ib < ia;
}
var<workgroup> sv: array<${t}, ${TREE}>;
var<workgroup> si: array<u32, ${TREE}>;
@compute @workgroup_size(${TREE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p(0u)) { return; }
  let base = kept_off(g / p(3u));
  let k_begin = (g % p(3u)) * p(2u);
  let k_end = min(p(1u), k_begin + p(2u));
  var bv = ${t}(0);
  var bi = NONE;
  for (var k = k_begin + lid; k < k_end; k += ${TREE}u) {
    let v = ${loadExpr(dtype, 'x[base + red_off(k)]')};
    if (take_b(bv, bi, v, k)) { bv = v; bi = k; }
  }
  sv[lid] = bv;
  si[lid] = bi;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && take_b(sv[lid], si[lid], sv[lid + s], si[lid + s])) { sv[lid] = sv[lid + s]; si[lid] = si[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
${mode === 'partial' ? `    vals[g] = ${storeExpr(dtype, 'sv[0]')};
    out[g] = i32(si[0]);` : mode === 'final' ? '    out[g] = idx[g * p(1u) + si[0]];' : '    out[g] = i32(si[0]);'}
  }
}
`;
}

function argPass(backend: WebGPUBackend, op: 'argmax' | 'argmin', dtype: DType, mode: 'whole' | 'partial' | 'final', buffers: WebGPUStorage[], layout: ReturnType<typeof reductionLayout>, chunks: number): void {
  const { params, rk, rr, outSize, redSize } = layout;
  const pipeline = backend.pipelines.get(`${op}|${dtype}|${mode}|k${rk}r${rr}`, () => argSource(op, dtype, rk, rr, mode));
  const words = [outSize * chunks, redSize, Math.ceil(redSize / chunks), chunks, 0, ...params.slice(2)];
  backend.dispatch(pipeline, buffers, words, grid(outSize * chunks, backend.limits.maxComputeWorkgroupsPerDimension));
}

/** argmax/argmin in one pass, or past {@link REDUCE_CHUNK} elements per output in two (chunk winners, then the winner among them). */
function runArg(ctx: KernelContext<WebGPUBackend>, op: 'argmax' | 'argmin', x: KernelTensor, out: KernelTensor, attrs: Readonly<Record<string, unknown>>): void {
  if (out.size === 0) return;
  const backend = ctx.backend;
  const axis = attrs['axis'] as number | null;
  const axes = reductionAxes(x.shape, axis === null ? null : [axis], op);
  const layout = reductionLayout(x, axes, op);
  const chunks = Math.ceil(layout.redSize / REDUCE_CHUNK);
  const xs = x.storage as WebGPUStorage;
  if (chunks <= 1) return argPass(backend, op, x.dtype, 'whole', [xs, out.storage as WebGPUStorage], layout, 1);
  const n = layout.outSize * chunks;
  const vals = ctx.allocate(x.dtype, n) as WebGPUStorage;
  const idx = ctx.allocate('int32', n) as WebGPUStorage;
  argPass(backend, op, x.dtype, 'partial', [xs, vals, idx], layout, chunks);
  argPass(backend, op, x.dtype, 'final', [vals, idx, out.storage as WebGPUStorage], reductionLayout({ shape: [layout.outSize, chunks] }, [1], op), 1);
  backend.flush();
  ctx.release(vals, x.dtype, n);
  ctx.release(idx, 'int32', n);
}

const NUMERIC: readonly DType[] = ['float32', 'float16', 'int32'];

/** The reduction family. */
export const REDUCE_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [
  ...['sum', 'prod', 'max', 'min'].map((op): KernelSpec<WebGPUBackend> => ({ op, device: 'webgpu', dtypes: NUMERIC, run: ([x], out, attrs, ctx) => runReduce(ctx, op, x!, out, attrs) })),
  { op: 'mean', device: 'webgpu', dtypes: ['float32', 'float16'], run: ([x], out, attrs, ctx) => runReduce(ctx, 'mean', x!, out, attrs) },
  ...(['argmax', 'argmin'] as const).map((op): KernelSpec<WebGPUBackend> => ({ op, device: 'webgpu', dtypes: NUMERIC, run: ([x], out, attrs, ctx) => runArg(ctx, op, x!, out, attrs) })),
];
