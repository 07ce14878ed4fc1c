import { hostArray, philoxBlock, uniformOf, type DType, type KernelSpec } from '@hearth/core';
import type { WebGPUBackend, WebGPUStorage } from '../backend.js';
import { toGpuBytes } from '../dtypes.js';

const FLOATS: readonly DType[] = ['float32', 'float16'];

/** Element values of block i (4 of them, from its 4 Philox words), in float64. */
type BlockValues = (w: Uint32Array, attrs: Readonly<Record<string, unknown>>, out: Float64Array) => void;

const uniform: BlockValues = (w, attrs, out) => {
  const low = attrs['low'] as number;
  const span = (attrs['high'] as number) - low;
  for (let j = 0; j < 4; j++) out[j] = low + span * uniformOf(w[j]!);
};

/** Box-Muller on the word pairs (w0, w1) and (w2, w3). */
const normal: BlockValues = (w, attrs, out) => {
  const mean = attrs['mean'] as number;
  const std = attrs['std'] as number;
  for (let j = 0; j < 4; j += 2) {
    const r = Math.sqrt(-2 * Math.log(((w[j]! >>> 8) + 1) * 2 ** -24));
    const a = 2 * Math.PI * uniformOf(w[j + 1]!);
    out[j] = mean + std * r * Math.cos(a);
    out[j + 1] = mean + std * r * Math.sin(a);
  }
};

/**
 * The seeded random operators. The values are computed on the host in float64, as the opset defines them,
 * then rounded once and copied in order with the other encoded work: in f32 on the GPU, Box-Muller's log
 * and cos would differ from the other backends by ulps, and these operators promise identical values.
 */
const random = (op: string, values: BlockValues): KernelSpec<WebGPUBackend>[] =>
  FLOATS.map((dtype) => ({
    op,
    device: 'webgpu',
    dtypes: dtype,
    run: (_inputs, output, attrs, ctx) => {
      const n = output.size;
      if (n === 0) return;
      const seed = attrs['seed'] as number;
      const host = hostArray(dtype, n);
      const words = new Uint32Array(4);
      const block = new Float64Array(4);
      for (let i = 0; i < n; i += 4) {
        philoxBlock(seed, i / 4, words);
        values(words, attrs, block);
        for (let j = 0; j < 4 && i + j < n; j++) host[i + j] = block[j]!;
      }
      ctx.backend.upload(output.storage as WebGPUStorage, toGpuBytes(dtype, host));
    },
  }));

/** random_uniform and random_normal. */
export const RANDOM_KERNELS: readonly KernelSpec<WebGPUBackend>[] = [...random('random_uniform', uniform), ...random('random_normal', normal)];
