import { dtypeBytes, type DeviceStorage, type DType, type HostArray } from '@hearth/core';

/** Bytes below this address are left to the WebAssembly module (its data and stack) and the thread control block. */
export const HEAP_BASE = 64 * 1024;
/** Where the worker-thread control block lives (see threads.ts). */
export const CONTROL_BLOCK = HEAP_BASE - 256;
const PAGE = 65536;
const MIN_CLASS = 6; // 64 bytes: every allocation starts on a cache line (and a SIMD boundary)
const CLASSES = 32;
/**
 * The largest block: blocks are powers of two in a memory of at most 2 GiB (MAX_PAGES) that also holds the
 * module below HEAP_BASE, so 1 GiB is the biggest that can ever fit.
 */
export const MAX_BLOCK_BYTES = 2 ** 30;
/** Bytes of a block of each size class. */
const CLASS_BYTES = Float64Array.from({ length: CLASSES }, (_, c) => 2 ** c);

/** Typed views over the whole memory, rebuilt when an unshared memory grows (its old buffer detaches). */
export interface HeapViews {
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
}

/**
 * Storage on the wasm device: `size` elements of `dtype` at byte address `ptr` of the WebAssembly memory.
 * `data` is a typed-array view of exactly those elements (valid until the next allocation may grow an
 * unshared memory, so take it afresh in each kernel).
 */
export class WasmStorage implements DeviceStorage {
  #view: HostArray | undefined;
  #generation = -1;
  /**
   * Whether every element is finite, once a kernel asked (`allFinite`). Storage is written once, by its
   * upload or by the kernel that made it, before anything reads it: the answer holds until `write` clears it.
   */
  finite: boolean | undefined;

  constructor(
    /** The heap it lives in. */
    readonly heap: WasmHeap,
    /** The byte address. */
    readonly ptr: number,
    /** The element count. */
    readonly size: number,
    /** The dtype. */
    readonly dtype: DType,
    /** The bytes the ledger counts. */
    readonly byteLength: number,
    /** The allocator's size class. */
    readonly sizeClass: number,
  ) {}

  /** The elements, as a view into the WebAssembly memory. */
  get data(): HostArray {
    if (this.#generation !== this.heap.generation) {
      const buffer = this.heap.memory.buffer;
      this.#view =
        this.dtype === 'float32'
          ? new Float32Array(buffer, this.ptr, this.size)
          : this.dtype === 'int32'
            ? new Int32Array(buffer, this.ptr, this.size)
            : new Uint8Array(buffer, this.ptr, this.size);
      this.#generation = this.heap.generation;
    }
    return this.#view!;
  }

  /** True when every element is finite: scanned on the first call, remembered after. */
  allFinite(): boolean {
    if (this.finite === undefined) {
      const v = this.data;
      let ok = true;
      for (let i = 0; i < v.length && ok; i++) ok = Number.isFinite(v[i]!);
      this.finite = ok;
    }
    return this.finite;
  }
}

/**
 * A size-class allocator over one WebAssembly memory: blocks are powers of two from 64 bytes, freed blocks
 * go to a free list of their class and are reused; the memory grows when no block fits (WebAssembly
 * memory never shrinks, so the high-water mark stays reserved until the backend is disposed).
 */
export class WasmHeap {
  /** Bumped whenever the memory grows, so views can tell they are stale. */
  generation = 0;
  /** Typed views over the whole memory. */
  views: HeapViews;
  /** Blocks handed out and not yet freed. */
  live = 0;
  /** Bytes of live blocks, as requested. */
  liveBytes = 0;
  /** Bytes in free lists. */
  pooledBytes = 0;
  readonly #free: number[][] = Array.from({ length: CLASSES }, () => []);
  #top = HEAP_BASE;

  constructor(readonly memory: WebAssembly.Memory) {
    this.views = this.#makeViews();
  }

  /** A block for `size` elements of `dtype`; throws RangeError when the memory can't grow (the core reports it as E_OUT_OF_MEMORY). */
  allocate(dtype: DType, size: number): WasmStorage {
    const bytes = size * dtypeBytes(dtype);
    if (bytes > MAX_BLOCK_BYTES) throw new RangeError(`wasm memory: a block of ${bytes} bytes is beyond the largest one (${MAX_BLOCK_BYTES} bytes)`);
    const cls = bytes <= 1 << MIN_CLASS ? MIN_CLASS : 32 - Math.clz32(bytes - 1);
    let ptr = this.#free[cls]!.pop();
    if (ptr === undefined) ptr = this.#bump(CLASS_BYTES[cls]!);
    else this.pooledBytes -= CLASS_BYTES[cls]!;
    this.live++;
    this.liveBytes += bytes;
    return new WasmStorage(this, ptr, size, dtype, bytes, cls);
  }

  /** Returns a block to its free list. */
  free(s: WasmStorage): void {
    this.#free[s.sizeClass]!.push(s.ptr);
    this.pooledBytes += CLASS_BYTES[s.sizeClass]!;
    this.live--;
    this.liveBytes -= s.byteLength;
  }

  #bump(bytes: number): number {
    const ptr = this.#top;
    const end = ptr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least a quarter of the current size, so a run of allocations grows the memory rarely.
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.max(need, Math.ceil(have / PAGE / 4));
      try {
        this.memory.grow(pages);
      } catch {
        this.memory.grow(need);
      }
      this.generation++;
      this.views = this.#makeViews();
    }
    this.#top = end;
    return ptr;
  }

  #makeViews(): HeapViews {
    const b = this.memory.buffer;
    return { f32: new Float32Array(b), i32: new Int32Array(b), u8: new Uint8Array(b) };
  }
}
