import type { KernelSpec } from '@hearth/core';
import type { WebGPUBackend } from '../backend.js';
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
import { SCAN_KERNELS } from './scan.js';
import { ELEMENTS_KERNELS } from './elements.js';
import { RESIZE_KERNELS } from './resize.js';
import { CONV_TRANSPOSE_KERNELS } from './conv-transpose.js';
import { RANDOM_KERNELS } from './random.js';

/** Every WebGPU kernel, registered from this one list. */
export const WEBGPU_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [
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
  ...SCAN_KERNELS,
  ...ELEMENTS_KERNELS,
  ...RESIZE_KERNELS,
  ...CONV_TRANSPOSE_KERNELS,
  ...RANDOM_KERNELS,
];
