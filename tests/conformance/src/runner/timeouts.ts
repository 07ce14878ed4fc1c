import { sizeOf } from '@hearth/core';
import type { SuiteCase, TensorInput } from '../cases/types.js';

/** Units of work a case may take within one base timeout (the default 10 s is ample for this many, on llvmpipe too). */
export const ELEMENTS_PER_TIMEOUT = 1 << 18;

/**
 * The multiply-adds of a matmul or conv2d call, from its input shapes (for conv2d an upper bound: every
 * weight at every input pixel): a long reduction costs time far beyond its inputs' size.
 */
function multiplyAdds(op: string, inputs: readonly TensorInput[]): number {
  const [a, b] = inputs;
  if (!a || !b) return 0;
  if (op === 'matmul') {
    const k = a.shape.at(-1) ?? 0;
    const m = a.shape.length > 1 ? a.shape.at(-2)! : 1;
    const n = b.shape.length > 1 ? b.shape.at(-1)! : 1;
    const batches = Math.max(sizeOf(a.shape) / Math.max(1, m * k), sizeOf(b.shape) / Math.max(1, k * n));
    return batches * m * n * k;
  }
  if (op === 'conv2d' && a.shape.length === 4) return a.shape[0]! * sizeOf(b.shape) * a.shape[2]! * a.shape[3]!;
  return 0;
}

/**
 * The time a case may take, from the base timeout (`--timeout`, the time of a small case): scaled by its
 * work, the elements its calls read (every call of a sequence) plus matmul's and conv2d's multiply-adds,
 * one base timeout per {@link ELEMENTS_PER_TIMEOUT}: the 6-million-element softmax row gets 23 times as long
 * as a small case rather than the same 10 s. Five times the base for a property (100 calls), ten for a
 * `property-threads` one (a few calls of 2^18 and more elements).
 */
export function caseTimeoutMs(c: SuiteCase, baseMs: number): number {
  if (c.kind === 'property') return baseMs * (c.regime === 'threads' ? 10 : 5);
  if (c.kind === 'lifecycle') return baseMs;
  if (c.kind === 'model') return baseMs * 10; // a whole model: tens of ops on small tensors
  const calls = [c.inputs, ...(c.then ?? []).map((f) => f.inputs)];
  const work = calls.reduce((n, inputs) => n + inputs.reduce((m, t) => m + sizeOf(t.shape), 0) + multiplyAdds(c.op, inputs), 0);
  return Math.ceil(baseMs * Math.max(1, work / ELEMENTS_PER_TIMEOUT));
}
