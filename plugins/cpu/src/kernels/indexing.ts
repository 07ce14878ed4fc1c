import { HearthError, normalizeAxis, stridesOf, type DType, type KernelSpec } from '@hearth/core';
import { arr } from './util.js';

const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** gather_elements and tile: every output element reads one input element, found by an index walk. */
export const INDEXING_KERNELS: readonly KernelSpec[] = [
  {
    op: 'gather_elements',
    device: 'cpu',
    dtypes: ALL,
    run([x, indices], out, attrs) {
      const a = arr(x!);
      const idx = arr(indices!);
      const o = arr(out);
      const shape = out.shape;
      const rank = shape.length;
      const axis = normalizeAxis(attrs['axis'] as number, rank);
      const n = x!.shape[axis]!;
      // Check every index first, so an error leaves no half-written output behind.
      for (let i = 0; i < idx.length; i++) {
        const v = idx[i]!;
        if (v < -n || v >= n) {
          throw new HearthError('E_INDEX_OUT_OF_RANGE', `gather_elements: index ${v} (at position ${i} of indices) is out of range for axis ${axis} of size ${n}; use indices in [${-n}, ${n - 1}].`, { index: v, position: i, axis, size: n });
        }
      }
      const strides = stridesOf(x!.shape);
      const coord = new Int32Array(rank);
      for (let i = 0; i < o.length; i++) {
        let src = 0;
        for (let d = 0; d < rank; d++) {
          const v = d === axis ? idx[i]! : coord[d]!;
          src += (v < 0 ? v + n : v) * strides[d]!;
        }
        o[i] = a[src]!;
        for (let d = rank - 1; d >= 0; d--) {
          if (++coord[d]! < shape[d]!) break;
          coord[d] = 0;
        }
      }
    },
  },
  {
    op: 'tile',
    device: 'cpu',
    dtypes: ALL,
    run([x], out) {
      const a = arr(x!);
      const o = arr(out);
      const inShape = x!.shape;
      const rank = inShape.length;
      const strides = stridesOf(inShape);
      const coord = new Int32Array(rank);
      for (let i = 0; i < o.length; i++) {
        let src = 0;
        for (let d = 0; d < rank; d++) src += (coord[d]! % inShape[d]!) * strides[d]!;
        o[i] = a[src]!;
        for (let d = rank - 1; d >= 0; d--) {
          if (++coord[d]! < out.shape[d]!) break;
          coord[d] = 0;
        }
      }
    },
  },
];
