import { arangeLength, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { f32Bits, f32ToF16Bits, toGpuBytes } from '../dtypes.js';
import { grid, gridMain, paramsWgsl, preamble, WG } from '../wgsl/common.js';

const ALL: readonly DType[] = ['float32', 'float16', 'int32', 'bool'];
const NUMERIC: readonly DType[] = ['float32', 'float16', 'int32'];

/** A number converted to int32 as cast does: toward zero, NaN to 0, saturating at the int32 limits. */
function toInt32(value: number): number {
  return Number.isNaN(value) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(value)));
}

/** The u32 word that fills a buffer with `value` converted to `dtype` as cast does (float16: two halves). */
export function fillWord(dtype: DType, value: number): number {
  switch (dtype) {
    case 'bool':
      return value !== 0 ? 1 : 0; // NaN != 0, so NaN is true
    case 'int32':
      return toInt32(value) >>> 0;
    case 'float16': {
      const h = f32ToF16Bits(value);
      return (h | (h << 16)) >>> 0;
    }
    default:
      return f32Bits(value);
  }
}

const FILL = `${preamble(false)}@group(0) @binding(0) var<storage, read_write> out: array<u32>;
${paramsWgsl(1)}
${gridMain('p(0u)', '  out[i] = p(1u);')}`;

/** `full`: one u32 fill shader for every dtype (the value's bits are computed on the host). */
const FULL_KERNELS: KernelSpec<WebGPUBackend>[] = ALL.map((dtype) => ({
  op: 'full',
  device: 'webgpu',
  dtypes: dtype,
  run: (_inputs, output, attrs, ctx) => {
    const words = output.storage.byteLength / 4;
    if (words === 0) return;
    const pipeline = ctx.backend.pipelines.get('full|u32', () => FILL);
    ctx.backend.dispatch(pipeline, [output.storage as WebGPUStorage], [words, fillWord(dtype, attrs['value'] as number)], grid(Math.ceil(words / WG), ctx.backend.limits.maxComputeWorkgroupsPerDimension));
  },
}));

/**
 * `arange`: element i is start + i·step in float64, then converted, so it is computed on the host (f32 on
 * the GPU would be off by ulps for long ranges) and copied in order with the other encoded work.
 */
const ARANGE_KERNELS: KernelSpec<WebGPUBackend>[] = NUMERIC.map((dtype) => ({
  op: 'arange',
  device: 'webgpu',
  dtypes: dtype,
  run: (_inputs, output, attrs, ctx) => {
    const start = attrs['start'] as number;
    const step = attrs['step'] as number;
    const n = arangeLength(start, attrs['stop'] as number, step);
    const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = dtype === 'int32' ? toInt32(start + i * step) : start + i * step;
    ctx.backend.upload(output.storage as WebGPUStorage, toGpuBytes(dtype, values));
  },
}));

/** Creation operators. */
export const CREATION_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [...FULL_KERNELS, ...ARANGE_KERNELS];
