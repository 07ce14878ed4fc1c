import { HearthError, type Shape } from '@hearth/core';

/** The highest rank the strided templates take after merging axes. */
export const MAX_RANK = 8;

/**
 * Merges axes that walk memory the same way in every stride set (and drops size-1 axes), so most
 * broadcasts and views run at rank 1 or 2. Throws `E_SHAPE` when more than {@link MAX_RANK} axes remain.
 */
export function coalesce(shape: Shape, strides: readonly (readonly number[])[], op: string): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    const d = shape[ax]!;
    if (d === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[ax]! * d)) {
      outShape[last]! *= d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[ax]!));
    } else {
      outShape.push(d);
      strides.forEach((s, k) => outStrides[k]!.push(s[ax]!));
    }
  }
  if (outShape.length > MAX_RANK) {
    throw new HearthError('E_SHAPE', `${op}: webgpu handles at most ${MAX_RANK} non-mergeable axes, got ${outShape.length}; reshape to fewer axes first.`, { shape });
  }
  return { shape: outShape, strides: outStrides };
}
