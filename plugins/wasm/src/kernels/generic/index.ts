import type { KernelSpec } from '@hearth/core';
import { UNARY_KERNELS } from './unary.js';
import { BINARY_KERNELS } from './binary.js';
import { WHERE_KERNELS } from './where.js';
import { CAST_KERNELS } from './cast.js';
import { REDUCE_KERNELS } from './reduce.js';
import { SOFTMAX_KERNELS } from './softmax.js';
import { MATMUL_KERNELS } from './matmul.js';
import { MOVEMENT_KERNELS } from './movement.js';
import { CONV_KERNELS } from './conv.js';
import { CREATION_KERNELS } from './creation.js';

/**
 * Every operator in plain TypeScript over views of the WebAssembly memory: the reference CPU plugin's
 * kernels (a plugin imports no other plugin, so they are carried here), for float32, int32 and bool. The
 * SIMD kernels take over the hot cases and hand everything else to these.
 */
export const GENERIC_KERNELS: readonly KernelSpec[] = [
  ...UNARY_KERNELS,
  ...BINARY_KERNELS,
  ...WHERE_KERNELS,
  ...CAST_KERNELS,
  ...REDUCE_KERNELS,
  ...SOFTMAX_KERNELS,
  ...MATMUL_KERNELS,
  ...MOVEMENT_KERNELS,
  ...CONV_KERNELS,
  ...CREATION_KERNELS,
];
