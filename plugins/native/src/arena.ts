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

/**
 * Native memory where each launch's tensor descriptors, shapes and attributes are written in place, so a
 * launch costs a few typed-array stores and one FFI call, not a marshalled object graph. Strings (names,
 * modes, dtype names) are interned once. Owned by one backend; one launch at a time (launches are
 * synchronous calls).
 */
export class LaunchArena {
  #ptr = 0n;
  #words = 0;
  #u64!: BigUint64Array;
  #u32!: Uint32Array;
  #i32!: Int32Array;
  #f64!: Float64Array;
  #strings = new Map<string, bigint>();
  /** Addresses of words already asked for: BigInt arithmetic allocates, and launches reuse the same few. */
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
    this.#words = words;
    this.#addrs = [];
    const buf = koffi.view(this.#ptr, words * 8);
    this.#u64 = new BigUint64Array(buf);
    this.#u32 = new Uint32Array(buf);
    this.#i32 = new Int32Array(buf);
    this.#f64 = new Float64Array(buf);
  }

  #addr(word: number): bigint {
    return (this.#addrs[word] ??= this.#ptr + BigInt(word * 8));
  }

  #int64(word: number, v: number): void {
    this.#u32[2 * word] = v >>> 0;
    this.#i32[2 * word + 1] = Math.floor(v / TWO32);
  }

  #string(s: string): bigint {
    let p = this.#strings.get(s);
    if (p === undefined) {
      const bytes = new TextEncoder().encode(`${s}\0`);
      p = koffi.alloc('uint8_t', bytes.length) as bigint;
      new Uint8Array(koffi.view(p, bytes.length)).set(bytes);
      this.#strings.set(s, p);
    }
    return p;
  }

  #tensor(at: number, t: KernelTensor, shapeAt: number): number {
    const rank = t.shape.length;
    this.#u64[at] = (t.storage as NativeStorage).ptr;
    this.#u64[at + 1] = this.#addr(shapeAt);
    this.#int64(at + 2, t.size);
    this.#i32[2 * (at + 3)] = dtypeCode(t.dtype);
    this.#i32[2 * (at + 3) + 1] = rank;
    for (let d = 0; d < rank; d++) this.#int64(shapeAt + d, t.shape[d]!);
    return shapeAt + rank;
  }

  /** Writes the tensors and the attributes of one launch; the addresses land in `inputs`, `output`, `attrs`. */
  encode(inputs: readonly KernelTensor[], output: KernelTensor, slots: readonly AttrSlot[], attrs: Readonly<Record<string, unknown>>): void {
    let need = (inputs.length + 1) * (TENSOR_BYTES / 8) + output.shape.length + slots.length * (NAMED_VALUE_BYTES / 8);
    for (const t of inputs) need += t.shape.length;
    for (const s of slots) if (Array.isArray(attrs[s.name])) need += (attrs[s.name] as unknown[]).length;
    if (need > this.#words) this.#grow(Math.max(need, this.#words * 2));
    const tw = TENSOR_BYTES / 8;
    let free = (inputs.length + 1) * tw;
    for (let i = 0; i < inputs.length; i++) free = this.#tensor(i * tw, inputs[i]!, free);
    free = this.#tensor(inputs.length * tw, output, free);
    this.inputs = this.#ptr;
    this.output = this.#addr(inputs.length * tw);
    const attrAt = free;
    free += slots.length * (NAMED_VALUE_BYTES / 8);
    for (let k = 0; k < slots.length; k++) {
      const at = attrAt + 3 * k;
      const v = attrs[slots[k]!.name];
      this.#u64[at] = this.#string(slots[k]!.name);
      let kind: number = ValueKind.null;
      let count = 0;
      this.#u64[at + 2] = 0n;
      if (typeof v === 'boolean') (kind = ValueKind.bool), (this.#i32[2 * (at + 2)] = v ? 1 : 0);
      else if (typeof v === 'number' && slots[k]!.float) (kind = ValueKind.float64), (this.#f64[at + 2] = v);
      else if (typeof v === 'number') (kind = ValueKind.int64), this.#int64(at + 2, v);
      else if (typeof v === 'string') (kind = ValueKind.string), (count = Buffer.byteLength(v)), (this.#u64[at + 2] = this.#string(v));
      else if (Array.isArray(v)) {
        kind = slots[k]!.float ? ValueKind.float64Array : ValueKind.int64Array;
        count = v.length;
        this.#u64[at + 2] = this.#addr(free);
        for (const x of v as number[]) {
          if (slots[k]!.float) this.#f64[free++] = x;
          else this.#int64(free++, x);
        }
      }
      this.#i32[2 * (at + 1)] = kind;
      this.#i32[2 * (at + 1) + 1] = count;
    }
    this.attrs = this.#addr(attrAt);
  }

  /** Frees the native memory. */
  dispose(): void {
    if (this.#ptr) koffi.free(this.#ptr);
    for (const p of this.#strings.values()) koffi.free(p);
    this.#ptr = 0n;
    this.#strings.clear();
  }
}
