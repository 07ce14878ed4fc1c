import type { DType, KernelSpec } from '@hearth/core';
import { GENERIC_KERNELS } from './generic/index.js';
import { FAST_PATHS, withFallback } from './fast.js';

const asList = (d: DType | readonly DType[]): readonly DType[] => (typeof d === 'string' ? [d] : d);

/**
 * Every wasm kernel: the generic ones, with float32 registrations of the operators in FAST_PATHS split
 * off to try the SIMD kernel first.
 */
export const WASM_KERNELS: readonly KernelSpec[] = GENERIC_KERNELS.flatMap((k): KernelSpec[] => {
  const fast = FAST_PATHS[k.op];
  const dtypes = asList(k.dtypes);
  if (!fast || !dtypes.includes('float32')) return [k];
  const rest = dtypes.filter((d) => d !== 'float32');
  return [{ ...k, dtypes: ['float32'], run: withFallback(fast, k.run) }, ...(rest.length ? [{ ...k, dtypes: rest }] : [])];
});
