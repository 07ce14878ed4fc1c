import type { KernelContext, KernelTensor } from '@hearth/core';
import type { WasmBackend } from '../backend.js';
import type { WasmStorage } from '../heap.js';
import { PARALLEL_FLOPS, ptr, split } from './fast.js';

type Pair = [number, number];

/** True when conv2d with these shapes is depthwise: one input channel per group and one output channel per input channel. */
export function isDepthwise(C: number, O: number, groups: number): boolean {
  return groups === C && O === C && groups > 1;
}

/**
 * Depthwise conv2d (assembly/dwconv.ts's dwconv_f32): each output row in SIMD over its pixels, every tap of
 * the kernel in registers, rows split over the threads. Any kernel size, stride, dilation and padding.
 */
export function depthwiseConv2d(ctx: KernelContext<WasmBackend>, x: KernelTensor, w: KernelTensor, bias: KernelTensor | undefined, out: KernelTensor, attrs: Readonly<Record<string, unknown>>): true {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [KH, KW] = [w.shape[2]!, w.shape[3]!];
  const [OH, OW] = [out.shape[2]!, out.shape[3]!];
  const geom = ctx.allocate('int32', 16) as WasmStorage;
  (geom.data as Int32Array).set([KH, KW, ...(attrs['stride'] as Pair), ...(attrs['padding'] as Pair), ...(attrs['dilation'] as Pair), OH, OW]);
  try {
    ctx.backend.pool.run('dwconv_f32', [ptr(x), ptr(w), bias ? ptr(bias) : 0, ptr(out), N * C, C, H, W, geom.ptr], split(out.size * KH * KW, PARALLEL_FLOPS));
  } finally {
    ctx.release(geom, 'int32', 16);
  }
  return true;
}
