import { createHearth, type DType, type Hearth, type Tensor } from '@hearth/core';
import { webgpuPlugin, type WebGPUBackend } from '../src/index.js';

/** A runtime on the WebGPU device alone (one per test file: Dawn start-up costs about a second). */
export async function gpuRuntime(): Promise<{ hearth: Hearth; backend: WebGPUBackend }> {
  const hearth = createHearth({ plugins: [webgpuPlugin], backends: ['webgpu'] });
  await hearth.ready();
  return { hearth, backend: hearth.device('webgpu').ctx.backend as WebGPUBackend };
}

/** Host values of a tensor as plain numbers. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** A tensor from numbers. */
export function tensor(hearth: Hearth, data: readonly number[], shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const host = dtype === 'int32' ? Int32Array.from(data) : dtype === 'bool' ? Uint8Array.from(data) : Float32Array.from(data);
  return hearth.tensor(host, { shape, dtype });
}

/** A deterministic pseudo-random array in [lo, hi) (a linear congruential generator, so runs repeat). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((s / 2 ** 32) * (hi - lo)));
  }
  return out;
}

/** Rounds a float64 to float32, the precision results are stored in. */
export const f32 = Math.fround;

/**
 * Asserts each value is within `rtol·|want| + atol` of its float64 reference; NaN must match NaN and
 * infinities must match exactly. Throws naming the first element that is off.
 */
export function close(got: readonly number[], want: readonly number[], rtol = 1e-5, atol = 1e-6): void {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) throw new Error(`[${i}] got ${g}, want NaN`);
      continue;
    }
    if (!Number.isFinite(w)) {
      if (g !== w) throw new Error(`[${i}] got ${g}, want ${w}`);
      continue;
    }
    if (!(Math.abs(g - w) <= rtol * Math.abs(w) + atol)) throw new Error(`[${i}] got ${g}, want ${w} (|err| ${Math.abs(g - w)})`);
  }
}
