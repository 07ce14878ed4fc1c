import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { getOp } from '@hearth/core';

/** The committed fixture models (made by onnx/scripts/make-fixtures.py). */
export const fixture = (name: string) => fileURLToPath(new URL(`../../onnx/fixtures/${name}`, import.meta.url));
export const fixtureBytes = (name: string) => new Uint8Array(readFileSync(fixture(name)));

/** Seeded inputs in [-1, 1) (mulberry32), the same for Hearth and onnxruntime. */
export function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

/** The onnxruntime type of each kind of input data. */
const ortType = (d: Float32Array | BigInt64Array | Uint8Array | Int8Array) => (d instanceof BigInt64Array ? 'int64' : d instanceof Uint8Array ? 'uint8' : d instanceof Int8Array ? 'int8' : 'float32');

/**
 * onnxruntime-node's outputs for float32, int64, uint8 or int8 inputs (an integer output's data is its typed
 * array), with its graph optimisations (all by default; `disabled` runs each node as ONNX defines it).
 */
export async function runOrt(file: string, feeds: Record<string, { data: Float32Array | BigInt64Array | Uint8Array | Int8Array; shape: number[] }>, optimization: 'all' | 'disabled' = 'all'): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: optimization });
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(ortType(v.data) as 'float32', v.data as Float32Array, v.shape)]));
  const out = await session.run(inputs);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: v.dims }]));
}

/** The largest |a - b| / (atol + rtol |b|): at most 1 means within tolerance. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / (atol + rtol * Math.abs(b[i]!)));
  return w;
}

/** True when this core's opset has the op (opset v2 adds `resize`, `linear`...). */
export function hasOp(name: string): boolean {
  try {
    return getOp(name) !== undefined;
  } catch {
    return false;
  }
}
