import type { DType, KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { gpuType } from '../dtypes.js';
import { F2I_WGSL } from '../wgsl/math.js';
import { runElementwise, type ElementwiseOp } from './elementwise.js';

const ALL: readonly DType[] = ['float32', 'float16', 'int32', 'bool'];

/** The WGSL of one conversion between compute types, following cast's doc (the store rounds to float16). */
export function convertWgsl(from: DType, to: DType): string {
  const a = gpuType(from).compute;
  const b = gpuType(to).compute;
  let body: string;
  let helpers = '';
  if (a === b) body = 'return a;';
  else if (b === 'u32') body = a === 'f32' ? 'return u32(a != 0.0 || is_nan(a));' : 'return u32(a != 0);';
  else if (b === 'f32') body = 'return f32(a);';
  else if (a === 'f32') {
    helpers = F2I_WGSL;
    body = 'return f2i(a);';
  } else body = 'return i32(a);';
  return `${helpers}fn f(a: ${a}) -> ${b} { ${body} }\n`;
}

/** cast: keyed by the input dtype; one pipeline per (from, to) pair. */
export const CAST_KERNELS: readonly KernelSpec<WebGPUBackend>[] = ALL.map((from) => {
  const ops = new Map<DType, ElementwiseOp>(ALL.map((to) => [to, { name: 'cast', key: `cast|${from}|${to}`, inputs: [from], output: to, wgsl: convertWgsl(from, to) }]));
  return {
    op: 'cast',
    device: 'webgpu',
    dtypes: from,
    run: (inputs, output, _a, ctx) => {
      if (output.dtype === from) ctx.backend.copy(inputs[0]!.storage as WebGPUStorage, output.storage as WebGPUStorage, output.storage.byteLength);
      else runElementwise(ctx.backend, ops.get(output.dtype)!, inputs, output);
    },
  };
});
