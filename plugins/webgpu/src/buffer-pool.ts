/** GPU buffer usage bits (numeric so the plugin never needs WebGPU's globals installed). */
export const USAGE = { MAP_READ: 0x1, MAP_WRITE: 0x2, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;

const STORAGE_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/**
 * Size-bucketed reuse of storage buffers. Buckets are powers of two and the midpoints between them (at most
 * 33% slack), from 256 bytes. Freed buffers wait in their bucket; pooled bytes are capped, and the largest
 * idle buffers are destroyed first when the cap is passed. Reuse is safe without waiting for the GPU: every
 * use of a buffer is encoded in submission order, so a later writer always runs after earlier readers.
 */
export class BufferPool {
  readonly #free = new Map<number, GPUBuffer[]>();
  #pooledBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    /** The most bytes kept idle. */
    private readonly maxPooledBytes: number,
  ) {}

  /** The bucket size a request of `bytes` is served from. */
  static bucket(bytes: number): number {
    const b = Math.max(bytes, 256);
    const pow = 2 ** Math.ceil(Math.log2(b));
    const mid = (pow / 4) * 3;
    return b <= mid ? mid : pow;
  }

  /** A storage buffer of at least `bytes` (exactly `bucket` bytes), reused when one is idle. */
  acquire(bucket: number): GPUBuffer {
    const list = this.#free.get(bucket);
    const reused = list?.pop();
    if (reused) {
      this.#pooledBytes -= bucket;
      return reused;
    }
    return this.device.createBuffer({ size: bucket, usage: STORAGE_USAGE });
  }

  /** Takes a buffer back for reuse (or destroys it when the pool is full). */
  release(buffer: GPUBuffer, bucket: number): void {
    if (this.#pooledBytes + bucket > this.maxPooledBytes) {
      buffer.destroy();
      return;
    }
    let list = this.#free.get(bucket);
    if (!list) this.#free.set(bucket, (list = []));
    list.push(buffer);
    this.#pooledBytes += bucket;
  }

  /** Bytes idle in the pool. */
  get pooledBytes(): number {
    return this.#pooledBytes;
  }

  /** Destroys every idle buffer. */
  clear(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#pooledBytes = 0;
  }
}
