import { poolStride, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { assertLoopBudget, grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';
import { gemmGroups, gemmSource, gemmTile, kChunks } from './gemm.js';

const FLOATS: readonly DType[] = ['float32', 'float16'];

/**
 * conv2d as an implicit GEMM per (image, group): C[Og, OH·OW] = W[Og, Cg·KH·KW] × im2col(x)[Cg·KH·KW, OH·OW].
 * The im2col matrix is never built: load_b computes the input coordinate of each (k, col) and reads 0 in
 * the padding. Params: M N K, groups, H W OH OW KH KW, stride, padding, dilation (pairs), Cg, Og, O, C.
 */
function convSource(dtype: DType, tile: number, bias: boolean): string {
  const g = gpuType(dtype);
  const t = g.compute;
  const head = `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> X: array<${g.storage}>;
@group(0) @binding(1) var<storage, read> Wt: array<${g.storage}>;
${bias ? `@group(0) @binding(2) var<storage, read> Bias: array<${g.storage}>;\n` : ''}@group(0) @binding(${bias ? 3 : 2}) var<storage, read_write> Y: array<${g.storage}>;
${paramsWgsl(bias ? 4 : 3)}
var<private> grp: u32;
fn bases(batch: u32) -> vec3<u32> {
  let groups = p(3u);
  let n = batch / groups;
  let gi = batch % groups;
  let hw = p(4u) * p(5u);
  grp = gi;
  return vec3<u32>(gi * p(0u) * p(2u), (n * p(20u) + gi * p(17u)) * hw, ((n * p(19u)) + gi * p(18u)) * p(1u));
}`;
  return gemmSource(t, tile, {
    head,
    loadA: `fn load_a(base: u32, row: u32, k: u32) -> ${t} { return ${loadExpr(dtype, 'Wt[base + row * p(2u) + k]')}; }`,
    validB: `fn valid_b(k: u32, col: u32) -> bool {
  let kh = (k / p(9u)) % p(8u);
  let kw = k % p(9u);
  let ih = i32((col / p(7u)) * p(10u) + kh * p(14u)) - i32(p(12u));
  let iw = i32((col % p(7u)) * p(11u) + kw * p(15u)) - i32(p(13u));
  return ih >= 0 && iw >= 0 && ih < i32(p(4u)) && iw < i32(p(5u));
}`,
    loadB: `fn load_b(base: u32, k: u32, col: u32) -> ${t} {
  let khw = p(8u) * p(9u);
  let ci = k / khw;
  let kh = (k / p(9u)) % p(8u);
  let kw = k % p(9u);
  let oh = col / p(7u);
  let ow = col % p(7u);
  let ih = i32(oh * p(10u) + kh * p(14u)) - i32(p(12u));
  let iw = i32(ow * p(11u) + kw * p(15u)) - i32(p(13u));
  if (ih < 0 || iw < 0 || ih >= i32(p(4u)) || iw >= i32(p(5u))) { return ${t}(0); }
  return ${loadExpr(dtype, 'X[base + ci * p(4u) * p(5u) + u32(ih) * p(5u) + u32(iw)]')};
}`,
    storeC: `fn store_c(base: u32, row: u32, col: u32, v: ${t}, first: bool) {
  let at = base + row * p(1u) + col;
  ${bias ? `Y[at] = ${storeExpr(dtype, `select(v, v + ${loadExpr(dtype, 'Bias[grp * p(18u) + row]')}, first)`)};` : `Y[at] = ${storeExpr(dtype, 'v')};`}
}`,
    loadC: `fn load_c(base: u32, row: u32, col: u32) -> ${t} { return ${loadExpr(dtype, 'Y[base + row * p(1u) + col]')}; }`,
    kRange: 21,
  });
}

const conv2d: KernelSpec<WebGPUBackend> = {
  op: 'conv2d',
  device: 'webgpu',
  dtypes: FLOATS,
  run(inputs, out, attrs, ctx) {
    if (out.size === 0) return;
    const [x, w, b] = inputs;
    const [n, c, h, wd] = x!.shape as [number, number, number, number];
    const [o, cg, kh, kw] = w!.shape as [number, number, number, number];
    const [, , oh, ow] = out.shape as [number, number, number, number];
    const groups = attrs['groups'] as number;
    const [sh, sw] = attrs['stride'] as [number, number];
    const [ph, pw] = attrs['padding'] as [number, number];
    const [dh, dw] = attrs['dilation'] as [number, number];
    const og = o / groups;
    const tile = gemmTile(ctx.backend.limits.maxComputeInvocationsPerWorkgroup);
    const workgroups = gemmGroups('conv2d', tile, og, oh * ow, n * groups, ctx.backend.limits.maxComputeWorkgroupsPerDimension);
    const bias = b !== undefined;
    const pipeline = ctx.backend.pipelines.get(`conv2d|${out.dtype}|t${tile}|${bias ? 'bias' : 'nobias'}`, () => convSource(out.dtype, tile, bias));
    const params = [og, oh * ow, cg * kh * kw, groups, h, wd, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, 0, cg, og, o, c];
    const storages = (bias ? [x, w, b, out] : [x, w, out]).map((t) => t!.storage) as WebGPUStorage[];
    for (const [begin, end] of kChunks(cg * kh * kw)) ctx.backend.dispatch(pipeline, storages, [...params, begin, end, begin > 0 ? 1 : 0], workgroups);
  },
};

/** max/avg pooling: one thread per output, looping over its window. Padding never wins a max. */
function poolSource(op: 'max_pool2d' | 'avg_pool2d', dtype: DType): string {
  const g = gpuType(dtype);
  const body =
    op === 'max_pool2d'
      ? `var m = -f_inf();
  for (var a = 0u; a < p(5u); a++) {
    for (var b = 0u; b < p(6u); b++) {
      let ih = i32(oh * p(7u) + a) - i32(p(9u));
      let iw = i32(ow * p(8u) + b) - i32(p(10u));
      if (ih < 0 || iw < 0 || ih >= i32(p(1u)) || iw >= i32(p(2u))) { continue; }
      let v = ${loadExpr(dtype, 'X[plane * p(1u) * p(2u) + u32(ih) * p(2u) + u32(iw)]')};
      if (is_nan(v) || is_nan(m)) { m = f_nan(); } else if (v > m) { m = v; }
    }
  }
  Y[i] = ${storeExpr(dtype, 'm')};`
      : `var s = 0.0;
  var cnt = 0u;
  var valid = 0u;
  for (var a = 0u; a < p(5u); a++) {
    for (var b = 0u; b < p(6u); b++) {
      let ih = i32(oh * p(7u) + a) - i32(p(9u));
      let iw = i32(ow * p(8u) + b) - i32(p(10u));
      // The window counts padding up to the padded edge (not past it, as in ceil mode's extra window).
      if (ih < i32(p(1u) + p(9u)) && iw < i32(p(2u) + p(10u))) { cnt += 1u; }
      if (ih < 0 || iw < 0 || ih >= i32(p(1u)) || iw >= i32(p(2u))) { continue; }
      s += ${loadExpr(dtype, 'X[plane * p(1u) * p(2u) + u32(ih) * p(2u) + u32(iw)]')};
      valid += 1u;
    }
  }
  let div = select(valid, cnt, p(11u) == 1u);
  Y[i] = ${storeExpr(dtype, 's / f32(div)')};`;
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> X: array<${g.storage}>;
@group(0) @binding(1) var<storage, read_write> Y: array<${g.storage}>;
${paramsWgsl(2)}
${gridMain(
  'p(0u)',
  `  let ow = i % p(4u);
  let oh = (i / p(4u)) % p(3u);
  let plane = i / (p(3u) * p(4u));
  ${body}`,
)}`;
}

const pool = (op: 'max_pool2d' | 'avg_pool2d'): KernelSpec<WebGPUBackend> => ({
  op,
  device: 'webgpu',
  dtypes: FLOATS,
  run([x], out, attrs, ctx) {
    if (out.size === 0) return;
    const [, , h, w] = x!.shape as [number, number, number, number];
    const [, , oh, ow] = out.shape as [number, number, number, number];
    const [kh, kw] = attrs['kernelSize'] as [number, number];
    assertLoopBudget(op, kh * (kw + 1), `a ${kh}x${kw} window`);
    const [sh, sw] = poolStride(attrs);
    const [ph, pw] = attrs['padding'] as [number, number];
    const includePad = attrs['countIncludePad'] === true ? 1 : 0;
    const pipeline = ctx.backend.pipelines.get(`${op}|${out.dtype}`, () => poolSource(op, out.dtype));
    const params = [out.size, h, w, oh, ow, kh, kw, sh, sw, ph, pw, includePad];
    ctx.backend.dispatch(pipeline, [x!.storage, out.storage] as WebGPUStorage[], params, grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
  },
});

/** The conv family. */
export const CONV_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [conv2d, pool('max_pool2d'), pool('avg_pool2d')];
