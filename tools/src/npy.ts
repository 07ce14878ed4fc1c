import { readFile, writeFile } from 'node:fs/promises';
import { dump, parse, type DType as NpyDType } from 'npyjs';
import { describeError, HearthError, type DType } from '@hearth/core';

/** An array read from a `.npy` file, typed as a Hearth tensor would hold it. */
export interface NpyData {
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array;
  readonly shape: number[];
  readonly dtype: DType;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/**
 * Reads a NumPy `.npy` file (parsed by npyjs) as Hearth data: float32, float64, int32, bool; int64 is narrowed
 * to int32 with a range check (ONNX's index type; Hearth devices hold it as int32), uint8 and int8 widened to it. Anything else, a
 * Fortran-ordered array, or a file npyjs cannot parse is `E_ARG` naming the file.
 */
export async function readNpy(path: string): Promise<NpyData> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new HearthError('E_ARG', `Cannot read ${path}: ${describeError(e)}.`, { path });
  }
  let arr: ReturnType<typeof parse>;
  try {
    arr = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new HearthError('E_ARG', `${path} is not a readable .npy file: ${describeError(e)}. Save it with numpy.save.`, { path });
  }
  if (arr.fortranOrder) throw new HearthError('E_ARG', `${path} holds a Fortran-ordered array; save it C-ordered: numpy.save(path, numpy.ascontiguousarray(a)).`, { path });
  const shape = arr.shape.map(Number);
  const d = arr.data;
  const dtype = arr.dtype.replace(/^[<>|=]/, '') as NpyDType;
  switch (dtype) {
    case 'f4': return { data: d as Float32Array, shape, dtype: 'float32' };
    case 'f8': return { data: d as Float64Array, shape, dtype: 'float64' };
    case 'i4': return { data: d as Int32Array, shape, dtype: 'int32' };
    // uint8 and int8 (quantized models' inputs) are widened to int32, exactly, as @hearth/onnx holds them.
    case 'u1':
    case 'i1': return { data: Int32Array.from(d as Uint8Array | Int8Array), shape, dtype: 'int32' };
    case 'b1': return { data: new Uint8Array((d as Uint8Array).buffer, (d as Uint8Array).byteOffset, (d as Uint8Array).length), shape, dtype: 'bool' };
    case 'i8': {
      const big = d as BigInt64Array;
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = Number(big[i]!);
        if (v < INT32.min || v > INT32.max) throw new HearthError('E_DTYPE', `${path}: int64 value ${big[i]} at element ${i} is outside int32's range (Hearth holds int64 as int32).`, { path });
        out[i] = v;
      }
      return { data: out, shape, dtype: 'int32' };
    }
    default:
      throw new HearthError('E_DTYPE', `${path} holds ${arr.dtype}; Hearth reads float32, float64, int32, int64, uint8, int8 and bool .npy files.`, { path, dtype: arr.dtype });
  }
}

const NPY_DTYPES: Partial<Record<DType | 'uint8' | 'int8', NpyDType>> = { float32: 'f4', float64: 'f8', int32: 'i4', bool: 'b1', uint8: 'u1', int8: 'i1' };

/** Writes Hearth data as a `.npy` file (float32, float64, int32, bool; uint8 and int8 for a model's 8-bit outputs held as int32). */
export async function writeNpy(path: string, data: ArrayLike<number>, shape: readonly number[], dtype: DType | 'uint8' | 'int8'): Promise<void> {
  const npy = NPY_DTYPES[dtype];
  if (!npy) throw new HearthError('E_DTYPE', `Cannot save ${dtype} as .npy.`);
  const typed = dtype === 'bool' || dtype === 'uint8' ? Uint8Array.from(data) : dtype === 'int8' ? Int8Array.from(data) : (data as Float32Array);
  await writeFile(path, new Uint8Array(dump(typed as never, [...shape], { dtype: npy })));
}
