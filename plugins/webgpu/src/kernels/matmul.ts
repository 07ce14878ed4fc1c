import { broadcastShapes, broadcastStrides, sizeOf, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { axesLoop, paramsWgsl, preamble } from '../wgsl/common.js';
import { gemmGroups, gemmSource, gemmTile, kChunks } from './gemm.js';
import { coalesce } from './strides.js';

/** Params: M, N, K, then the merged batch shape and A's and B's batch strides (0 where broadcast). */
function matmulSource(dtype: DType, tile: number, br: number): string {
  const g = gpuType(dtype);
  const head = `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> A: array<${g.storage}>;
@group(0) @binding(1) var<storage, read> B: array<${g.storage}>;
@group(0) @binding(2) var<storage, read_write> C: array<${g.storage}>;
${paramsWgsl(3)}
fn bases(batch: u32) -> vec3<u32> {
  var rem = batch;
  var a = 0u;
  var b = 0u;
  ${axesLoop(br, `    let c = rem % p(3u + ax);
    rem = rem / p(3u + ax);
    a += c * p(${3 + br}u + ax);
    b += c * p(${3 + 2 * br}u + ax);`)}
  return vec3<u32>(a, b, batch * p(0u) * p(1u));
}`;
  return gemmSource(g.compute, tile, {
    head,
    loadA: `fn load_a(base: u32, row: u32, k: u32) -> ${g.compute} { return ${loadExpr(dtype, 'A[base + row * p(2u) + k]')}; }`,
    loadB: `fn load_b(base: u32, k: u32, col: u32) -> ${g.compute} { return ${loadExpr(dtype, 'B[base + k * p(1u) + col]')}; }`,
    storeC: `fn store_c(base: u32, row: u32, col: u32, v: ${g.compute}, first: bool) { C[base + row * p(1u) + col] = ${storeExpr(dtype, 'v')}; }`,
    loadC: `fn load_c(base: u32, row: u32, col: u32) -> ${g.compute} { return ${loadExpr(dtype, 'C[base + row * p(1u) + col]')}; }`,
    kRange: 3 + 3 * br,
  });
}

/** matmul with NumPy rules: vectors become a row (a) or column (b); batch axes broadcast through strides. */
export const MATMUL_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [
  {
    op: 'matmul',
    device: 'webgpu',
    dtypes: ['float32', 'float16', 'int32'],
    run([a, b], out, _attrs, ctx) {
      if (out.size === 0) return;
      const backend = ctx.backend;
      const as = a!.shape.length === 1 ? [1, a!.shape[0]!] : a!.shape;
      const bs = b!.shape.length === 1 ? [b!.shape[0]!, 1] : b!.shape;
      const M = as[as.length - 2]!;
      const K = as[as.length - 1]!;
      const N = bs[bs.length - 1]!;
      const batch = broadcastShapes(as.slice(0, -2), bs.slice(0, -2));
      const stride = (s: readonly number[], mat: number) => broadcastStrides(s.slice(0, -2), batch.length).map((x) => x * mat);
      const c = coalesce(batch, [stride(as, M * K), stride(bs, K * N)], 'matmul');
      const tile = gemmTile(backend.limits.maxComputeInvocationsPerWorkgroup);
      const groups = gemmGroups('matmul', tile, M, N, sizeOf(c.shape), backend.limits.maxComputeWorkgroupsPerDimension);
      const br = c.shape.length;
      const pipeline = backend.pipelines.get(`matmul|${out.dtype}|t${tile}|b${br}`, () => matmulSource(out.dtype, tile, br));
      const params = [M, N, K, ...c.shape, ...c.strides[0]!, ...c.strides[1]!];
      const storages = [a!.storage, b!.storage, out.storage] as WebGPUStorage[];
      for (const [begin, end] of kChunks(K)) backend.dispatch(pipeline, storages, [...params, begin, end, begin > 0 ? 1 : 0], groups);
    },
  },
];
