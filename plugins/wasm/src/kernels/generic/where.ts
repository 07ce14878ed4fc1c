import type { DType, KernelSpec } from '@hearth/core';
import { arr, forEachBroadcast } from './util.js';

const ALL: readonly DType[] = ['float32', 'int32', 'bool'];

/** where(cond, a, b): cond is bool; a and b arrive already promoted to the output's dtype. */
export const WHERE_KERNELS: readonly KernelSpec[] = [
  {
    op: 'where',
    device: 'wasm',
    dtypes: ALL,
    run([cond, a, b], out) {
      const c = arr(cond!);
      const x = arr(a!);
      const y = arr(b!);
      const o = arr(out);
      forEachBroadcast(out.shape, [cond!.shape, a!.shape, b!.shape], (i, off) => {
        o[i] = c[off[0]!] ? x[off[1]!]! : y[off[2]!]!;
      });
    },
  },
];
