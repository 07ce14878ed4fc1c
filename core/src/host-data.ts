import { HearthError } from './errors.js';
import { hostArray, isDType, type DType, type HostArray } from './dtype.js';
import { sizeOf, checkShape, type Shape } from './shape.js';

/** Data a tensor can be made from: a number, a boolean, nested arrays of them, or a typed array. */
export type TensorData =
  | number
  | boolean
  | readonly TensorData[]
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function inferShape(data: TensorData): number[] {
  const shape: number[] = [];
  let x: unknown = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  if (ArrayBuffer.isView(x)) shape.push((x as Float32Array).length);
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
  return flat.length > 0 && typeof flat[0] === 'boolean' ? 'bool' : 'float32';
}

/** Turns user data into a host array of `dtype` and its shape; throws `E_ARG`/`E_SHAPE` on bad data. */
export function toHost(data: TensorData, dtype: DType | undefined, shape: readonly number[] | undefined): { data: HostArray; shape: Shape; dtype: DType } {
  if (dtype !== undefined && !isDType(dtype)) throw new HearthError('E_DTYPE', `tensor(): unknown dtype ${JSON.stringify(dtype)}; use float32, int32, bool, float16 or float64.`);
  const flatView = ArrayBuffer.isView(data);
  const inferred = flatView ? [(data as Float32Array).length] : inferShape(data);
  const flat: ArrayLike<unknown> = flatView ? (data as Float32Array) : [];
  if (!flatView) flatten(data, inferred, flat as unknown[]);
  const dt = dtype ?? defaultDType(data, flat);
  const finalShape = shape === undefined ? inferred : checkShape(shape.slice(), 'tensor(): shape');
  if (sizeOf(finalShape) !== flat.length) {
    throw new HearthError('E_SHAPE', `tensor(): ${flat.length} values do not fill shape [${finalShape.join(', ')}] (${sizeOf(finalShape)} elements).`, { shape: finalShape });
  }
  const out = hostArray(dt, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (typeof v !== 'number') throw new HearthError('E_ARG', `tensor(): element ${i} is ${typeof v}, not a number or boolean.`, { index: i });
    else if (dt === 'int32' && (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX)) {
      throw new HearthError('E_ARG', `tensor(): element ${i} (${v}) is not an int32; pass integers in [-2^31, 2^31) or make a float tensor and cast it.`, { index: i, value: v });
    } else if (dt === 'bool') out[i] = v !== 0 ? 1 : 0;
    else out[i] = v;
  }
  return { data: out, shape: finalShape, dtype: dt };
}
