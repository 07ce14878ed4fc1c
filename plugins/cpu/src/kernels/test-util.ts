/**
 * Helpers for this package's tests: a CPU runtime, seeded random data, index arithmetic and float
 * comparison. Nothing here imports kernel code, so the float64 references in tests stay independent.
 */
import { expect } from 'vitest';
import { createHearth, type DType, type Hearth, type Tensor } from '@hearth/core';
import { cpuPlugin } from '../index.js';

/** A ready runtime with only the CPU plugin. */
export async function cpuHearth(): Promise<Hearth> {
  const h = createHearth({ plugins: [cpuPlugin], backends: ['cpu'] });
  await h.ready();
  return h;
}

/** A seeded PRNG (mulberry32) in [0, 1), so random cases are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random values that `dtype` holds exactly: floats in [-3, 3) (float32-rounded for float32), small ints, 0/1. */
export function randomValues(rand: () => number, n: number, dtype: DType): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rand();
    if (dtype === 'int32') out.push(Math.floor(u * 19) - 9);
    else if (dtype === 'bool') out.push(u < 0.5 ? 0 : 1);
    else out.push(dtype === 'float32' ? Math.fround(u * 6 - 3) : u * 6 - 3);
  }
  return out;
}

/** The element count of a shape. */
export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The multi-index of flat index `i` in a row-major `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    idx[ax] = i % shape[ax]!;
    i = Math.floor(i / shape[ax]!);
  }
  return idx;
}

/** The flat index of a multi-index in a row-major `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let ax = 0; ax < shape.length; ax++) f = f * shape[ax]! + idx[ax]!;
  return f;
}

/** A tensor from plain numbers. */
export function t(h: Hearth, values: readonly number[], shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return h.tensor(values as number[], { shape, dtype });
}

/** A tensor's elements as plain numbers (synchronous: the CPU reads synchronously). */
export const values = (x: Tensor): number[] => Array.from(x.dataSync());

/**
 * Expects `actual` to match `expected` elementwise within |a - e| <= atol + rtol * |e|; NaN matches NaN,
 * infinities must match exactly. The tolerance is each test's stated accuracy contract.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 0, atol = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) expect.fail(`element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Relative tolerance for a result computed in float64 and stored in `dtype`. */
export const tolFor = (dtype: DType): number => (dtype === 'float32' ? 2e-6 : dtype === 'float64' ? 1e-12 : 0);

/**
 * Runs `fn` in a scope and checks it leaves nothing behind: no live tensor, no ledger bytes or scratch on
 * cpu:0, and no live backend allocation.
 */
export function leakFree(h: Hearth, fn: () => void): void {
  h.scope(fn);
  expect(h.leaks()).toEqual([]);
  const cpu = h.memoryOf('cpu');
  expect(cpu.bytes).toBe(0);
  expect(cpu.scratch).toBe(0);
  expect(h.backendStats('cpu')!.liveAllocations).toBe(0);
}
