import type { KernelSpec } from '@hearth/core';
import { UNARY_KERNELS } from './unary.js';
import { BINARY_KERNELS } from './binary.js';

/** Every CPU kernel, registered from this one list. */
export const CPU_KERNELS: readonly KernelSpec[] = [...UNARY_KERNELS, ...BINARY_KERNELS];
