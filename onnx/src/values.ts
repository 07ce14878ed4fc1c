import { HearthError, Tensor, sizeOf, type DType } from '@hearth/core';

/**
 * The element types a model's values may have. `int64` is ONNX's index type: it is held on the host as exact
 * doubles (every shape and index a model uses fits in 2^53) and narrowed to int32 when it goes to a device.
 */
export type ElementType = 'float32' | 'float64' | 'float16' | 'int32' | 'int64' | 'bool';

/** A value kept on the host: constants, initializers, and the small shape computations of a graph. */
export interface HostValue {
  readonly kind: 'host';
  readonly type: ElementType;
  readonly shape: readonly number[];
  /** Row-major data: Float32Array for float32, Uint8Array (0/1) for bool, Int32Array for int32, Float64Array else. */
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
    type === 'float32' ? Float32Array.from(data) : type === 'int32' ? Int32Array.from(data) : type === 'bool' ? Uint8Array.from(data, (x) => (x ? 1 : 0)) : Float64Array.from(data);
  return { kind: 'host', type, shape: [...shape], data: arr };
}

/** The Hearth dtype a value of this element type has on a device (int64 is narrowed to int32). */
export function deviceDtype(type: ElementType): DType {
  return type === 'int64' ? 'int32' : type;
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

/** The numbers of a small host value (shapes, axes, pads) as a plain array. */
export const numbers = (v: HostValue): number[] => Array.from(v.data);
