import { broadcastStrides, type HostArray, type KernelTensor, type Shape } from '@hearth/core';
import type { CpuStorage } from '../backend.js';

/** The host array behind a CPU tensor. */
export function arr(t: KernelTensor): HostArray {
  return (t.storage as CpuStorage).data;
}

/**
 * Calls `visit(outIndex, offsets...)` for every element of `outShape`, with each input's element offset
 * under broadcasting. Same-shape inputs take the fast path (offset = index).
 */
export function forEachBroadcast(outShape: Shape, inputs: readonly Shape[], visit: (i: number, offsets: Int32Array) => void): void {
  const rank = outShape.length;
  let size = 1;
  for (const d of outShape) size *= d;
  const offsets = new Int32Array(inputs.length);
  // Stryker disable next-line BlockStatement,ArrowFunction: a fast path for same-shape inputs; the general broadcast walk gives the same result
  if (inputs.every((s) => s.length === rank && s.every((d, k) => d === outShape[k]))) {
    // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
    for (let i = 0; i < size; i++) {
      offsets.fill(i);
      visit(i, offsets);
    }
    return;
  }
  const strides = inputs.map((s) => broadcastStrides(s, rank));
  const idx = new Int32Array(rank);
  // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
  for (let i = 0; i < size; i++) {
    visit(i, offsets);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      for (let k = 0; k < strides.length; k++) offsets[k]! += strides[k]![ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      for (let k = 0; k < strides.length; k++) offsets[k]! -= strides[k]![ax]! * idx[ax]!;
      idx[ax] = 0;
    }
  }
}

/** The element counts before, along and after `axis`: a tensor seen as [outer, n, inner]. */
export function splitAt(shape: Shape, axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, n: shape[axis]!, inner };
}

/**
 * Copies a strided view of `src` into `dst` in row-major order: element (i0, i1, ...) of `shape` comes from
 * `src[base + i0 * strides[0] + i1 * strides[1] + ...]`. Strides may be 0 (broadcast) or negative
 * (reversed slices). Serves transpose, slice and expand with one loop.
 */
export function stridedCopy(src: HostArray, base: number, strides: readonly number[], shape: Shape, dst: HostArray): void {
  const rank = shape.length;
  const size = dst.length;
  // Stryker disable next-line ConditionalExpression: an empty output makes the copy loop below run zero times anyway
  if (size === 0) return;
  if (rank === 0) {
    dst[0] = src[base]!;
    return;
  }
  const last = rank - 1;
  const n = shape[last]!;
  const step = strides[last]!;
  const idx = new Int32Array(rank);
  let off = base;
  // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
  for (let o = 0; o < size; o += n) {
    // Stryker disable next-line EqualityOperator: the extra element lands on the next row's first slot, which the next pass overwrites (or past the end, dropped)
    for (let j = 0, s = off; j < n; j++, s += step) dst[o + j] = src[s]!;
    // Advance the outer axes like an odometer.
    for (let ax = last - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      off -= strides[ax]! * idx[ax]!;
      idx[ax] = 0;
    }
  }
}
