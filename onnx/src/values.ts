import { HearthError, Tensor, sizeOf, type DType } from '@hearth/core';

/**
 * The element types a model's values may have. `int64` is ONNX's index type: it is held on the host as exact
 * doubles (every shape and index a model uses fits in 2^53) and narrowed to int32 when it goes to a device.
 * `uint8` and `int8` (quantized models' weights, zero points and activations) are held as int32 on devices,
 * exactly; the element type stays known on the host, so feeds are range-checked and outputs say what they are.
 */
export type ElementType = 'float32' | 'float64' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';

/** The range of each 8-bit element type, as a device's int32 holds it. */
export const INT8_RANGES: Readonly<Record<'uint8' | 'int8', readonly [number, number]>> = { uint8: [0, 255], int8: [-128, 127] };

/** True for the element types a device holds as int32 (int64 narrowed, uint8 and int8 widened). */
export const isIntElement = (t: ElementType): boolean => t === 'int32' || t === 'int64' || t === 'uint8' || t === 'int8';

/** A value kept on the host: constants, initializers, and the small shape computations of a graph. */
export interface HostValue {
  readonly kind: 'host';
  readonly type: ElementType;
  readonly shape: readonly number[];
  /** Row-major data: Float32Array for float32, Uint8Array (0/1) for bool, Int32Array for int32, uint8 and int8, Float64Array else. */
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

/** A value of a graph while it runs: on the host, or a device tensor. */
export type Value = HostValue | Tensor;

/** True for a host value. (A class check: reading a `kind` a tensor lacks walks its prototypes, on every node of every run.) */
export const isHost = (v: Value | undefined): v is HostValue => v !== undefined && !(v instanceof Tensor);

/** Makes a host value, typing the data the way {@link HostValue} stores it. */
export function hostValue(type: ElementType, shape: readonly number[], data: ArrayLike<number>): HostValue {
  const n = sizeOf(shape);
  if (data.length !== n) throw new HearthError('E_SHAPE', `A value of shape [${shape.join(', ')}] needs ${n} elements, got ${data.length}.`);
  const arr =
    type === 'float32' ? Float32Array.from(data) : type === 'int32' || type === 'uint8' || type === 'int8' ? Int32Array.from(data) : type === 'bool' ? Uint8Array.from(data, (x) => (x ? 1 : 0)) : Float64Array.from(data);
  return { kind: 'host', type, shape: [...shape], data: arr };
}

/** The Hearth dtype a value of this element type has on a device (int64 is narrowed to int32, uint8 and int8 widened to it). */
export function deviceDtype(type: ElementType): DType {
  return type === 'int64' || type === 'uint8' || type === 'int8' ? 'int32' : type;
}

/** The element type of a device tensor. */
export function elementTypeOf(v: Value): ElementType {
  return isHost(v) ? v.type : v.dtype;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The data of a host value as a device would hold it: int64 narrowed to int32, refusing (never wrapping) a
 * value outside int32's range. `what` names the value for the message.
 */
export function deviceData(v: HostValue, what: () => string): Float32Array | Float64Array | Int32Array | Uint8Array {
  if (v.type !== 'int64') return v.data;
  const out = new Int32Array(v.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = v.data[i]!;
    if (x < INT32_MIN || x > INT32_MAX) {
      throw new HearthError(
        'E_DTYPE',
        `${what()} holds the int64 value ${x} at element ${i}, outside int32's range: Hearth devices hold ONNX int64 values as int32. Keep such values in the model's shape computations (they stay on the host) or cast them first.`,
        { value: x, index: i },
      );
    }
    out[i] = x;
  }
  return out;
}

/**
 * Checks that the numbers of a feed for an 8-bit input fit its element type (a device holds them as int32,
 * which would take any value): the first one outside is `E_DTYPE`, naming `what`.
 */
export function checkInt8Range(type: 'uint8' | 'int8', data: ArrayLike<number>, what: string): void {
  const [lo, hi] = INT8_RANGES[type];
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(x >= lo && x <= hi)) {
      throw new HearthError('E_DTYPE', `${what} is ${type}, but element ${i} is ${x}, outside ${lo} to ${hi}: pass ${type} values (Hearth holds them as int32).`, { value: x, index: i, elementType: type });
    }
  }
}

/** The numbers of a small host value (shapes, axes, pads) as a plain array. */
export const numbers = (v: HostValue): number[] => Array.from(v.data);
