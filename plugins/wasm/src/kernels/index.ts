import type { DType, KernelSpec } from '@hearth/core';
import { CPU_KERNELS } from '@hearth/plugin-cpu';
import { FAST_PATHS, withFallback } from './fast.js';
import { FUSED_KERNELS } from './fused.js';
import { MOVEMENT_FAST_PATHS } from './movement.js';
import { SPATIAL_FAST_PATHS } from './spatial.js';

const FAST: typeof FAST_PATHS = { ...FAST_PATHS, ...SPATIAL_FAST_PATHS, ...MOVEMENT_FAST_PATHS };

const STORED: readonly DType[] = ['float32', 'int32', 'bool'];
const asList = (d: DType | readonly DType[]): readonly DType[] => (typeof d === 'string' ? [d] : d);

/**
 * The reference CPU plugin's kernels, registered for the wasm device: they read `storage.data`, which a
 * wasm tensor gives as a typed-array view of its WebAssembly memory, so the same code serves both and the
 * two backends agree on every operator's edge cases. float64 is dropped (the wasm device does not store it).
 */
const GENERIC_KERNELS: readonly KernelSpec[] = CPU_KERNELS.flatMap((k): KernelSpec[] => {
  const dtypes = asList(k.dtypes).filter((d) => STORED.includes(d));
  return dtypes.length ? [{ op: k.op, device: 'wasm', dtypes, run: k.run }] : [];
});

/**
 * Every wasm kernel: the generic ones, with float32 registrations of the operators with a fast path split
 * off to try the SIMD kernel first, and the fused kernels of opset v2 composites.
 */
export const WASM_KERNELS: readonly KernelSpec[] = [
  ...GENERIC_KERNELS.flatMap((k): KernelSpec[] => {
    const fast = FAST[k.op];
    const dtypes = asList(k.dtypes);
    if (!fast || !dtypes.includes('float32')) return [k];
    const rest = dtypes.filter((d) => d !== 'float32');
    return [{ ...k, dtypes: ['float32'], run: withFallback(fast, k.run) }, ...(rest.length ? [{ ...k, dtypes: rest }] : [])];
  }),
  ...(FUSED_KERNELS as readonly KernelSpec[]),
];
