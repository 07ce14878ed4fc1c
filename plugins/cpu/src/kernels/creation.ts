import type { DType, KernelSpec } from '@hearth/core';
import { arr } from './util.js';
import { convertScalar } from './convert.js';

/** full and arange: keyed by the output dtype; values convert into it as cast does. */
export const CREATION_KERNELS: readonly KernelSpec[] = [
  {
    op: 'full',
    device: 'cpu',
    dtypes: ['float32', 'float64', 'int32', 'bool'] as readonly DType[],
    run(_inputs, out, attrs) {
      arr(out).fill(convertScalar(attrs['value'] as number, out.dtype));
    },
  },
  {
    op: 'arange',
    device: 'cpu',
    dtypes: ['float32', 'float64', 'int32'] as readonly DType[],
    run(_inputs, out, attrs) {
      const start = attrs['start'] as number;
      const step = attrs['step'] as number;
      const o = arr(out);
      // Element i is start + i * step in float64 (not a running sum, which drifts), then converted.
      // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
      for (let i = 0; i < o.length; i++) o[i] = convertScalar(start + i * step, out.dtype);
    },
  },
];
