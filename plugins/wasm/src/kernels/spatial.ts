import { nearestIndex, poolStride, resizeSource, type CoordinateTransformationMode, type KernelContext, type KernelTensor, type NearestMode } from '@hearth/core';
import type { WasmBackend } from '../backend.js';
import type { WasmStorage } from '../heap.js';
import { gemm, gemmReadsBInPlace, operand, PARALLEL_ELEMENTS, PARALLEL_FLOPS, ptr, scratch, split, type FastFn } from './fast.js';

// The float32 fast paths over NCHW images: conv2d, conv_transpose2d, the 2-D pools and resize.

type Pair = [number, number];
type Ctx = KernelContext<WasmBackend>;

/** Columns of the im2col matrix each thread packs at a time (assembly/gemm.ts's PANELS times NR). */
const CONV_COLUMNS = 32;

/** The i32s a geometry block holds before any table that follows it (16: 64 bytes, a cache line). */
const GEOM_INTS = 16;

/** i32 geometry for a kernel, in scratch: the caller releases it. */
function geometry(ctx: Ctx, values: readonly number[]): WasmStorage {
  const g = ctx.allocate('int32', Math.max(values.length, GEOM_INTS)) as WasmStorage;
  (g.data as Int32Array).set(values);
  return g;
}

/**
 * conv2d as im2col and the packed GEMM fused per chunk of output pixels (each thread packs its chunk's
 * im2col columns into its own scratch and multiplies them at once); one kernel call per group covers the
 * whole batch, so threads split images and pixels alike.
 */
export const fastConv2d: FastFn = ([x, w, bias], out, attrs, ctx) => {
  const [N, C, H, W] = x!.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w!.shape as [number, number, number, number];
  const groups = attrs['groups'] as number;
  // Weights with Inf or NaN would be multiplied by the kernels' zero padding, where the definition skips
  // the padding: those (rare) convolutions take the reference kernel. Weights are usually constants: each
  // storage is scanned once.
  if (!(w!.storage as WasmStorage).allFinite()) return false;
  const [OH, OW] = [out.shape[2]!, out.shape[3]!];
  const Og = O / groups;
  const K = Cg * KH * KW;
  const P = OH * OW;
  if (out.size === 0) return true;
  if (pointwise(w!, attrs) && groups === 1 && gemmReadsBInPlace(O, P, C)) {
    // Each image is one product W (O x C) · X (C x H·W), read in place; the bias is per output row.
    gemm(ctx, operand(ptr(w!), C), operand(ptr(x!), P), ptr(out), O, P, C, { count: N, a: 0, b: C * P * 4, c: O * P * 4 }, bias ? ptr(bias) : 0, true);
    return true;
  }
  if (Og * K <= DIRECT_WEIGHTS) return convDirect(ctx, x!, w!, bias, out, attrs);
  const { pool } = ctx.backend;
  const parallel = split(N * Og * P * K, PARALLEL_FLOPS);
  const geom = geometry(ctx, [KH, KW, ...(attrs['stride'] as Pair), ...(attrs['padding'] as Pair), ...(attrs['dilation'] as Pair), OH, OW, N, C * H * W, O * P]);
  const pA = scratch(ctx, Math.ceil(Og / 4) * 4 * K);
  const pB = scratch(ctx, CONV_COLUMNS * K * pool.threads);
  const tiles = scratch(ctx, 32 * pool.threads);
  try {
    for (let g = 0; g < groups; g++) {
      pool.run('pack_a', [ptr(w!) + g * Og * K * 4, K, 1, Og, K, pA.ptr], false);
      const x0 = ptr(x!) + g * Cg * H * W * 4;
      pool.run('conv_f32', [x0, Cg, H, W, geom.ptr, pA.ptr, Og, pB.ptr, ptr(out) + g * Og * P * 4, bias ? ptr(bias) + g * Og * 4 : 0, tiles.ptr], parallel);
    }
  } finally {
    for (const s of [geom, pA, pB, tiles]) ctx.release(s, s.dtype, s.size);
  }
  return true;
};

/** True for a 1x1 kernel at stride 1 without padding: the output pixels are the input pixels. */
function pointwise(w: KernelTensor, attrs: Readonly<Record<string, unknown>>): boolean {
  const [sh, sw] = attrs['stride'] as Pair;
  const [ph, pw] = attrs['padding'] as Pair;
  return w.shape[2] === 1 && w.shape[3] === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
}

/**
 * Up to this many weights per group (output channels x input channels x kernel size), a conv2d runs
 * without im2col: each 8-pixel panel reads them all, so they must stay in cache (beyond, the packed
 * GEMM's blocking wins).
 */
const DIRECT_WEIGHTS = 12288;

/**
 * conv2d as an indirect GEMM (assembly/conv.ts's conv_direct_f32): the input is copied once into zero-padded
 * planes (unless it needs no padding, is read at stride 1 and whole 8-pixel panels cover each output row),
 * then each tile of 4 output channels x 8 output pixels is summed straight from it through one table of K
 * byte offsets, with no im2col matrix packed per pixel. At horizontal stride sw > 1 the copy splits each row
 * by column phase (pad_f32), so a tap's 8 output pixels read 8 neighbours there too.
 */
function convDirect(ctx: Ctx, x: KernelTensor, w: KernelTensor, bias: KernelTensor | undefined, out: KernelTensor, attrs: Readonly<Record<string, unknown>>): true {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const [OH, OW] = [out.shape[2]!, out.shape[3]!];
  const [ph, pw] = attrs['padding'] as Pair;
  const [dh, dw] = attrs['dilation'] as Pair;
  const sw = (attrs['stride'] as Pair)[1];
  const groups = attrs['groups'] as number;
  const Og = O / groups;
  const K = Cg * KH * KW;
  const { pool } = ctx.backend;
  const parallel = split(N * Og * OH * OW * K, PARALLEL_FLOPS); // per group's call
  // Rows of the copy: sw phases of Wq columns each (one phase of Wp columns at stride 1).
  const Hp = H + 2 * ph;
  const Wq = Math.ceil((W + 2 * pw) / sw);
  const pitch = sw * Wq;
  // A partial last panel reads up to 7 pixels past its row: into the next row, or the copy's slack.
  const padded = ph > 0 || pw > 0 || sw > 1 || OW % 8 !== 0 ? scratch(ctx, N * C * Hp * pitch + 8) : undefined;
  // One block for the geometry (13 i32s, then 3 spare) and, from its 64th byte, the K offsets.
  const geom = ctx.allocate('int32', GEOM_INTS + K) as WasmStorage;
  // Packed weights, but for a depthwise conv (one channel per group), whose kernel reads them as they are.
  const pA = Cg === 1 && Og === 1 ? undefined : scratch(ctx, Math.ceil(Og / 4) * 4 * K);
  const tiles = scratch(ctx, 32 * pool.threads);
  try {
    const o = geom.data as Int32Array;
    o.set([KH, KW, ...(attrs['stride'] as Pair), ph, pw, dh, dw, OH, OW, N, C * Hp * pitch, O * OH * OW]);
    for (let c = 0, p = GEOM_INTS; c < Cg; c++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) o[p++] = ((c * Hp + ky * dh) * pitch + ((kx * dw) % sw) * Wq + Math.floor((kx * dw) / sw)) * 4;
      }
    }
    const offs = geom.ptr + GEOM_INTS * 4;
    if (padded) pool.run('pad_f32', [ptr(x), padded.ptr, N * C, H, W, ph, pw, sw], split(N * C * Hp * pitch, PARALLEL_ELEMENTS));
    const xp = padded ? padded.ptr : ptr(x);
    if (!pA) {
      // Depthwise: every channel in one call.
      pool.run('conv_depthwise_f32', [xp, C, Hp, pitch, geom.ptr, ptr(w), K, offs, ptr(out), bias ? ptr(bias) : 0, tiles.ptr], split(N * O * OH * OW * K, PARALLEL_FLOPS));
      return true;
    }
    for (let g = 0; g < groups; g++) {
      pool.run('pack_a', [ptr(w) + g * Og * K * 4, K, 1, Og, K, pA.ptr], false);
      const args = [xp + g * Cg * Hp * pitch * 4, pitch, geom.ptr, pA.ptr, Og, K, offs, ptr(out) + g * Og * OH * OW * 4, bias ? ptr(bias) + g * Og * 4 : 0, tiles.ptr];
      pool.run('conv_direct_f32', args, parallel);
    }
  } finally {
    for (const s of [geom, tiles, ...(pA ? [pA] : []), ...(padded ? [padded] : [])]) ctx.release(s, s.dtype, s.size);
  }
  return true;
}

/**
 * conv_transpose2d as a GEMM and a scatter: per image and group, cols = W_gᵀ · X_g (og·KH·KW rows of H·W
 * products, the packed GEMM reading W through its transpose's strides), then col2im adds each row into its
 * output plane, which starts as the bias. Output channels split over the threads in the scatter.
 */
export const fastConvTranspose2d: FastFn = ([x, w, bias], out, attrs, ctx) => {
  const [N, C, H, W] = x!.shape as [number, number, number, number];
  const [, og, KH, KW] = w!.shape as [number, number, number, number];
  const [, O, OH, OW] = out.shape as [number, number, number, number];
  const groups = attrs['groups'] as number;
  const cg = C / groups;
  const M = og * KH * KW;
  const HW = H * W;
  const plane = OH * OW;
  if (out.size === 0) return true;
  const o = (out.storage as WasmStorage).data;
  const b = bias ? (bias.storage as WasmStorage).data : undefined;
  for (let p = 0; p < N * O; p++) o.fill(b ? b[p % O]! : 0, p * plane, (p + 1) * plane);
  if (HW === 0 || cg === 0) return true;
  const { pool } = ctx.backend;
  const parallel = split(M * HW * cg, PARALLEL_FLOPS);
  const geom = geometry(ctx, [KH, KW, ...(attrs['stride'] as Pair), ...(attrs['padding'] as Pair), ...(attrs['dilation'] as Pair)]);
  const pA = scratch(ctx, Math.ceil(M / 4) * 4 * cg);
  const pB = scratch(ctx, Math.ceil(HW / 8) * 8 * cg);
  const cols = scratch(ctx, M * HW);
  const tiles = scratch(ctx, 32 * pool.threads);
  try {
    for (let g = 0; g < groups; g++) {
      pool.run('pack_a', [ptr(w!) + g * cg * M * 4, 1, M, M, cg, pA.ptr], false);
      for (let img = 0; img < N; img++) {
        pool.run('pack_b', [ptr(x!) + (img * C + g * cg) * HW * 4, HW, 1, HW, cg, pB.ptr], parallel);
        pool.run('gemm_f32', [pA.ptr, pB.ptr, cols.ptr, M, HW, cg, HW, tiles.ptr], parallel);
        pool.run('col2im_f32', [cols.ptr, ptr(out) + (img * O + g * og) * plane * 4, og, H, W, OH, OW, geom.ptr], parallel);
      }
    }
  } finally {
    for (const s of [geom, pA, pB, cols, tiles]) ctx.release(s, s.dtype, s.size);
  }
  return true;
};

/** max_pool2d or avg_pool2d over NCHW planes, output rows split over the threads. */
export function fastPool(avg: boolean): FastFn {
  return ([x], out, attrs, ctx) => {
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [OH, OW] = [out.shape[2]!, out.shape[3]!];
    if (out.size === 0) return true;
    const geom = geometry(ctx, [...(attrs['kernelSize'] as Pair), ...poolStride(attrs), ...(attrs['padding'] as Pair)]);
    try {
      const includePad = avg && (attrs['countIncludePad'] as boolean) ? 1 : 0;
      ctx.backend.pool.run('pool_f32', [ptr(x!), ptr(out), N * C, H, W, OH, OW, geom.ptr, avg ? 1 : 0, includePad], split(out.size, PARALLEL_ELEMENTS / 4));
    } finally {
      ctx.release(geom, geom.dtype, geom.size);
    }
    return true;
  };
}

/**
 * resize of the last two axes: the source taps of every output row and column are found once here (as the
 * reference kernel finds them), then the threads split the output rows; linear interpolates in float64.
 */
export const fastResize: FastFn = ([x], out, attrs, ctx) => {
  const rank = x!.shape.length;
  const [ih, iw] = [x!.shape[rank - 2]!, x!.shape[rank - 1]!];
  const [oh, ow] = [out.shape[rank - 2]!, out.shape[rank - 1]!];
  if (ih * iw === 0) return false;
  if (out.size === 0) return true;
  const scales = (attrs['scales'] as number[] | null) ?? [oh / ih, ow / iw];
  const mode = attrs['coordinateTransformationMode'] as CoordinateTransformationMode;
  const linear = attrs['mode'] === 'linear';
  // i32 yLo, yHi, xLo, xHi, then (8-byte aligned) f64 weights of the second row and column.
  const ints = 2 * (oh + ow);
  const taps = scratch(ctx, ints + 2 + 2 * (oh + ow));
  try {
    const buffer = taps.heap.memory.buffer;
    const i32 = new Int32Array(buffer, taps.ptr, ints);
    const f64 = new Float64Array(buffer, (taps.ptr + ints * 4 + 7) & ~7, oh + ow);
    const axis = (size: number, inSize: number, scale: number, lo: number, weights: number) => {
      for (let i = 0; i < size; i++) {
        const src = resizeSource(mode, i, scale, inSize, size);
        if (!linear) {
          i32[lo + i] = nearestIndex(attrs['nearestMode'] as NearestMode, src, inSize);
          continue;
        }
        const c = Math.min(Math.max(src, 0), inSize - 1);
        i32[lo + i] = Math.floor(c);
        i32[lo + size + i] = Math.min(i32[lo + i]! + 1, inSize - 1);
        f64[weights + i] = c - i32[lo + i]!;
      }
    };
    axis(oh, ih, scales[0]!, 0, 0);
    axis(ow, iw, scales[1]!, 2 * oh, oh);
    ctx.backend.pool.run('resize_f32', [ptr(x!), ptr(out), out.size / (oh * ow), ih, iw, oh, ow, taps.ptr, linear ? 1 : 0], split(out.size, PARALLEL_ELEMENTS / 4));
  } finally {
    ctx.release(taps, 'float32', taps.size);
  }
  return true;
};

/** The fast paths over images, by operator (all float32). */
export const SPATIAL_FAST_PATHS: Readonly<Record<string, FastFn>> = {
  conv2d: fastConv2d,
  conv_transpose2d: fastConvTranspose2d,
  max_pool2d: fastPool(false),
  avg_pool2d: fastPool(true),
  resize: fastResize,
};
