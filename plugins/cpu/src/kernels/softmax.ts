import { normalizeAxis, type DType, type KernelSpec } from '@hearth/core';
import { arr, splitAt } from './util.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];

/**
 * softmax and log_softmax along one axis, in float64: the max is subtracted first so exp never overflows,
 * and a NaN anywhere in a slice makes the max, hence the whole slice, NaN.
 */
function softmaxKernel(op: string, log: boolean): KernelSpec {
  return {
    op,
    device: 'cpu',
    dtypes: FLOATS,
    run([x], out, attrs) {
      const a = arr(x!);
      const o = arr(out);
      const { outer, n, inner } = splitAt(x!.shape, normalizeAxis(attrs['axis'] as number, x!.shape.length, op));
      // Stryker disable next-line EqualityOperator: a typed-array write one past the end is dropped and the extra iteration has no other effect, so <= computes the same
      for (let p = 0; p < outer; p++) {
        for (let q = 0; q < inner; q++) {
          const base = p * n * inner + q;
          let max = -Infinity;
          for (let k = 0, s = base; k < n; k++, s += inner) max = Math.max(max, a[s]!);
          let sum = 0;
          for (let k = 0, s = base; k < n; k++, s += inner) sum += Math.exp(a[s]! - max);
          if (log) {
            const lse = Math.log(sum);
            // Stryker disable next-line EqualityOperator: the extra element is the same position in the next outer slice, which that slice overwrites later (or past the end, dropped)
            for (let k = 0, s = base; k < n; k++, s += inner) o[s] = a[s]! - max - lse;
          } else {
            // Stryker disable next-line EqualityOperator: the extra element is the same position in the next outer slice, which that slice overwrites later (or past the end, dropped)
            for (let k = 0, s = base; k < n; k++, s += inner) o[s] = Math.exp(a[s]! - max) / sum;
          }
        }
      }
    },
  };
}

/** The softmax family. */
export const SOFTMAX_KERNELS: readonly KernelSpec[] = [softmaxKernel('softmax', false), softmaxKernel('log_softmax', true)];
