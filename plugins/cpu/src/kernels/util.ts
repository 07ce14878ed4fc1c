import type { HostArray, KernelTensor, Shape } from '@hearth/core';
import type { CpuStorage } from '../backend.js';

/** The host array behind a CPU tensor. */
export function arr(t: KernelTensor): HostArray {
  return (t.storage as CpuStorage).data;
}

/**
 * Strides of `shape` as seen from a broadcast output of rank `rank`: 0 on axes that are broadcast (size 1
 * or missing), so one index walk serves every input.
 */
export function broadcastStrides(shape: Shape, rank: number): number[] {
  const out = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = i + rank - shape.length;
    out[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return out;
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
  if (inputs.every((s) => s.length === rank && s.every((d, k) => d === outShape[k]))) {
    for (let i = 0; i < size; i++) {
      offsets.fill(i);
      visit(i, offsets);
    }
    return;
  }
  const strides = inputs.map((s) => broadcastStrides(s, rank));
  const idx = new Int32Array(rank);
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
