import { broadcastStrides, normalizeAxis, type KernelContext, type KernelFn, type KernelSpec, type KernelTensor, type Shape } from '@hearth/core';
import type { WasmBackend } from '../backend.js';
import type { WasmStorage } from '../heap.js';
import { BINARY_OPS, fastUnary, gemm, operand, PARALLEL_ELEMENTS, ptr, scratch, split, UNARY_COMPOSITES } from './fast.js';

// Fused kernels for opset v2 composites: one kernel where the decomposition would make several calls and
// intermediates. Each covers every case its composite allows (a composite has no generic kernel to fall
// back on) and performs the decomposition's float32 steps, so it stays inside the composite's bound.

type Ctx = KernelContext<WasmBackend>;

/** `p` (broadcastable to `inner`, n elements) expanded into the n floats of `into`; returns its address. */
function expanded(p: KernelTensor, inner: Shape, n: number, into: WasmStorage): number {
  const src = (p.storage as WasmStorage).data;
  const dst = into.data;
  const strides = broadcastStrides(p.shape, inner.length);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let ax = inner.length - 1, rest = i; ax >= 0; ax--) {
      off += (rest % inner[ax]!) * strides[ax]!;
      rest = Math.floor(rest / inner[ax]!);
    }
    dst[i] = src[off]!;
  }
  return into.ptr;
}

/** layer_norm: rows of the axes from `axis` on, normalized in one SIMD pass each (assembly/norm.ts). */
const layerNorm: KernelFn<WasmBackend> = ([x, scale, bias], out, attrs, ctx) => {
  const shape = x!.shape;
  const axis = normalizeAxis(attrs['axis'] as number, shape.length, 'layer_norm');
  let n = 1;
  for (let i = axis; i < shape.length; i++) n *= shape[i]!;
  if (out.size === 0) return;
  // Scale and bias of the row's size are read in place; a broadcast one is expanded into scratch first.
  const sTemp = scale && scale.size !== n ? scratch(ctx, n) : undefined;
  const bTemp = bias && bias.size !== n ? scratch(ctx, n) : undefined;
  try {
    const s = scale ? (sTemp ? expanded(scale, shape.slice(axis), n, sTemp) : ptr(scale)) : 0;
    const b = bias ? (bTemp ? expanded(bias, shape.slice(axis), n, bTemp) : ptr(bias)) : 0;
    ctx.backend.pool.run('layer_norm_f32', [ptr(x!), ptr(out), out.size / n, n, s, b, attrs['epsilon'] as number], split(out.size, PARALLEL_ELEMENTS / 4));
  } finally {
    if (sTemp) ctx.release(sTemp, 'float32', sTemp.size);
    if (bTemp) ctx.release(bTemp, 'float32', bTemp.size);
  }
};

/** One float32 scalar in scratch, for a binary kernel's repeating operand. */
function scalarIn(ctx: Ctx, value: number): WasmStorage {
  const s = scratch(ctx, 1);
  s.data[0] = value;
  return s;
}

/**
 * linear (ONNX Gemm): the packed GEMM reads A and B through their transposes' strides, then alpha · C and
 * + beta · c run as the decomposition's float32 multiply and add, on C while it is in cache.
 */
const linear: KernelFn<WasmBackend> = ([a, w, c], out, attrs, ctx) => {
  const m = out.shape[0]!;
  const n = out.shape[1]!;
  const transA = attrs['transA'] as boolean;
  const transB = attrs['transB'] as boolean;
  const k = transA ? a!.shape[0]! : a!.shape[1]!;
  const alpha = attrs['alpha'] as number;
  const beta = attrs['beta'] as number;
  const size = m * n;
  if (size === 0) return;
  const { pool } = ctx.backend;
  const parallel = split(size, PARALLEL_ELEMENTS);
  const temps: WasmStorage[] = [];
  try {
    // A bias row added as the product is stored, where nothing comes between them (alpha 1, beta 1).
    const rowBias = c && k > 0 && alpha === 1 && beta === 1 && c.size === n && c.shape[c.shape.length - 1] === n ? ptr(c) : 0;
    if (k === 0) (out.storage as WasmStorage).data.fill(0);
    else gemm(ctx, operand(ptr(a!), a!.shape[1]!, transA), operand(ptr(w!), w!.shape[1]!, transB), ptr(out), m, n, k, undefined, rowBias);
    if (rowBias) return;
    if (alpha !== 1) {
      const s = scalarIn(ctx, alpha);
      temps.push(s);
      pool.run('binary_f32', [BINARY_OPS['mul']![0], ptr(out), s.ptr, ptr(out), size, 1, 0, 1], parallel);
    }
    if (!c) return;
    let bias = ptr(c);
    if (beta !== 1) {
      const s = scalarIn(ctx, beta);
      const scaled = scratch(ctx, c.size);
      temps.push(s, scaled);
      if (c.size > 0) pool.run('binary_f32', [BINARY_OPS['mul']![0], bias, s.ptr, scaled.ptr, c.size, 1, 0, 1], false);
      bias = scaled.ptr;
    }
    if (c.shape.length === 2 && c.shape[0] === m && c.shape[1] === 1 && n > 1) {
      // A column [m, 1]: each row adds its own value (no SIMD kernel repeats that way; it is rare in models).
      const f = ctx.backend.heap.views.f32;
      const o = ptr(out) >>> 2;
      for (let i = 0; i < m; i++) for (let j = 0, v = f[(bias >>> 2) + i]!; j < n; j++) f[o + i * n + j] = f[o + i * n + j]! + v;
    } else {
      pool.run('binary_f32', [BINARY_OPS['add']![0], ptr(out), bias, ptr(out), size, c.size, 0, 1], parallel);
    }
  } finally {
    for (const t of temps) ctx.release(t, 'float32', t.size);
  }
};

const always = (f: ReturnType<typeof fastUnary>): KernelFn<WasmBackend> => (inputs, output, attrs, ctx) => void f(inputs, output, attrs, ctx);

/** The fused float32 kernels of opset v2 composites, for the wasm device. */
export const FUSED_KERNELS: readonly KernelSpec<WasmBackend>[] = [
  { op: 'layer_norm', device: 'wasm', dtypes: ['float32'], run: layerNorm },
  { op: 'linear', device: 'wasm', dtypes: ['float32'], run: linear },
  ...Object.keys(UNARY_COMPOSITES).map((op): KernelSpec<WasmBackend> => ({ op, device: 'wasm', dtypes: ['float32'], run: always(fastUnary(op)) })),
];
