import { HearthError, type Backend, type BackendStats, type DType, type DeviceInfo, type DeviceStorage, type HostArray } from '@hearth/core';
import { MAX_BLOCK_BYTES, WasmHeap, type WasmStorage } from './heap.js';
import type { KernelExports, LoadedKernels } from './module.js';
import type { ThreadPool } from './threads.js';

/**
 * The wasm device: tensors live in one WebAssembly memory, kernels run there (SIMD where it pays, on
 * worker threads for large tensors), reads are synchronous.
 */
export class WasmBackend implements Backend {
  readonly info: DeviceInfo;
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  readonly syncRead = true;
  /** The largest tensor: the core refuses a bigger one with E_OUT_OF_MEMORY before asking the heap. */
  readonly maxAllocationBytes = MAX_BLOCK_BYTES;
  /** The allocator over the module's memory. */
  readonly heap: WasmHeap;
  /** The calling thread's kernels. */
  readonly kernels: KernelExports;

  constructor(
    loaded: LoadedKernels,
    /** The threads large kernels are split over. */
    readonly pool: ThreadPool,
  ) {
    this.heap = new WasmHeap(loaded.memory);
    this.kernels = loaded.exports;
    this.info = {
      type: 'wasm',
      name: 'Hearth WebAssembly SIMD',
      vendor: 'Hearth',
      software: false,
      threads: pool.threads,
      sharedMemory: typeof SharedArrayBuffer !== 'undefined' && loaded.memory.buffer instanceof SharedArrayBuffer,
    };
  }

  allocate(dtype: DType, size: number): WasmStorage {
    if (!this.dtypes.includes(dtype)) throw new HearthError('E_DTYPE', `The wasm backend does not store ${dtype}; use float32, int32 or bool (or the cpu backend for float64).`);
    return this.heap.allocate(dtype, size);
  }

  write(storage: DeviceStorage, _dtype: DType, data: HostArray): void {
    (storage as WasmStorage).data.set(data);
    (storage as WasmStorage).finite = undefined;
  }

  read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    return Promise.resolve(this.readSync(storage, dtype, size));
  }

  readSync(storage: DeviceStorage, _dtype?: DType, _size?: number): HostArray {
    // slice() of a view over a SharedArrayBuffer gives a plain ArrayBuffer copy: the caller owns it.
    return (storage as WasmStorage).data.slice();
  }

  free(storage: DeviceStorage): void {
    this.heap.free(storage as WasmStorage);
  }

  stats(): BackendStats {
    return { liveAllocations: this.heap.live, liveBytes: this.heap.liveBytes, pooledBytes: this.heap.pooledBytes };
  }

  dispose(): void {
    this.pool.dispose();
  }
}
