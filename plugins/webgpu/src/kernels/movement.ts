import { broadcastStrides, HearthError, normalizeAxis, sizeOf, sliceAxes, stridesOf, type DType, type KernelSpec, type KernelTensor } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, storeExpr } from '../dtypes.js';
import { axesLoop, grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';
import { fillWord } from './creation.js';
import { coalesce, MAX_RANK } from './strides.js';

const ALL: readonly DType[] = ['float32', 'float16', 'int32', 'bool'];

/**
 * The view-copy template: walks a shape and copies element src(base + Σ c·srcStride) to dst(base +
 * Σ c·dstStride). Strides may be negative (reversed slices) or 0 (expand). transpose, slice, expand and
 * concat are each one call of it.
 */
function viewSource(dtype: DType, rank: number): string {
  const s = gpuType(dtype).storage;
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> src: array<${s}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${s}>;
${paramsWgsl(2)}
${gridMain(
  'p(0u)',
  `  var rem = i;
  var so = pi(1u);
  var dof = pi(2u);
  ${axesLoop(rank, `    let c = i32(rem % p(3u + ax));
    rem = rem / p(3u + ax);
    so += c * pi(${3 + rank}u + ax);
    dof += c * pi(${3 + 2 * rank}u + ax);`)}
  dst[u32(dof)] = src[u32(so)];`,
)}`;
}

/** Copies the view (shape, srcStrides from srcBase) of `src` into `dst` at (dstStrides from dstBase). */
export function viewCopy(
  backend: WebGPUBackend,
  dtype: DType,
  src: KernelTensor,
  dst: KernelTensor,
  shape: readonly number[],
  srcBase: number,
  srcStrides: readonly number[],
  dstBase: number,
  dstStrides: readonly number[],
  op: string,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const c = coalesce(shape, [srcStrides, dstStrides], op);
  const rank = c.shape.length;
  const pipeline = backend.pipelines.get(`view|${gpuType(dtype).storage}|r${rank}`, () => viewSource(dtype, rank));
  const params = [n, srcBase, dstBase, ...c.shape, ...c.strides[0]!, ...c.strides[1]!];
  backend.dispatch(pipeline, [src.storage as WebGPUStorage, dst.storage as WebGPUStorage], params, grid(Math.ceil(n / WG), backend.limits.maxComputeWorkgroupsPerDimension));
}

const perDtype = (op: string, run: KernelSpec<WebGPUBackend>['run']): KernelSpec<WebGPUBackend> => ({ op, device: 'webgpu', dtypes: ALL, run });

const reshape = perDtype('reshape', ([x], out, _a, ctx) => ctx.backend.copy(x!.storage as WebGPUStorage, out.storage as WebGPUStorage, out.storage.byteLength));

const transpose = perDtype('transpose', ([x], out, attrs, ctx) => {
  const r = x!.shape.length;
  const perm = ((attrs['perm'] as number[] | null) ?? x!.shape.map((_, i) => r - 1 - i)).map((p) => normalizeAxis(p, r, 'transpose'));
  const inStrides = stridesOf(x!.shape);
  viewCopy(ctx.backend, out.dtype, x!, out, out.shape, 0, perm.map((p) => inStrides[p]!), 0, stridesOf(out.shape), 'transpose');
});

const slice = perDtype('slice', ([x], out, attrs, ctx) => {
  const axes = sliceAxes(x!.shape, attrs['starts'] as number[], attrs['ends'] as number[], attrs['axes'] as number[] | null, attrs['steps'] as number[] | null);
  const inStrides = stridesOf(x!.shape);
  const base = axes.reduce((b, a, i) => b + (a.length > 0 ? a.start * inStrides[i]! : 0), 0);
  viewCopy(ctx.backend, out.dtype, x!, out, out.shape, base, axes.map((a, i) => a.step * inStrides[i]!), 0, stridesOf(out.shape), 'slice');
});

const expand = perDtype('expand', ([x], out, _a, ctx) => {
  viewCopy(ctx.backend, out.dtype, x!, out, out.shape, 0, broadcastStrides(x!.shape, out.shape.length), 0, stridesOf(out.shape), 'expand');
});

const concat = perDtype('concat', (xs, out, attrs, ctx) => {
  const axis = normalizeAxis(attrs['axis'] as number, out.shape.length, 'concat');
  const outStrides = stridesOf(out.shape);
  let at = 0;
  for (const x of xs) {
    viewCopy(ctx.backend, out.dtype, x, out, x.shape, 0, stridesOf(x.shape), at * outStrides[axis]!, outStrides, 'concat');
    at += x.shape[axis]!;
  }
});

/** pad: each output coordinate maps back per axis (constant: outside → value; reflect; edge: clamp). */
function padSource(dtype: DType, rank: number, mode: string): string {
  const t = gpuType(dtype);
  const map =
    mode === 'reflect'
      ? `if (x < 0) { x = -x; } if (x >= dim) { x = 2 * (dim - 1) - x; }`
      : mode === 'edge'
        ? `x = clamp(x, 0, dim - 1);`
        : `if (x < 0 || x >= dim) { inside = false; }`;
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> src: array<${t.storage}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${t.storage}>;
${paramsWgsl(2)}
${gridMain(
  'p(0u)',
  `  var rem = i;
  var so = 0;
  var inside = true;
  ${axesLoop(rank, `    let c = i32(rem % p(2u + ax));
    rem = rem / p(2u + ax);
    let dim = pi(${2 + rank}u + ax);
    var x = c - pi(${2 + 2 * rank}u + ax);
    ${map}
    so += x * pi(${2 + 3 * rank}u + ax);`)}
  if (inside) { dst[i] = src[u32(so)]; } else { dst[i] = ${storeExpr(dtype, `bitcast<${t.compute}>(p(1u))`)}; }`,
)}`;
}

const pad = perDtype('pad', ([x], out, attrs, ctx) => {
  const rank = x!.shape.length;
  if (out.size === 0) return;
  if (rank > MAX_RANK) throw new HearthError('E_SHAPE', `pad: webgpu pads tensors of rank <= ${MAX_RANK}, got ${rank}.`);
  const mode = attrs['mode'] as string;
  const pads = attrs['pads'] as number[];
  const value = attrs['value'] as number;
  // The shader reads the value word as the compute type (f32 for float16) and rounds it on store.
  const word = out.dtype === 'float16' ? fillWord('float32', value) : fillWord(out.dtype, value);
  const params = [out.size, word, ...out.shape, ...x!.shape, ...x!.shape.map((_, i) => pads[2 * i]!), ...stridesOf(x!.shape)];
  const pipeline = ctx.backend.pipelines.get(`pad|${out.dtype}|${mode}|r${rank}`, () => padSource(out.dtype, rank, mode));
  ctx.backend.dispatch(pipeline, [x!.storage as WebGPUStorage, out.storage as WebGPUStorage], params, grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
});

/** gather: out[q, j, k] = x[q, idx[j] (negative from the end), k]; an out-of-range index reads as 0. */
function gatherSource(dtype: DType): string {
  const t = gpuType(dtype);
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> src: array<${t.storage}>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<${t.storage}>;
${paramsWgsl(3)}
${gridMain(
  'p(0u)',
  `  let inner = p(1u);
  let count = p(2u);
  let dim = pi(3u);
  let k = i % inner;
  let j = (i / inner) % count;
  let q = i / (inner * count);
  var at = idx[j];
  if (at < 0) { at += dim; }
  if (at < 0 || at >= dim) { dst[i] = ${storeExpr(dtype, `${t.compute}(0)`)}; return; }
  dst[i] = src[(q * u32(dim) + u32(at)) * inner + k];`,
)}`;
}

const gather = perDtype('gather', ([x, indices], out, attrs, ctx) => {
  if (out.size === 0) return;
  const axis = normalizeAxis(attrs['axis'] as number, x!.shape.length, 'gather');
  const inner = sizeOf(x!.shape.slice(axis + 1));
  const pipeline = ctx.backend.pipelines.get(`gather|${out.dtype}`, () => gatherSource(out.dtype));
  const storages = [x!.storage, indices!.storage, out.storage] as WebGPUStorage[];
  ctx.backend.dispatch(pipeline, storages, [out.size, inner, indices!.size, x!.shape[axis]!], grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
});

/** The movement family. */
export const MOVEMENT_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [reshape, transpose, slice, expand, concat, pad, gather];
