/**
 * Helpers for this package's tests: runtimes on the wasm device (one thread, or two to exercise the
 * worker threads), seeded data and a float64-reference comparison. Nothing here calls kernel code.
 */
import { expect } from 'vitest';
import { createHearth, type Hearth } from '@hearth/core';
import { wasmPlugin } from './index.js';

/** A ready runtime with only the wasm plugin, on `threads` threads. */
export async function wasmHearth(threads: number): Promise<Hearth> {
  const h = createHearth({ plugins: [wasmPlugin], backends: ['wasm'], backendOptions: { wasm: { threads } } });
  await h.ready();
  return h;
}

/** Seeded float32 values in [-scale, scale) (mulberry32). */
export function randomF32(seed: number, n: number, scale = 3): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 * scale - scale;
  }
  return out;
}

/**
 * Expects `got` to match the float64 `want` within `rel` of the larger of |want| and `floor` per element;
 * NaN must match NaN, infinities must match exactly.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, floor = 1): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w)) expect.fail(`element ${i}: got ${g}, want ${w}`);
      continue;
    }
    if (!(Math.abs(g - w) <= rel * Math.max(Math.abs(w), floor))) expect.fail(`element ${i}: got ${g}, want ${w} (error ${Math.abs(g - w)})`);
  }
}
