import { reductionAxes, sizeOf, stridesOf, type DType, type KernelSpec, type KernelTensor } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { axesLoop, grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';
import { coalesce } from './strides.js';

/** Threads of a tree-reduction workgroup. */
const TREE = 256;
/** Reductions this short run one thread per output instead of one workgroup per output. */
const SERIAL_MAX = 16;

/** How one reduction combines values: identity, combine(a, b), and the final step, per compute type. */
interface Reducer {
  readonly identity: (t: string) => string;
  readonly combine: (t: string) => string;
  readonly finish?: string;
}

const REDUCERS: Readonly<Record<string, Reducer>> = {
  sum: { identity: (t) => `${t}(0)`, combine: () => 'return a + b;' },
  mean: { identity: (t) => `${t}(0)`, combine: () => 'return a + b;', finish: 'if (n == 0u) { return f_nan(); } return a / f32(n);' },
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
  return walk('kept_off', rk, 2) + walk('red_off', rr, 2 + 2 * rk);
}

/** The reduction template: one shader per (op, dtype, strategy, kept rank, reduced rank). */
function reduceSource(op: string, dtype: DType, serial: boolean, rk: number, rr: number): string {
  const t = gpuType(dtype).compute;
  const r = REDUCERS[op]!;
  const head = `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> out: array<${gpuType(dtype).storage}>;
${paramsWgsl(2)}
${offsetFns(rk, rr)}
fn combine(a: ${t}, b: ${t}) -> ${t} { ${r.combine(t)} }
fn finish(a: ${t}, n: u32) -> ${t} { ${r.finish ?? 'return a;'} }
`;
  const load = (at: string) => loadExpr(dtype, `x[${at}]`);
  if (serial) {
    return `${head}${gridMain(
      'p(0u)',
      `  let base = kept_off(i);
  var acc = ${r.identity(t)};
  for (var k = 0u; k < p(1u); k++) { acc = combine(acc, ${load('base + red_off(k)')}); }
  out[i] = ${storeExpr(dtype, 'finish(acc, p(1u))')};`,
    )}`;
  }
  return `${head}var<workgroup> sh: array<${t}, ${TREE}>;
@compute @workgroup_size(${TREE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = wid.y * nwg.x + wid.x;
  if (o >= p(0u)) { return; }
  let base = kept_off(o);
  var acc = ${r.identity(t)};
  for (var k = lid; k < p(1u); k += ${TREE}u) { acc = combine(acc, ${load('base + red_off(k)')}); }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = combine(sh[lid], sh[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = ${storeExpr(dtype, 'finish(sh[0], p(1u))')}; }
}
`;
}

/** Splits the input into kept and reduced axes, merged where contiguous: [outSize, redSize, keptShape, keptStrides, redShape, redStrides]. */
export function reductionLayout(x: KernelTensor, axes: readonly number[], op: string): { params: number[]; rk: number; rr: number; outSize: number; redSize: number } {
  const strides = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const k = coalesce(kept.map((i) => x.shape[i]!), [kept.map((i) => strides[i]!)], op);
  const r = coalesce(axes.map((i) => x.shape[i]!), [axes.map((i) => strides[i]!)], op);
  const outSize = sizeOf(k.shape);
  const redSize = sizeOf(r.shape);
  return { params: [outSize, redSize, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!], rk: k.shape.length, rr: r.shape.length, outSize, redSize };
}

function runReduce(backend: WebGPUBackend, op: string, x: KernelTensor, out: KernelTensor, attrs: Readonly<Record<string, unknown>>): void {
  if (out.size === 0) return;
  const axes = reductionAxes(x.shape, attrs['axes'] as number[] | null, op);
  const { params, rk, rr, outSize, redSize } = reductionLayout(x, axes, op);
  const serial = redSize <= SERIAL_MAX;
  const pipeline = backend.pipelines.get(`${op}|${out.dtype}|${serial ? 'serial' : 'tree'}|k${rk}r${rr}`, () => reduceSource(op, out.dtype, serial, rk, rr));
  const groups = serial ? Math.ceil(outSize / WG) : outSize;
  backend.dispatch(pipeline, [x.storage as WebGPUStorage, out.storage as WebGPUStorage], params, grid(groups, backend.limits.maxComputeWorkgroupsPerDimension));
}

/** argmax/argmin: a tree over (value, index) pairs; ties keep the first index and a NaN wins. */
function argSource(op: 'argmax' | 'argmin', dtype: DType, rk: number, rr: number): string {
  const t = gpuType(dtype).compute;
  const better = op === 'argmax' ? '>' : '<';
  const nan = t === 'f32' ? `let na = is_nan(va); let nb = is_nan(vb); if (na || nb) { if (na && nb) { return ib < ia; } return nb; }` : '';
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> x: array<${gpuType(dtype).storage}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
${paramsWgsl(2)}
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
  let o = wid.y * nwg.x + wid.x;
  if (o >= p(0u)) { return; }
  let base = kept_off(o);
  var bv = ${t}(0);
  var bi = NONE;
  for (var k = lid; k < p(1u); k += ${TREE}u) {
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
  if (lid == 0u) { out[o] = i32(si[0]); }
}
`;
}

function runArg(backend: WebGPUBackend, op: 'argmax' | 'argmin', x: KernelTensor, out: KernelTensor, attrs: Readonly<Record<string, unknown>>): void {
  if (out.size === 0) return;
  const axis = attrs['axis'] as number | null;
  const axes = reductionAxes(x.shape, axis === null ? null : [axis], op);
  const { params, rk, rr, outSize } = reductionLayout(x, axes, op);
  const pipeline = backend.pipelines.get(`${op}|${x.dtype}|k${rk}r${rr}`, () => argSource(op, x.dtype, rk, rr));
  backend.dispatch(pipeline, [x.storage as WebGPUStorage, out.storage as WebGPUStorage], params, grid(outSize, backend.limits.maxComputeWorkgroupsPerDimension));
}

const NUMERIC: readonly DType[] = ['float32', 'float16', 'int32'];

/** The reduction family. */
export const REDUCE_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [
  ...['sum', 'prod', 'max', 'min'].map((op): KernelSpec<WebGPUBackend> => ({ op, device: 'webgpu', dtypes: NUMERIC, run: ([x], out, attrs, ctx) => runReduce(ctx.backend, op, x!, out, attrs) })),
  { op: 'mean', device: 'webgpu', dtypes: ['float32', 'float16'], run: ([x], out, attrs, ctx) => runReduce(ctx.backend, 'mean', x!, out, attrs) },
  ...(['argmax', 'argmin'] as const).map((op): KernelSpec<WebGPUBackend> => ({ op, device: 'webgpu', dtypes: NUMERIC, run: ([x], out, attrs, ctx) => runArg(ctx.backend, op, x!, out, attrs) })),
];
