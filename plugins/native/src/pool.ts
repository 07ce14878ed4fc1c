/**
 * Freed device blocks kept by byte size for the next allocation of that size, as PyTorch's caching
 * allocator and the wasm and webgpu backends' pools do: a loop of small ops then calls neither the
 * library's `alloc` nor its `free`. Bounded: blocks up to `maxBlock` bytes, `maxBytes` in all.
 */
export class BlockPool {
  readonly #bySize = new Map<number, bigint[]>();
  #bytes = 0;
  #count = 0;

  constructor(
    readonly maxBlock = 1 << 20,
    readonly maxBytes = 16 << 20,
  ) {}

  /** Bytes of the blocks held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A block of exactly `bytes`, or undefined when none is pooled. */
  take(bytes: number): bigint | undefined {
    const list = this.#bySize.get(bytes);
    if (list === undefined || list.length === 0) return undefined;
    this.#bytes -= bytes;
    this.#count--;
    return list.pop();
  }

  /** Keeps a block; false when it is too large or the pool is full (the caller frees it). */
  put(ptr: bigint, bytes: number): boolean {
    if (bytes > this.maxBlock || this.#bytes + bytes > this.maxBytes) return false;
    let list = this.#bySize.get(bytes);
    if (list === undefined) this.#bySize.set(bytes, (list = []));
    list.push(ptr);
    this.#bytes += bytes;
    this.#count++;
    return true;
  }

  /** Empties the pool, handing every block to `free`; goes on past a failing one and rethrows the first failure. */
  drain(free: (ptr: bigint) => void): void {
    if (this.#count === 0) return;
    const lists = [...this.#bySize.values()];
    this.#bySize.clear();
    this.#bytes = 0;
    this.#count = 0;
    let failure: unknown;
    for (const list of lists) {
      for (const ptr of list) {
        try {
          free(ptr);
        } catch (e) {
          failure ??= e;
        }
      }
    }
    if (failure !== undefined) throw failure;
  }
}
