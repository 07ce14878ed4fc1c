import { HearthError, broadcastShapes, normalizeAxis } from '@hearth/core';

// Shape arithmetic of ONNX's movement ops, shared by their device mappings and their host evaluation.

/** Reshape's target: 0 copies the input's dimension (unless `allowzero`), one -1 is inferred by the op. */
export function reshapeTarget(input: readonly number[], target: readonly number[], allowzero: boolean): number[] {
  return target.map((d, i) => (d === 0 && !allowzero ? input[i]! : d));
}

/** Squeeze: the listed axes (each of size 1), or every size-1 axis when none are listed. */
export function squeezed(shape: readonly number[], axes: readonly number[] | undefined): number[] {
  if (!axes || axes.length === 0) return shape.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normalizeAxis(a, shape.length)));
  for (const a of drop) if (shape[a] !== 1) throw new HearthError('E_SHAPE', `Squeeze: axis ${a} has size ${shape[a]}, not 1.`);
  return shape.filter((_, i) => !drop.has(i));
}

/** Unsqueeze: size-1 axes inserted at the listed positions of the output. */
export function unsqueezed(shape: readonly number[], axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : shape[j++]!);
  return out;
}

/** Flatten: a 2-D shape, the axes before `axis` and from it multiplied together. */
export function flattened(shape: readonly number[], axis: number): [number, number] {
  const a = axis < 0 ? axis + shape.length : axis;
  const prod = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  return [prod(shape.slice(0, a)), prod(shape.slice(a))];
}

/** Expand's output: the input and the shape broadcast both ways. */
export const expandedShape = (shape: readonly number[], target: readonly number[]) => broadcastShapes(shape, target);

/**
 * Slice's starts and ends clamped to [-dim-1, dim], which keeps Python's meaning (ONNX writes "to the end"
 * as INT64_MAX, far outside int32).
 */
export function sliceArgs(shape: readonly number[], starts: readonly number[], ends: readonly number[], axes: readonly number[] | undefined, steps: readonly number[] | undefined) {
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normalizeAxis(a, shape.length));
  const clamp = (v: number, d: number) => Math.max(-d - 1, Math.min(d, v));
  return {
    starts: starts.map((s, i) => clamp(s, shape[ax[i]!]!)),
    ends: ends.map((e, i) => clamp(e, shape[ax[i]!]!)),
    axes: ax,
    steps: steps ? [...steps] : starts.map(() => 1),
  };
}

/** The size of each piece of Split: the `split` list, or `count` near-equal pieces (the last smaller). */
export function splitSizes(dim: number, split: readonly number[] | undefined, count: number): number[] {
  if (split && split.length) {
    if (split.reduce((a, b) => a + b, 0) !== dim) throw new HearthError('E_SHAPE', `Split: sizes [${split.join(', ')}] do not add up to the axis' ${dim}.`);
    return [...split];
  }
  const size = Math.ceil(dim / count);
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(size, dim - i * size)));
}
