import type { DType, KernelSpec } from '@hearth/core';
import type { WebGPUBackend } from '../backend.js';
import { gpuType } from '../dtypes.js';
import { runElementwise, type ElementwiseOp } from './elementwise.js';

const ALL: readonly DType[] = ['float32', 'float16', 'int32', 'bool'];

/** `where(cond, a, b)`: the elementwise template with three broadcast inputs. */
export const WHERE_KERNELS: readonly KernelSpec<WebGPUBackend>[] = ALL.map((dtype) => {
  const t = gpuType(dtype).compute;
  const op: ElementwiseOp = {
    name: 'where',
    key: `where|${dtype}`,
    inputs: ['bool', dtype, dtype],
    output: dtype,
    wgsl: `fn f(c: u32, a: ${t}, b: ${t}) -> ${t} { return select(b, a, c != 0u); }\n`,
  };
  return { op: 'where', device: 'webgpu', dtypes: dtype, run: (inputs, output, _a, ctx) => runElementwise(ctx.backend, op, inputs, output) };
});
