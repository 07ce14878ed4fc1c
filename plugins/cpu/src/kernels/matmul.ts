import { type DType, type KernelSpec, type Shape } from '@hearth/core';
import { arr, forEachBroadcast } from './util.js';

/** The operands as batches of matrices: 1-D a is a row [1, K], 1-D b a column [K, 1] (NumPy rules). */
function asMatrices(a: Shape, b: Shape) {
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  return { m: a2[a2.length - 2]!, k: a2[a2.length - 1]!, n: b2[b2.length - 1]!, aBatch: a2.slice(0, -2), bBatch: b2.slice(0, -2) };
}

function matmulKernel(dtypes: readonly DType[], int: boolean): KernelSpec {
  return {
    op: 'matmul',
    device: 'cpu',
    dtypes,
    run([a, b], out) {
      const x = arr(a!);
      const y = arr(b!);
      const o = arr(out);
      const { m, k, n, aBatch, bBatch } = asMatrices(a!.shape, b!.shape);
      const batch = out.shape.slice(0, out.shape.length - (a!.shape.length > 1 ? 1 : 0) - (b!.shape.length > 1 ? 1 : 0));
      const mk = m * k;
      const kn = k * n;
      const mn = m * n;
      // One call per batch matrix; the inner loops accumulate each dot product in a JS double (float64),
      // or with exact two's-complement wrap-around for int32.
      forEachBroadcast(batch, [aBatch, bBatch], (bi, off) => {
        const ao = off[0]! * mk;
        const bo = off[1]! * kn;
        const oo = bi * mn;
        // Stryker disable next-line EqualityOperator: row i = m is the next batch matrix's first row, which its own call overwrites later (or past the end, dropped)
        for (let i = 0; i < m; i++) {
          // Stryker disable next-line EqualityOperator: column j = n is the next row's first element, which the next row overwrites (or past the end, dropped)
          for (let j = 0; j < n; j++) {
            let acc = 0;
            if (int) for (let p = 0; p < k; p++) acc = (acc + Math.imul(x[ao + i * k + p]!, y[bo + p * n + j]!)) | 0;
            else for (let p = 0; p < k; p++) acc += x[ao + i * k + p]! * y[bo + p * n + j]!;
            o[oo + i * n + j] = acc;
          }
        }
      });
    },
  };
}

/** matmul with broadcast batch axes. */
export const MATMUL_KERNELS: readonly KernelSpec[] = [matmulKernel(['float32', 'float64'], false), matmulKernel(['int32'], true)];
