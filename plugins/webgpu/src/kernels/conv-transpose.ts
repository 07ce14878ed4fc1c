import type { DType, KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType, loadExpr, storeExpr } from '../dtypes.js';
import { assertLoopBudget, grid, gridMain, LOOP_BUDGET, paramsWgsl, preamble, WG } from '../wgsl/common.js';

const FLOATS: readonly DType[] = ['float32', 'float16'];

/**
 * conv_transpose2d, one thread per output element (n, oc, oy, ox): input pixel (iy, ix) reaches output
 * (iy·sh - ph + ky·dh, ix·sw - pw + kx·dw) through weight [c, oc mod Og, ky, kx] for the input channels c
 * of oc's group. The channels are split over dispatches to keep each invocation's loops in budget; later
 * dispatches add to the output (and the first adds the bias).
 * Params: n, C, H, W, O, Cg, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, Og, c begin, c end, first.
 */
function convTransposeSource(dtype: DType, bias: boolean): string {
  const g = gpuType(dtype);
  return `${preamble(dtype === 'float16')}@group(0) @binding(0) var<storage, read> X: array<${g.storage}>;
@group(0) @binding(1) var<storage, read> Wt: array<${g.storage}>;
${bias ? `@group(0) @binding(2) var<storage, read> Bias: array<${g.storage}>;\n` : ''}@group(0) @binding(${bias ? 3 : 2}) var<storage, read_write> Y: array<${g.storage}>;
${paramsWgsl(bias ? 4 : 3)}
${gridMain(
  'p(0u)',
  `  let C = p(1u); let H = i32(p(2u)); let W = i32(p(3u)); let O = p(4u); let Cg = p(5u);
  let KH = p(6u); let KW = p(7u); let OH = p(8u); let OW = p(9u);
  let sh = i32(p(10u)); let sw = i32(p(11u)); let Og = p(16u);
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let oc = (i / (OW * OH)) % O;
  let n = i / (OW * OH * O);
  let c0 = (oc / Og) * Cg;
  var acc = 0.0;
  if (p(19u) == 0u) { acc = ${loadExpr(dtype, 'Y[i]')}; } ${bias ? `else { acc = ${loadExpr(dtype, 'Bias[oc]')}; }` : ''}
  for (var ky = 0u; ky < KH; ky++) {
    let ty = i32(oy + p(12u)) - i32(ky * p(14u));
    if (ty < 0 || ty % sh != 0 || ty / sh >= H) { continue; }
    let iy = u32(ty / sh);
    for (var kx = 0u; kx < KW; kx++) {
      let tx = i32(ox + p(13u)) - i32(kx * p(15u));
      if (tx < 0 || tx % sw != 0 || tx / sw >= W) { continue; }
      let ix = u32(tx / sw);
      for (var c = p(17u); c < p(18u); c++) {
        let ci = c0 + c;
        acc += ${loadExpr(dtype, 'X[((n * C + ci) * u32(H) + iy) * u32(W) + ix]')} * ${loadExpr(dtype, 'Wt[((ci * Og + oc % Og) * KH + ky) * KW + kx]')};
      }
    }
  }
  Y[i] = ${storeExpr(dtype, 'acc')};`,
)}`;
}

const convTranspose2d: KernelSpec<WebGPUBackend> = {
  op: 'conv_transpose2d',
  device: 'webgpu',
  dtypes: FLOATS,
  run(inputs, out, attrs, ctx) {
    if (out.size === 0) return;
    const [x, w, b] = inputs;
    const [, c, h, wd] = x!.shape as [number, number, number, number];
    const [, og, kh, kw] = w!.shape as [number, number, number, number];
    const [, o, oh, ow] = out.shape as [number, number, number, number];
    const groups = attrs['groups'] as number;
    const cg = c / groups;
    // Per pass: the kernel window's iterations plus one per channel per window position.
    const window = kh * kw + kh;
    assertLoopBudget('conv_transpose2d', window + kh * kw, `a ${kh}x${kw} kernel`);
    const perPass = Math.max(1, Math.floor((LOOP_BUDGET - window) / (kh * kw)));
    const bias = b !== undefined;
    const pipeline = ctx.backend.pipelines.get(`conv_transpose2d|${out.dtype}|${bias ? 'bias' : 'nobias'}`, () => convTransposeSource(out.dtype, bias));
    const params = [out.size, c, h, wd, o, cg, kh, kw, oh, ow, ...(attrs['stride'] as number[]), ...(attrs['padding'] as number[]), ...(attrs['dilation'] as number[]), og];
    const storages = (bias ? [x, w, b, out] : [x, w, out]).map((t) => t!.storage) as WebGPUStorage[];
    const groupsGrid = grid(Math.ceil(out.size / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension);
    for (let begin = 0; begin < cg || begin === 0; begin += perPass) {
      ctx.backend.dispatch(pipeline, storages, [...params, begin, Math.min(cg, begin + perPass), begin === 0 ? 1 : 0], groupsGrid);
    }
  },
};

/** Transposed convolution. */
export const CONV_TRANSPOSE_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [convTranspose2d];
