import { HearthError, normalizeAxis, stridesOf, type DType, type KernelSpec, type KernelTensor } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, storeExpr } from '../dtypes.js';
import { axesLoop, grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';
import { MAX_RANK } from './strides.js';

const ALL: readonly DType[] = ['float32', 'float16', 'int32', 'bool'];

function checkRank(op: string, t: KernelTensor): number {
  const rank = t.shape.length;
  if (rank > MAX_RANK) throw new HearthError('E_SHAPE', `${op}: webgpu takes tensors of rank <= ${MAX_RANK}, got ${rank}; reshape to fewer axes first.`, { shape: t.shape });
  return rank;
}

/**
 * gather_elements: output element i (at coordinates c of the indices' shape) reads x at c with the axis
 * coordinate replaced by idx[i] (negative from the end); an out-of-range index reads as 0, as gather's.
 * Params: n, axis, axis size, shape[rank], x strides[rank].
 */
function gatherElementsSource(dtype: DType, rank: number): string {
  const t = gpuType(dtype);
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> src: array<${t.storage}>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<${t.storage}>;
${paramsWgsl(3)}
${gridMain(
  'p(0u)',
  `  let dim = pi(2u);
  var at = idx[i];
  if (at < 0) { at += dim; }
  if (at < 0 || at >= dim) { dst[i] = ${storeExpr(dtype, `${t.compute}(0)`)}; return; }
  var rem = i;
  var so = 0u;
  ${axesLoop(rank, `    let c = rem % p(3u + ax);
    rem = rem / p(3u + ax);
    so += select(c, u32(at), ax == p(1u)) * p(${3 + rank}u + ax);`)}
  dst[i] = src[so];`,
)}`;
}

const gatherElements: KernelSpec<WebGPUBackend> = {
  op: 'gather_elements',
  device: 'webgpu',
  dtypes: ALL,
  run([x, indices], out, attrs, ctx) {
    if (out.size === 0) return;
    const rank = checkRank('gather_elements', x!);
    const axis = normalizeAxis(attrs['axis'] as number, rank, 'gather_elements');
    const pipeline = ctx.backend.pipelines.get(`gather_elements|${out.dtype}|r${rank}`, () => gatherElementsSource(out.dtype, rank));
    const params = [out.size, axis, x!.shape[axis]!, ...out.shape, ...stridesOf(x!.shape)];
    const storages = [x!.storage, indices!.storage, out.storage] as WebGPUStorage[];
    ctx.backend.dispatch(pipeline, storages, params, grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
  },
};

/** tile: output coordinate c reads x at c mod x's shape. Params: n, out shape[rank], x shape[rank], x strides[rank]. */
function tileSource(dtype: DType, rank: number): string {
  const t = gpuType(dtype);
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> src: array<${t.storage}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${t.storage}>;
${paramsWgsl(2)}
${gridMain(
  'p(0u)',
  `  var rem = i;
  var so = 0u;
  ${axesLoop(rank, `    let c = rem % p(1u + ax);
    rem = rem / p(1u + ax);
    so += (c % p(${1 + rank}u + ax)) * p(${1 + 2 * rank}u + ax);`)}
  dst[i] = src[so];`,
)}`;
}

const tile: KernelSpec<WebGPUBackend> = {
  op: 'tile',
  device: 'webgpu',
  dtypes: ALL,
  run([x], out, _attrs, ctx) {
    if (out.size === 0) return;
    const rank = checkRank('tile', x!);
    const pipeline = ctx.backend.pipelines.get(`tile|${gpuType(out.dtype).storage}|r${rank}`, () => tileSource(out.dtype, rank));
    const params = [out.size, ...out.shape, ...x!.shape, ...stridesOf(x!.shape)];
    ctx.backend.dispatch(pipeline, [x!.storage, out.storage] as WebGPUStorage[], params, grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
  },
};

/** Element-wise indexing: gather_elements and tile. */
export const ELEMENTS_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [gatherElements, tile];
