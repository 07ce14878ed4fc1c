import { hostArray, type DType, type HostArray } from '@hearth/core';

/**
 * How a Hearth dtype lives on the GPU. bool is a u32 per element (WGSL has no byte storage); float16 is
 * stored as f16 but computed in f32, so every float kernel has one f32 body and rounds once on store.
 */
export interface GpuType {
  /** The WGSL element type of storage arrays. */
  readonly storage: 'f32' | 'f16' | 'i32' | 'u32';
  /** The WGSL type kernels compute in. */
  readonly compute: 'f32' | 'i32' | 'u32';
  /** Bytes per stored element. */
  readonly bytes: number;
}

const TYPES: Readonly<Record<Exclude<DType, 'float64'>, GpuType>> = {
  float32: { storage: 'f32', compute: 'f32', bytes: 4 },
  float16: { storage: 'f16', compute: 'f32', bytes: 2 },
  int32: { storage: 'i32', compute: 'i32', bytes: 4 },
  bool: { storage: 'u32', compute: 'u32', bytes: 4 },
};

/** The GPU layout of a dtype (float64 is never stored on WebGPU). */
export function gpuType(dtype: DType): GpuType {
  return TYPES[dtype as Exclude<DType, 'float64'>];
}

/** WGSL expression turning a stored value `v` into the compute type. */
export function loadExpr(dtype: DType, v: string): string {
  return dtype === 'float16' ? `f32(${v})` : v;
}

/** WGSL expression turning a compute value `v` into the stored type (float16 rounds, overflowing to ±Inf). */
export function storeExpr(dtype: DType, v: string): string {
  return dtype === 'float16' ? `to_f16(${v})` : v;
}

/** Bytes a buffer for `size` elements needs, rounded up to the 4-byte granularity of copies. */
export function storageBytes(dtype: DType, size: number): number {
  return Math.ceil((size * gpuType(dtype).bytes) / 4) * 4;
}

/** Host data as the bytes the GPU stores (bool widened to u32, float16 packed to IEEE half bits). */
export function toGpuBytes(dtype: DType, data: HostArray): Uint8Array {
  if (dtype === 'bool') return new Uint8Array(Uint32Array.from(data as Uint8Array, (b) => (b ? 1 : 0)).buffer);
  if (dtype === 'float16') {
    const words = new Uint16Array(Math.ceil(data.length / 2) * 2);
    for (let i = 0; i < data.length; i++) words[i] = f32ToF16Bits(data[i]!);
    return new Uint8Array(words.buffer);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** GPU bytes back to the host array of a dtype (float16 comes back as Float32Array). */
export function fromGpuBytes(dtype: DType, bytes: ArrayBuffer, size: number): HostArray {
  switch (dtype) {
    case 'bool':
      return Uint8Array.from(new Uint32Array(bytes, 0, size), (w) => (w ? 1 : 0));
    case 'float16': {
      const halves = new Uint16Array(bytes, 0, size);
      const out = hostArray('float16', size);
      for (let i = 0; i < size; i++) out[i] = f16BitsToF32(halves[i]!);
      return out;
    }
    case 'int32':
      return new Int32Array(bytes.slice(0, size * 4));
    default:
      return new Float32Array(bytes.slice(0, size * 4));
  }
}

/** IEEE half bits of a number, rounding to nearest even (overflow to ±Inf, NaN kept). */
export function f32ToF16Bits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  if (r === 0x400) {
    r = 0;
    e++;
    if (e >= 0x1f) return sign | 0x7c00;
  }
  return sign | (e << 10) | r;
}

/** The number an IEEE half encodes. */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The bits of a float32, as a u32 word (for kernel parameters). */
export function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0]!;
}
