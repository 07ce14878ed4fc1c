import { HearthError, formatValue } from './errors.js';
import { describeArg } from './arguments.js';
import { elementProblem, hostArray, isDType, type DType, type HostArray } from './dtype.js';
import { MAX_RANK, sizeOf, checkShape, type Shape } from './shape.js';

/** Data a tensor can be made from: a number, a boolean, nested arrays of them, or a typed array. */
export type TensorData =
  | number
  | boolean
  | readonly TensorData[]
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array;

/** Options of `hearth.tensor(data, options)`; `D` and `S` are what TypeScript reads of the dtype and the shape. */
export interface TensorOptions<D extends DType = DType, S extends readonly number[] = readonly number[]> {
  /** The dtype (from the data when left out: float32 for numbers, bool for booleans, int32 for Int32Array and Uint8Array, float64 for Float64Array). */
  dtype?: D;
  /** The shape (from the nesting when left out); its size must be the data's element count. */
  shape?: S;
  /** The device (the default device). */
  device?: string;
}

/** The dtype `hearth.tensor(data)` gives data of type `T` when no dtype is passed. */
export type DataDType<T> = TensorData extends T
  ? DType
  : T extends Int32Array | Uint8Array
    ? 'int32'
    : T extends Float64Array
      ? 'float64'
      : T extends Float32Array
        ? 'float32'
        : T extends boolean
          ? 'bool'
          : T extends readonly (infer E)[]
            ? [E] extends [never]
              ? 'float32'
              : DataDType<E>
            : 'float32';

/** The rank of data of type `T`: how deep its arrays nest (`Axes` counts the levels walked so far); a typed array is one axis. */
export type DataRank<T, Axes extends readonly unknown[] = []> = TensorData extends T
  ? number
  : T extends ArrayBufferView
    ? [...Axes, T]['length']
    : T extends readonly (infer E)[]
      ? [E] extends [never]
        ? [...Axes, T]['length']
        : DataRank<E, [...Axes, T]>
      : Axes['length'];

function inferShape(data: TensorData): number[] {
  const shape: number[] = [];
  let x: unknown = data;
  while (Array.isArray(x)) {
    if (shape.length === MAX_RANK) {
      throw new HearthError('E_SHAPE', `tensor(): the data is nested more than ${MAX_RANK} arrays deep; a tensor has at most ${MAX_RANK} axes.`, { maxRank: MAX_RANK });
    }
    shape.push(x.length);
    x = x[0];
  }
  if (ArrayBuffer.isView(x)) {
    checkView(x);
    shape.push((x as Float32Array).length);
  }
  return shape;
}

function flatten(data: TensorData, shape: Shape, out: unknown[], axis = 0): void {
  if (axis === shape.length) {
    out.push(data);
    return;
  }
  const arr = data as readonly TensorData[] | Float32Array;
  if ((!Array.isArray(arr) && !ArrayBuffer.isView(arr)) || arr.length !== shape[axis]) {
    throw new HearthError('E_SHAPE', `tensor(): nested arrays are ragged at axis ${axis} (expected length ${shape[axis]}); every row must have the same length.`, { axis });
  }
  for (let i = 0; i < arr.length; i++) flatten((arr as readonly TensorData[])[i]!, shape, out, axis + 1);
}

function defaultDType(data: TensorData, flat: ArrayLike<unknown>): DType {
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float64Array) return 'float64';
  // Bytes (a Node Buffer of pixels, say) keep their values: bool comes only from booleans or dtype: 'bool'.
  if (data instanceof Uint8Array) return 'int32';
  if (ArrayBuffer.isView(data)) return 'float32';
  // All booleans make bool; booleans mixed with numbers have no one meaning, so the caller must say.
  let bools = 0;
  for (let i = 0; i < flat.length; i++) if (typeof flat[i] === 'boolean') bools++;
  if (bools > 0 && bools < flat.length) {
    const i = Array.prototype.findIndex.call(flat, (v: unknown) => typeof v !== 'boolean');
    throw new HearthError('E_ARG', `tensor(): the data mixes booleans and numbers (element ${i} is ${formatValue(flat[i])}); pass a dtype, e.g. { dtype: "float32" } or { dtype: "bool" }.`, { index: i });
  }
  return bools > 0 ? 'bool' : 'float32';
}

/** True for an ArrayBuffer that was transferred or detached: its views read as empty. */
function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === 'boolean') return flag;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Throws `E_ARG` for views that aren't data: a DataView, or a typed array whose buffer was detached. */
function checkView(data: ArrayBufferView): void {
  if (data instanceof DataView) {
    throw new HearthError('E_ARG', 'tensor(): a DataView has no element type; pass a typed array over its bytes instead, e.g. new Float32Array(view.buffer, view.byteOffset, view.byteLength / 4).');
  }
  if ((data as Float32Array).length === 0 && isDetached(data.buffer)) {
    throw new HearthError('E_ARG', `tensor(): the ${data.constructor.name}'s buffer was detached (transferred to a worker or resized away), so it holds no data any more; pass a live array.`);
  }
}

/**
 * True when `TypedArray.prototype.set` turns every element of `view` into `dtype` as toHost's element loop
 * does, with no check that could fail: any number view into a float dtype; an integer view narrower than
 * 32 bits, or Int32Array, into int32. (bool maps each value to 0 or 1, and BigInt views are refused.)
 */
function setConverts(view: ArrayBufferView, dtype: DType): boolean {
  if (view instanceof BigInt64Array || view instanceof BigUint64Array) return false;
  if (dtype === 'float32' || dtype === 'float16' || dtype === 'float64') return true;
  return (
    dtype === 'int32' &&
    (view instanceof Int32Array || view instanceof Int16Array || view instanceof Int8Array || view instanceof Uint16Array || view instanceof Uint8Array || view instanceof Uint8ClampedArray)
  );
}

/** Turns user data into a host array of `dtype` and its shape; throws `E_ARG`/`E_SHAPE` on bad data. */
export function toHost(data: TensorData, dtype: DType | undefined, shape: readonly number[] | undefined): { data: HostArray; shape: Shape; dtype: DType } {
  if (dtype !== undefined && !isDType(dtype)) throw new HearthError('E_DTYPE', `tensor(): unknown dtype ${formatValue(dtype)}; use float32, int32, bool, float16 or float64.`);
  const flatView = ArrayBuffer.isView(data);
  if (flatView) checkView(data);
  const inferred = flatView ? [(data as Float32Array).length] : inferShape(data);
  const flat: ArrayLike<unknown> = flatView ? (data as Float32Array) : [];
  if (!flatView) flatten(data, inferred, flat as unknown[]);
  const dt = dtype ?? defaultDType(data, flat);
  const finalShape = shape === undefined ? inferred : checkShape(shape.slice(), 'tensor(): shape');
  if (sizeOf(finalShape) !== flat.length) {
    throw new HearthError('E_SHAPE', `tensor(): ${flat.length} values do not fill shape [${finalShape.join(', ')}] (${sizeOf(finalShape)} elements).`, { shape: finalShape });
  }
  const out = hostArray(dt, flat.length);
  if (flatView && setConverts(data, dt)) {
    // Every element converts exactly as the loop below would, and none can fail its checks: one copy.
    out.set(data as Float32Array);
    return { data: out, shape: Object.freeze(finalShape), dtype: dt };
  }
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (typeof v !== 'number') throw new HearthError('E_ARG', `tensor(): element ${i} is ${describeArg(v)}, not a number or boolean.`, { index: i });
    else if (elementProblem(v, dt) !== undefined) {
      throw new HearthError('E_ARG', `tensor(): element ${i}: ${elementProblem(v, dt)!}.`, { index: i, value: v });
    } else if (dt === 'bool') out[i] = v !== 0 ? 1 : 0;
    else out[i] = v;
  }
  return { data: out, shape: Object.freeze(finalShape), dtype: dt };
}
