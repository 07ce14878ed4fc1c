import onnxProto from 'onnx-proto';
import { HearthError, sizeOf } from '@hearth/core';
import { hostValue, type ElementType, type HostValue } from './values.js';

/** The protobuf classes ONNX's own `onnx.proto` generates (through the `onnx-proto` package). */
export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type GraphProto = onnxProto.onnx.IGraphProto;

type Int64 = number | { toNumber(): number } | null | undefined;

/** An int64 field as a number (exact up to 2^53; ONNX's INT64_MAX "to the end" stays a huge number). */
export const int = (v: Int64): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Decodes a model, turning protobuf's failures (truncated or corrupt bytes) into `E_MODEL`. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) throw new HearthError('E_MODEL', 'The ONNX model is empty (0 bytes): check the path or the download.');
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new HearthError('E_MODEL', `This is not a readable ONNX model: ${(e as Error).message} (the file is truncated or not an .onnx protobuf).`, {}, { cause: e });
  }
  if (!model.graph) throw new HearthError('E_MODEL', 'The ONNX model has no graph (ModelProto.graph is missing): the file is truncated or not an .onnx model.');
  return model;
}

/** ONNX's TensorProto.DataType codes Hearth reads. */
const ELEMENT_TYPES: Readonly<Record<number, ElementType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };
const NAMES = ['UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16'];

/** The element type of an ONNX type code, or an `E_UNSUPPORTED` naming it and `where` it is. */
export function elementType(code: number, where: string): ElementType {
  const t = ELEMENT_TYPES[code];
  if (!t) throw new HearthError('E_UNSUPPORTED', `${where} has element type ${NAMES[code] ?? code}; Hearth reads FLOAT, DOUBLE, FLOAT16, INT32, INT64, UINT8, INT8 and BOOL.`, { elementType: NAMES[code] ?? code });
  return t;
}

/** IEEE half to number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Reads a TensorProto (an initializer or a Constant) into a host value. */
export function readTensor(t: TensorProto, where: string): HostValue {
  if (t.dataLocation === 1) throw new HearthError('E_UNSUPPORTED', `${where} keeps its data in an external file; save the model with its weights inside (onnx.save(model, path, save_as_external_data=False)).`);
  const type = elementType(t.dataType ?? 0, where);
  const shape = (t.dims ?? []).map(int);
  const n = sizeOf(shape);
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  let data: ArrayLike<number>;
  if (raw) {
    const bytes = { float32: 4, float64: 8, float16: 2, int32: 4, int64: 8, uint8: 1, int8: 1, bool: 1 }[type];
    if (raw.length !== n * bytes) {
      throw new HearthError('E_MODEL', `${where}: raw_data has ${raw.length} bytes, but shape [${shape.join(', ')}] of ${type} needs ${n * bytes}; the file is corrupt or truncated.`);
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      out[i] =
        type === 'float32' ? view.getFloat32(i * 4, true)
        : type === 'float64' ? view.getFloat64(i * 8, true)
        : type === 'float16' ? half(view.getUint16(i * 2, true))
        : type === 'int32' ? view.getInt32(i * 4, true)
        : type === 'int64' ? Number(view.getBigInt64(i * 8, true))
        : type === 'int8' ? view.getInt8(i)
        : view.getUint8(i);
    }
    data = out;
  } else {
    const field =
      type === 'float32' ? t.floatData
      : type === 'float64' ? t.doubleData
      : type === 'int64' ? (t.int64Data ?? []).map(int)
      : type === 'float16' ? (t.int32Data ?? []).map(half)
      : t.int32Data;
    data = field ?? [];
    if (data.length !== n) {
      throw new HearthError('E_MODEL', `${where} has ${data.length} elements but shape [${shape.join(', ')}] needs ${n}; the file is corrupt or truncated.`);
    }
  }
  return hostValue(type, shape, data);
}

/** A tensor read from a serialized ONNX `TensorProto` (the `.pb` files of ONNX's test data sets). */
export interface OnnxTensor {
  /** The tensor's name (empty when it has none). */
  readonly name: string;
  /** Its ONNX element type. */
  readonly type: ElementType;
  readonly shape: readonly number[];
  /** Row-major data: Float32Array for float32, Int32Array for int32, uint8 and int8, Uint8Array (0/1) for bool, Float64Array else (int64 exact up to 2^53). */
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

/**
 * Reads one serialized `TensorProto` (a `.pb` file of an ONNX test data set, or `onnx.numpy_helper.from_array`
 * saved with `SerializeToString()`). Bytes that are not a TensorProto, or whose data does not fit the shape,
 * are `E_MODEL`; an element type Hearth does not read is `E_UNSUPPORTED`.
 */
export function readTensorProto(bytes: Uint8Array): OnnxTensor {
  let t: onnxProto.onnx.TensorProto;
  try {
    t = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new HearthError('E_MODEL', `This is not a readable ONNX TensorProto: ${(e as Error).message} (the file is truncated or not a .pb tensor).`, {}, { cause: e });
  }
  const name = t.name ?? '';
  const v = readTensor(t, `tensor "${name}"`);
  return { name, type: v.type, shape: v.shape, data: v.data };
}
