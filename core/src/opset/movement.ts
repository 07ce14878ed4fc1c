import { HearthError } from '../errors.js';
import { broadcastShapes, normalizeAxis, sizeOf, type Shape } from '../shape.js';
import { attr } from './attrs.js';
import { attrOf, fixed, promoted, type OpSchema } from './schema.js';

const movement = (o: Omit<OpSchema, 'family' | 'compute' | 'output' | 'computeDtypes' | 'inputs'> & { inputs?: OpSchema['inputs'] }): OpSchema => ({
  family: 'movement',
  compute: 'promote',
  output: 'compute',
  computeDtypes: 'any',
  inputs: [promoted('x')],
  ...o,
});

/** The shape `reshape` gives: one entry may be -1 and is inferred. */
export function inferReshape(from: Shape, to: readonly number[]): number[] {
  // One pass, no intermediate arrays: reshape is planned on every call.
  let holes = 0;
  let knownSize = 1;
  for (let i = 0; i < to.length; i++) {
    const d = to[i]!;
    if (d === -1) holes++;
    else if (!Number.isSafeInteger(d) || d < 0) holes = Infinity;
    else knownSize *= d;
  }
  const size = sizeOf(from);
  if (holes > 1) {
    throw new HearthError('E_SHAPE', `reshape: shape [${to.join(', ')}] is invalid; use non-negative sizes and at most one -1.`, { to });
  }
  const out = to.slice();
  if (holes === 1) {
    if (knownSize === 0 || size % knownSize !== 0) {
      throw new HearthError('E_SHAPE', `reshape: cannot infer -1 in [${to.join(', ')}] for ${size} elements.`, { from, to });
    }
    out[out.indexOf(-1)] = size / knownSize;
    return out;
  }
  if (knownSize !== size) {
    throw new HearthError('E_SHAPE', `reshape: [${from.join(', ')}] has ${size} elements but [${to.join(', ')}] has ${knownSize}; sizes must match.`, { from, to });
  }
  return out;
}

/** Normalized slice bounds per axis of the input: start, step and the output length. */
export interface SliceAxis {
  /** First index taken. */
  start: number;
  /** Step between taken indices (negative walks backwards). */
  step: number;
  /** How many indices are taken. */
  length: number;
}

/** Python slice semantics for each axis: clamped starts/ends, negative indices from the end, steps != 0. */
export function sliceAxes(shape: Shape, starts: readonly number[], ends: readonly number[], axes: readonly number[] | null, steps: readonly number[] | null): SliceAxis[] {
  const n = starts.length;
  if (ends.length !== n || (axes && axes.length !== n) || (steps && steps.length !== n)) {
    throw new HearthError('E_ATTR', 'slice: starts, ends, axes and steps must have the same length.', { starts, ends, axes, steps });
  }
  const out: SliceAxis[] = shape.map((d) => ({ start: 0, step: 1, length: d }));
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const ax = normalizeAxis(axes ? axes[i]! : i, shape.length, 'slice');
    if (seen.has(ax)) throw new HearthError('E_AXIS', `slice: axis ${ax} is listed twice.`, { axes });
    seen.add(ax);
    const dim = shape[ax]!;
    const step = steps ? steps[i]! : 1;
    if (step === 0) throw new HearthError('E_ATTR', 'slice: a step of 0 is invalid; use a positive or negative step.', { steps });
    const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    let start: number;
    let length: number;
    if (step > 0) {
      start = norm(starts[i]!, 0, dim);
      const end = norm(ends[i]!, 0, dim);
      length = end > start ? Math.ceil((end - start) / step) : 0;
    } else {
      start = norm(starts[i]!, -1, dim - 1);
      const end = norm(ends[i]!, -1, dim - 1);
      length = start > end ? Math.ceil((start - end) / -step) : 0;
    }
    out[ax] = { start, step, length };
  }
  return out;
}

/** The output shape of `pad`: `pads` holds `[before, after]` per axis, flattened. */
function paddedShape(shape: Shape, pads: readonly number[]): number[] {
  if (pads.length !== 2 * shape.length) {
    throw new HearthError('E_ATTR', `pad: pads must hold 2 entries per axis (${2 * shape.length} for rank ${shape.length}), got ${pads.length}.`, { pads });
  }
  return shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
}

/** reshape, transpose, slice, concat, expand, gather and pad. */
export const MOVEMENT_OPS: readonly OpSchema[] = [
  movement({
    name: 'reshape',
    doc: 'The same elements in row-major order under a new shape; one size may be -1.',
    attrs: { shape: attr.ints({ min: -1 }) },
    meta: (ins, attrs) => inferReshape(ins[0]!.shape, attrOf<number[]>(attrs, 'shape')),
  }),
  movement({
    name: 'transpose',
    doc: 'Permutes the axes: output axis i is input axis perm[i]; reverses them when perm is null.',
    attrs: { perm: attr.ints({ nullable: true, default: null }) },
    meta(ins, attrs) {
      const shape = ins[0]!.shape;
      const perm = attrOf<number[] | null>(attrs, 'perm') ?? shape.map((_, i) => shape.length - 1 - i);
      const sorted = perm.map((p) => normalizeAxis(p, shape.length, 'transpose')).sort((a, b) => a - b);
      if (perm.length !== shape.length || sorted.some((p, i) => p !== i)) {
        throw new HearthError('E_ATTR', `transpose: perm [${perm.join(', ')}] is not a permutation of the ${shape.length} axes.`, { perm, shape });
      }
      return perm.map((p) => shape[normalizeAxis(p, shape.length)]!);
    },
  }),
  movement({
    name: 'slice',
    doc: 'Python-style slicing per axis (starts, ends, optional axes and steps; negative indices count from the end; out-of-range bounds clamp).',
    attrs: {
      starts: attr.ints(),
      ends: attr.ints(),
      axes: attr.ints({ nullable: true, default: null }),
      steps: attr.ints({ nullable: true, default: null }),
    },
    meta: (ins, attrs) =>
      sliceAxes(ins[0]!.shape, attrOf(attrs, 'starts'), attrOf(attrs, 'ends'), attrOf(attrs, 'axes'), attrOf(attrs, 'steps')).map((s) => s.length),
  }),
  movement({
    name: 'concat',
    doc: 'Joins tensors along `axis`; all other axes must match.',
    inputs: [{ name: 'xs', dtypes: 'any', promote: true, variadic: true }],
    attrs: { axis: attr.int({ default: 0 }) },
    meta(ins, attrs) {
      const first = ins[0]!.shape;
      if (first.length === 0) throw new HearthError('E_SHAPE', 'concat: scalars cannot be joined; reshape them to [1] first.');
      const axis = normalizeAxis(attrOf<number>(attrs, 'axis'), first.length, 'concat');
      const out = first.slice();
      for (let k = 1; k < ins.length; k++) {
        const s = ins[k]!.shape;
        if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
          throw new HearthError('E_SHAPE', `concat: input ${k} has shape [${s.join(', ')}], which does not match [${first.join(', ')}] outside axis ${axis}.`, { axis });
        }
        out[axis]! += s[axis]!;
      }
      return out;
    },
  }),
  movement({
    name: 'expand',
    doc: 'Broadcasts x to `shape` (NumPy broadcast_to; a -1 keeps the input size).',
    attrs: { shape: attr.ints({ min: -1 }) },
    meta(ins, attrs) {
      const from = ins[0]!.shape;
      const to = attrOf<number[]>(attrs, 'shape');
      if (to.length < from.length) throw new HearthError('E_SHAPE', `expand: target rank ${to.length} is below the input rank ${from.length}.`, { from, to });
      const target = to.map((d, i) => (d === -1 ? (from[i - (to.length - from.length)] ?? -1) : d));
      if (target.some((d) => d < 0)) throw new HearthError('E_SHAPE', `expand: -1 is only allowed on existing axes, got [${to.join(', ')}].`, { to });
      const b = broadcastShapes(from, target);
      if (b.some((d, i) => d !== target[i])) {
        throw new HearthError('E_BROADCAST', `expand: [${from.join(', ')}] cannot be expanded to [${to.join(', ')}]; only axes of size 1 stretch.`, { from, to });
      }
      return target;
    },
  }),
  movement({
    name: 'gather',
    doc: 'Takes slices of x along `axis` at int32 `indices` (negative indices count from the end); the output shape is x.shape[:axis] + indices.shape + x.shape[axis+1:]. Out-of-range indices are an E_INDEX_OUT_OF_RANGE error where the backend can check them.',
    inputs: [promoted('x'), fixed('indices', 'int32')],
    attrs: { axis: attr.int({ default: 0 }) },
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      const axis = normalizeAxis(attrOf<number>(attrs, 'axis'), x.length, 'gather');
      return [...x.slice(0, axis), ...ins[1]!.shape, ...x.slice(axis + 1)];
    },
  }),
  movement({
    name: 'pad',
    doc: 'Pads each axis by [before, after] (flattened in `pads`) with a constant `value`, or by reflecting or repeating the edge.',
    attrs: {
      pads: attr.ints({ min: 0 }),
      mode: attr.oneOf(['constant', 'reflect', 'edge'] as const, { default: 'constant' }),
      value: attr.number({ default: 0 }),
    },
    meta(ins, attrs) {
      const shape = ins[0]!.shape;
      const pads = attrOf<number[]>(attrs, 'pads');
      const out = paddedShape(shape, pads);
      const mode = attrOf<string>(attrs, 'mode');
      shape.forEach((d, i) => {
        const grows = pads[2 * i]! > 0 || pads[2 * i + 1]! > 0;
        if (mode === 'reflect' && grows && (pads[2 * i]! >= d || pads[2 * i + 1]! >= d)) {
          throw new HearthError('E_ATTR', `pad: reflect padding on axis ${i} must be smaller than its size ${d}.`, { pads, shape });
        }
        if (mode === 'edge' && grows && d === 0) throw new HearthError('E_ATTR', `pad: edge padding needs a non-empty axis ${i}.`, { pads, shape });
      });
      return out;
    },
  }),
];
