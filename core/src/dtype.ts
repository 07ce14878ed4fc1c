import { HearthError } from './errors.js';

/**
 * The element types of Hearth. `float32`, `int32` and `bool` are required of every backend; `float16` and
 * `float64` are optional capabilities a backend declares.
 */
export type DType = 'float32' | 'int32' | 'bool' | 'float16' | 'float64';

/** The float dtypes. */
export type FloatDType = 'float16' | 'float32' | 'float64';

/** The JS value of one element of dtype `D`: `boolean` for bool, `number` for the others. */
export type ElementOf<D extends DType> = D extends 'bool' ? boolean : number;

/** Every dtype, in the order of their small-integer codes (see {@link dtypeCode}). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float16', 'float32', 'float64'];

/** The dtypes every backend must support. */
export const REQUIRED_DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** Host-side typed arrays for each dtype. `float16` is carried as `Float32Array` on the host. */
export interface HostArrays {
  float32: Float32Array;
  float64: Float64Array;
  float16: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any host array Hearth reads or writes. */
export type HostArray = HostArrays[DType];

const CODES: Record<DType, number> = { bool: 0, int32: 1, float16: 2, float32: 3, float64: 4 };
const BYTES: Record<DType, number> = { bool: 1, int32: 4, float16: 2, float32: 4, float64: 8 };

// dtypeCode and dtypeBytes run several times per call on the hot path: a switch compares interned
// strings by pointer, where CODES[dtype] with a varying key is a megamorphic keyed load.

/** The small-integer code of a dtype (its index in {@link DTYPES}); used to key kernel tables. */
export function dtypeCode(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return 3;
    case 'int32':
      return 1;
    case 'bool':
      return 0;
    case 'float64':
      return 4;
    case 'float16':
      return 2;
  }
  return CODES[dtype]; // not a dtype: undefined, as the table lookup gives
}

/** Bytes per element on a device. */
export function dtypeBytes(dtype: DType): number {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'float64':
      return 8;
    case 'float16':
      return 2;
  }
  return BYTES[dtype];
}

/** True for `float16`, `float32` and `float64`. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** True when `x` names a Hearth dtype. */
export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(CODES, x);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The one rule for a JS number becoming an element of `dtype`, wherever a user gives one (`tensor`, `full`):
 * int32 takes integers in [-2^31, 2^31) only (no silent truncation or saturation); the float dtypes take
 * any number (rounded to the dtype); bool takes any number (nonzero, NaN included, is true). Returns what
 * is wrong, or undefined when `v` fits.
 */
export function elementProblem(v: number, dtype: DType): string | undefined {
  if (dtype === 'int32' && !(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) {
    return `${String(v)} is not an int32; pass integers in [-2^31, 2^31), or make a float tensor and cast it (cast rounds toward zero and saturates)`;
  }
  return undefined;
}

/** Allocates a zeroed host array for `size` elements of `dtype`. */
export function hostArray<D extends DType>(dtype: D, size: number): HostArrays[D] {
  switch (dtype) {
    case 'float32':
    case 'float16':
      return new Float32Array(size) as HostArrays[D];
    case 'float64':
      return new Float64Array(size) as HostArrays[D];
    case 'int32':
      return new Int32Array(size) as HostArrays[D];
    case 'bool':
      return new Uint8Array(size) as HostArrays[D];
  }
  throw new HearthError('E_DTYPE', `Unknown dtype "${String(dtype)}". Use one of: ${DTYPES.join(', ')}.`);
}

/**
 * Type promotion, following the Python array API standard where it speaks (within a kind: the wider type
 * wins) and PyTorch where it is silent (across kinds: bool < int32 < any float; an int32 mixed with a float
 * takes the float's type). The full table is in `docs/dtypes.md`.
 *
 * |         | bool    | int32   | float16 | float32 | float64 |
 * |---------|---------|---------|---------|---------|---------|
 * | bool    | bool    | int32   | float16 | float32 | float64 |
 * | int32   | int32   | int32   | float16 | float32 | float64 |
 * | float16 | float16 | float16 | float16 | float32 | float64 |
 * | float32 | float32 | float32 | float32 | float32 | float64 |
 * | float64 | float64 | float64 | float64 | float64 | float64 |
 */
export function promoteTypes(a: DType, b: DType): DType {
  return a === b || dtypeCode(a) >= dtypeCode(b) ? a : b;
}

/** The dtype a float-only operator computes in for an input of `dtype`: floats keep theirs, others become float32. */
export function floatTypeFor(dtype: DType): DType {
  return isFloat(dtype) ? dtype : 'float32';
}

/**
 * {@link promoteTypes} for TypeScript: the dtype two operands of dtypes `A` and `B` compute in (the wider one);
 * for unions, every dtype a pair could promote to.
 */
export type Promoted<A extends DType, B extends DType> = A extends DType
  ? B extends DType
    ? 'float64' extends A | B
      ? 'float64'
      : 'float32' extends A | B
        ? 'float32'
        : 'float16' extends A | B
          ? 'float16'
          : 'int32' extends A | B
            ? 'int32'
            : 'bool'
    : never
  : never;

/** {@link floatTypeFor} for TypeScript: floats keep their dtype, int32 and bool become float32. */
export type FloatTypeFor<D extends DType> = D extends FloatDType ? D : 'float32';
