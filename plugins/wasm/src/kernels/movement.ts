import { broadcastStrides, normalizeAxis, sliceAxes, stridesOf, type KernelContext, type KernelTensor, type Shape } from '@hearth/core';
import type { WasmBackend } from '../backend.js';
import type { WasmStorage } from '../heap.js';
import { PARALLEL_ELEMENTS, ptr, split, type FastFn } from './fast.js';

// reshape as a memmove; transpose, slice and expand as one strided copy in WebAssembly (assembly/movement.ts): the output's rows
// are copied whole where the source's last axis is contiguous, gathered at a stride where it is not.

/** Copies x into out: output element (i0, i1, ...) from x[base + Σ ik·strides[k]]. */
function stridedCopy(ctx: KernelContext<WasmBackend>, x: KernelTensor, out: KernelTensor, strides: readonly number[], base: number, shape: Shape): true {
  const rank = shape.length;
  if (out.size === 0) return true;
  if (rank === 0) {
    (out.storage as WasmStorage).data[0] = (x.storage as WasmStorage).data[base]!;
    return true;
  }
  const geom = ctx.allocate('int32', Math.max(2 * rank + 1, 16)) as WasmStorage;
  try {
    const g = geom.data as Int32Array;
    g.set(shape);
    g.set(strides, rank);
    g[2 * rank] = base;
    ctx.backend.pool.run('strided_copy_32', [ptr(x), ptr(out), rank, geom.ptr], split(out.size, PARALLEL_ELEMENTS));
  } finally {
    ctx.release(geom, 'int32', geom.size);
  }
  return true;
}

const transpose: FastFn = ([x], out, attrs, ctx) => {
  const shape = x!.shape;
  const strides = stridesOf(shape);
  const perm = (attrs['perm'] as number[] | null) ?? shape.map((_, i) => shape.length - 1 - i);
  return stridedCopy(ctx, x!, out, perm.map((p) => strides[normalizeAxis(p, shape.length)]!), 0, out.shape);
};

const slice: FastFn = ([x], out, attrs, ctx) => {
  const strides = stridesOf(x!.shape);
  const axes = sliceAxes(x!.shape, attrs['starts'] as number[], attrs['ends'] as number[], attrs['axes'] as number[] | null, attrs['steps'] as number[] | null);
  let base = 0;
  for (let i = 0; i < axes.length; i++) if (axes[i]!.length > 0) base += axes[i]!.start * strides[i]!;
  return stridedCopy(ctx, x!, out, axes.map((a, i) => a.step * strides[i]!), base, out.shape);
};

/** reshape is a copy of the bytes: a memmove inside the memory, with no typed-array view made for the call. */
const reshape: FastFn = ([x], out, _attrs, ctx) => {
  const from = ptr(x!);
  ctx.backend.heap.views.u8.copyWithin(ptr(out), from, from + out.size * 4);
  return true;
};

const expand: FastFn = ([x], out, _attrs, ctx) => stridedCopy(ctx, x!, out, broadcastStrides(x!.shape, out.shape.length), 0, out.shape);

/** The movement fast paths, by operator (float32). */
export const MOVEMENT_FAST_PATHS: Readonly<Record<string, FastFn>> = { reshape, transpose, slice, expand };
