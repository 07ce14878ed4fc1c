import koffi from 'koffi';
import { dtypeCode, type KernelTensor } from '@hearth/core';
import { NAMED_VALUE_BYTES, TENSOR_BYTES, ValueKind } from './abi.js';
import type { NativeStorage } from './storage.js';

/** How one attribute travels: its name (interned in native memory) and whether its numbers are floats. */
export interface AttrSlot {
  /** The attribute's name. */
  readonly name: string;
  /** True for `number` and `number[]` attributes (sent as FLOAT64 and FLOAT64_ARRAY); integers are sent as INT64. */
  readonly float: boolean;
}

const TWO32 = 4294967296;
const TENSOR_WORDS = TENSOR_BYTES / 8;
const NAMED_VALUE_WORDS = NAMED_VALUE_BYTES / 8;

/** A string interned in native memory: its address and its UTF-8 length. */
interface Interned {
  readonly addr: number;
  readonly bytes: number;
}

/**
 * Native memory where each launch's tensor descriptors, shapes and attributes are written in place, so a
 * launch costs a few typed-array stores and one FFI call, not a marshalled object graph. Addresses are
 * written as numbers (user-space addresses fit in 53 bits) in two 32-bit halves, which is several times
 * cheaper than BigInt stores; strings (names, modes, dtype names) are interned once. Owned by one backend;
 * one launch at a time (launches are synchronous calls).
 */
export class LaunchArena {
  #ptr = 0n;
  #base = 0;
  #words = 0;
  #u32!: Uint32Array;
  #i32!: Int32Array;
  #f64!: Float64Array;
  #strings = new Map<string, Interned & { readonly ptr: bigint }>();

  /** The address of each word as a BigInt, made once: launches pass these, and BigInt arithmetic allocates. */
  #addrs: bigint[] = [];
  /** Where the last encode put the inputs, the output and the attributes. */
  inputs = 0n;
  output = 0n;
  attrs = 0n;

  constructor(words = 512) {
    this.#grow(words);
  }

  #grow(words: number): void {
    if (this.#ptr) koffi.free(this.#ptr);
    this.#ptr = koffi.alloc('uint64_t', words) as bigint;
    this.#base = Number(this.#ptr);
    this.#words = words;
    this.#addrs = Array.from({ length: words }, (_, w) => this.#ptr + BigInt(w * 8));
    const buf = koffi.view(this.#ptr, words * 8);
    this.#u32 = new Uint32Array(buf);
    this.#i32 = new Int32Array(buf);
    this.#f64 = new Float64Array(buf);
  }

  #string(s: string): Interned {
    let p = this.#strings.get(s);
    if (p === undefined) {
      const bytes = new TextEncoder().encode(`${s}\0`);
      const ptr = koffi.alloc('uint8_t', bytes.length) as bigint;
      new Uint8Array(koffi.view(ptr, bytes.length)).set(bytes);
      this.#strings.set(s, (p = { ptr, addr: Number(ptr), bytes: bytes.length - 1 }));
    }
    return p;
  }

  /** Writes the tensors and the attributes of one launch; the addresses land in `inputs`, `output`, `attrs`. */
  encode(inputs: readonly KernelTensor[], output: KernelTensor, slots: readonly AttrSlot[], attrs: Readonly<Record<string, unknown>>): void {
    const n = inputs.length;
    // Room for the descriptors and shapes; attribute arrays are checked as they are written.
    let fixed = (n + 1) * TENSOR_WORDS + output.shape.length + slots.length * NAMED_VALUE_WORDS;
    for (let i = 0; i < n; i++) fixed += inputs[i]!.shape.length;
    if (fixed > this.#words) this.#grow(Math.max(fixed, this.#words * 2));
    const u32 = this.#u32;
    const i32 = this.#i32;
    const base = this.#base;
    let free = (n + 1) * TENSOR_WORDS;
    for (let i = 0; i <= n; i++) free = writeTensor(u32, i32, base, i * TENSOR_WORDS, i < n ? inputs[i]! : output, free);
    const attrAt = free;
    free += slots.length * NAMED_VALUE_WORDS;
    for (let k = 0; k < slots.length; k++) {
      const at = attrAt + NAMED_VALUE_WORDS * k;
      const slot = slots[k]!;
      const v = attrs[slot.name];
      int64(u32, i32, at, this.#string(slot.name).addr);
      let kind: number = ValueKind.null;
      let count = 0;
      u32[2 * (at + 2)] = 0;
      u32[2 * (at + 2) + 1] = 0;
      if (typeof v === 'number') {
        if (slot.float) (kind = ValueKind.float64), (this.#f64[at + 2] = v);
        else (kind = ValueKind.int64), int64(u32, i32, at + 2, v);
      } else if (typeof v === 'boolean') (kind = ValueKind.bool), (i32[2 * (at + 2)] = v ? 1 : 0);
      else if (typeof v === 'string') {
        const str = this.#string(v);
        (kind = ValueKind.string), (count = str.bytes), int64(u32, i32, at + 2, str.addr);
      } else if (Array.isArray(v)) {
        count = v.length;
        if (free + count > this.#words) {
          // Rare (long attribute lists): grow and write the whole launch again.
          this.#grow(Math.max(free + count, this.#words * 2));
          return this.encode(inputs, output, slots, attrs);
        }
        kind = slot.float ? ValueKind.float64Array : ValueKind.int64Array;
        int64(u32, i32, at + 2, base + free * 8);
        for (let j = 0; j < count; j++) {
          if (slot.float) this.#f64[free++] = v[j] as number;
          else int64(u32, i32, free++, v[j] as number);
        }
      }
      i32[2 * (at + 1)] = kind;
      i32[2 * (at + 1) + 1] = count;
    }
    this.inputs = this.#ptr;
    this.output = this.#addrs[n * TENSOR_WORDS]!;
    this.attrs = this.#addrs[attrAt]!;
  }

  /** Frees the native memory. */
  dispose(): void {
    if (this.#ptr) koffi.free(this.#ptr);
    for (const p of this.#strings.values()) koffi.free(p.ptr);
    this.#ptr = 0n;
    this.#strings.clear();
  }
}

/** A signed 64-bit integer (an exact JS number), or an address, at `word`. */
function int64(u32: Uint32Array, i32: Int32Array, word: number, v: number): void {
  u32[2 * word] = v >>> 0;
  i32[2 * word + 1] = Math.floor(v / TWO32);
}

/** Writes one `hearth_tensor` at word `at` and its shape at `shapeAt`; returns the next free word. */
function writeTensor(u32: Uint32Array, i32: Int32Array, base: number, at: number, t: KernelTensor, shapeAt: number): number {
  const shape = t.shape;
  const rank = shape.length;
  int64(u32, i32, at, (t.storage as NativeStorage).addr);
  int64(u32, i32, at + 1, base + shapeAt * 8);
  int64(u32, i32, at + 2, t.size);
  i32[2 * (at + 3)] = dtypeCode(t.dtype);
  i32[2 * (at + 3) + 1] = rank;
  for (let d = 0; d < rank; d++) int64(u32, i32, shapeAt + d, shape[d]!);
  return shapeAt + rank;
}
