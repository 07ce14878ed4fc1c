import type { Hearth } from '@hearth/core';

/** A seeded generator, so every backend sees the same weights. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Host data of the example network: x [4, 8] → 16 hidden (relu) → 3 classes (softmax). */
export function mlpWeights(seed = 42) {
  const r = lcg(seed);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => r() * scale);
  return { x: fill(4 * 8, 1), w1: fill(8 * 16, 0.5), b1: fill(16, 0.1), w2: fill(16 * 3, 0.5), b2: fill(3, 0.1) };
}

/**
 * The forward pass of a two-layer MLP on one device: softmax(relu(x·W1 + b1)·W2 + b2). Returns the class
 * probabilities [4, 3]; every intermediate tensor is freed by the scope.
 */
export async function mlpForward(hearth: Hearth, device: string, seed = 42): Promise<Float32Array> {
  const w = mlpWeights(seed);
  const probs = hearth.scope(() => {
    const t = (data: Float32Array, shape: number[]) => hearth.tensor(data, { shape, device });
    const hidden = hearth.relu(hearth.add(hearth.matmul(t(w.x, [4, 8]), t(w.w1, [8, 16])), t(w.b1, [16])));
    return hearth.softmax(hearth.add(hidden.matmul(t(w.w2, [16, 3])), t(w.b2, [3])), -1);
  });
  const data = (await probs.data()) as Float32Array;
  probs.dispose();
  return data;
}
