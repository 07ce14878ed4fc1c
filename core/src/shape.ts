import { HearthError, formatValue } from './errors.js';

/** A tensor shape: one non-negative integer per axis; `[]` is a scalar (rank 0). */
export type Shape = readonly number[];

/** The number of elements of a shape (1 for a scalar, 0 when any dim is 0). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C-contiguous) strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Row-major strides of `shape` as seen from a broadcast output of rank `rank` (trailing axes aligned):
 * 0 on axes the input stretches (size 1 or missing), so one index walk serves every input of a kernel.
 */
export function broadcastStrides(shape: Shape, rank: number): number[] {
  const out = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i + rank - shape.length] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return out;
}

/** True when two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The most axes a tensor may have (NumPy's limit): deeper data or shapes are `E_SHAPE`, never a stack overflow. */
export const MAX_RANK = 64;

/** Nested JS arrays of any depth with elements `E`: what `array()` gives for a tensor whose rank TypeScript doesn't know. */
export type NestedArray<E> = E | NestedArray<E>[];

/** The nested JS array of each rank TypeScript spells out: `E` for rank 0, `E[]` for rank 1, `E[][]` for rank 2, ... */
export interface NestedArrays<E> {
  /** A scalar. */ 0: E;
  /** A vector. */ 1: E[];
  /** A matrix. */ 2: E[][];
  /** Rank 3. */ 3: E[][][];
  /** Rank 4 (NCHW images). */ 4: E[][][][];
  /** Rank 5. */ 5: E[][][][][];
  /** Rank 6. */ 6: E[][][][][][];
}

/** What `array()` gives for rank `R` and elements `E`: the nested array of that rank, {@link NestedArray} beyond rank 6 or when the rank isn't known. */
export type ArrayOf<E, R extends number> = R extends keyof NestedArrays<E> ? NestedArrays<E>[R] : NestedArray<E>;

/** For each rank TypeScript tracks, the ranks below it (what {@link BroadcastRank} compares with). */
export interface LowerRanks {
  /** None. */ 0: never;
  /** 0. */ 1: 0;
  /** 0 and 1. */ 2: 0 | 1;
  /** 0 to 2. */ 3: 0 | 1 | 2;
  /** 0 to 3. */ 4: 0 | 1 | 2 | 3;
  /** 0 to 4. */ 5: 0 | 1 | 2 | 3 | 4;
  /** 0 to 5. */ 6: 0 | 1 | 2 | 3 | 4 | 5;
}

/** The rank two operands of ranks `A` and `B` broadcast to, the larger one; `number` (unknown) when either is unknown or above 6. */
export type BroadcastRank<A extends number, B extends number> = number extends A | B
  ? number
  : A extends keyof LowerRanks
    ? B extends keyof LowerRanks
      ? B extends LowerRanks[A] | A
        ? A
        : B
      : number
    : number;

/** Throws `E_SHAPE` unless `shape` is a list of at most {@link MAX_RANK} non-negative safe integers. */
export function checkShape(shape: unknown, what = 'shape'): Shape {
  if (Array.isArray(shape) && shape.length > MAX_RANK) {
    throw new HearthError('E_SHAPE', `${what} has ${shape.length} axes; a tensor has at most ${MAX_RANK}. Reshape the data to fewer axes.`, { rank: shape.length });
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new HearthError('E_SHAPE', `${what} must be an array of non-negative integers, got ${formatValue(shape)}.`);
  }
  return shape as Shape;
}

/**
 * The broadcast of two shapes (NumPy rules: align trailing axes; a dim of 1 stretches).
 * Throws `E_BROADCAST` naming both shapes when they don't broadcast.
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  if (a === b) return a.slice();
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new HearthError(
        'E_BROADCAST',
        `Shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast: axis ${i - rank} has ${da} vs ${db}. ` +
          'Each trailing axis must match or be 1; reshape or expand one of the inputs.',
        { a, b },
      );
    }
  }
  return out;
}

/** Normalizes a possibly negative axis into `[0, rank)`; throws `E_AXIS` when out of range. */
export function normalizeAxis(axis: number, rank: number, op = 'op'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new HearthError(
      'E_AXIS',
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank}; use an axis in [${-rank}, ${rank - 1}].`,
      { axis, rank },
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalizes a list of axes; throws `E_AXIS` on a duplicate. */
export function normalizeAxes(axes: readonly number[], rank: number, op = 'op'): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank, op));
  if (new Set(out).size !== out.length) {
    throw new HearthError('E_AXIS', `${op}: axes [${axes.join(', ')}] repeat an axis; list each axis once.`, { axes });
  }
  return out;
}
