import type { DType, KernelSpec } from '@hearth/core';
import { arr } from './util.js';
import { converterTo } from './convert.js';

const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/**
 * cast, keyed by the input's dtype; it converts into whatever dtype the output has. int32 and bool inputs
 * hold exact integers, so only the int32/bool targets need a conversion function.
 */
export const CAST_KERNELS: readonly KernelSpec[] = [
  {
    op: 'cast',
    device: 'cpu',
    dtypes: ALL,
    run([x], out) {
      const a = arr(x!);
      const o = arr(out);
      // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: converting is an identity where this skips it: toInt32 on int32 data, toBool on bool data, and a bool's 0 or 1 into int32 (float targets have no converter)
      const convert = x!.dtype === out.dtype || x!.dtype === 'bool' ? undefined : converterTo(out.dtype);
      if (convert === undefined) {
        o.set(a);
        return;
      }
      // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
      for (let i = 0; i < o.length; i++) o[i] = convert(a[i]!);
    },
  },
];
