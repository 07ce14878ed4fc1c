import { normalizeAxis, type DType, type KernelSpec } from '@hearth/core';
import { arr, splitAt } from './util.js';

const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32'];

/** NaN ranks above every number (topk's rule); -0 and +0 tie. */
function compareValues(a: number, b: number): number {
  const na = a !== a;
  const nb = b !== b;
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** cumsum and topk: each walks the lines along one axis (a tensor seen as [outer, n, inner]). */
export const SCAN_KERNELS: readonly KernelSpec[] = [
  {
    op: 'cumsum',
    device: 'cpu',
    dtypes: NUMERIC,
    run([x], out, attrs) {
      const a = arr(x!);
      const o = arr(out);
      const { outer, n, inner } = splitAt(x!.shape, normalizeAxis(attrs['axis'] as number, x!.shape.length));
      const exclusive = attrs['exclusive'] as boolean;
      const reverse = attrs['reverse'] as boolean;
      const wrap = out.dtype === 'int32';
      for (let p = 0; p < outer; p++) {
        for (let q = 0; q < inner; q++) {
          let sum = 0;
          for (let j = 0; j < n; j++) {
            const at = p * n * inner + (reverse ? n - 1 - j : j) * inner + q;
            const next = wrap ? (sum + a[at]!) | 0 : sum + a[at]!;
            o[at] = exclusive ? sum : next;
            sum = next;
          }
        }
      }
    },
  },
  {
    op: 'topk',
    device: 'cpu',
    dtypes: NUMERIC,
    run([x], out, attrs) {
      const a = arr(x!);
      const o = arr(out);
      const axis = normalizeAxis(attrs['axis'] as number, x!.shape.length);
      const { outer, n, inner } = splitAt(x!.shape, axis);
      const k = attrs['k'] as number;
      const sign = (attrs['largest'] as boolean) ? -1 : 1;
      const order = Array.from({ length: n }, (_, i) => i);
      for (let p = 0; p < outer; p++) {
        for (let q = 0; q < inner; q++) {
          const at = (i: number) => a[(p * n + i) * inner + q]!;
          for (let i = 0; i < n; i++) order[i] = i;
          order.sort((i, j) => sign * compareValues(at(i), at(j)) || i - j);
          for (let r = 0; r < k; r++) o[(p * k + r) * inner + q] = order[r]!;
        }
      }
    },
  },
];
