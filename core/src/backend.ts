import type { DType, HostArray } from './dtype.js';

/**
 * What a device reports about itself. `hearth backends` and conformance reports print it; a plugin may add
 * more keys (driver versions, limits...).
 */
export interface DeviceInfo {
  /** The device type, e.g. `"cpu"`, `"webgpu"`, `"cuda"`. */
  readonly type: string;
  /** A human-readable name, e.g. the GPU adapter's description. */
  readonly name: string;
  /** Who made the hardware or the driver. */
  readonly vendor: string;
  /** True for software emulation (a CPU rasteriser behind a GPU API, for example). */
  readonly software?: boolean;
  /** Any further facts worth reporting. */
  readonly [key: string]: unknown;
}

/**
 * Device memory holding one tensor's elements, owned by a backend. Opaque to the core: it only passes it
 * back to the backend that made it. A backend may subclass or extend it freely.
 */
export interface DeviceStorage {
  /** The size in bytes, as the core's ledger counts it. */
  readonly byteLength: number;
}

/** Live allocations a backend holds, for leak checks beyond the core's own ledger. */
export interface BackendStats {
  /** Storage allocated and not yet freed. */
  readonly liveAllocations: number;
  /** Bytes of live storage. */
  readonly liveBytes: number;
  /** Bytes kept in a reuse pool (not a leak). */
  readonly pooledBytes?: number;
}

/**
 * One device, as a plugin provides it. The core owns tensors, their lifetime and the ledger; the backend
 * owns memory and runs kernels on it. All data a backend receives has already been validated by the core.
 */
export interface Backend {
  /** What the device is. `info.type` is the device type its kernels are registered under. */
  readonly info: DeviceInfo;
  /** The dtypes this device stores; must include `float32`, `int32` and `bool`. */
  readonly dtypes: readonly DType[];
  /** True when {@link Backend.readSync} is available (the CPU); false on GPUs, which read asynchronously. */
  readonly syncRead: boolean;
  /**
   * The largest single allocation, in bytes (default 2^32 - 1). The core refuses a bigger tensor with
   * `E_OUT_OF_MEMORY` before calling {@link Backend.allocate}.
   */
  readonly maxAllocationBytes?: number;
  /** Allocates storage for `size` elements of `dtype`. Contents are unspecified until written. */
  allocate(dtype: DType, size: number): DeviceStorage;
  /** Copies host data into storage. `data.length` equals the element count the storage was made for. */
  write(storage: DeviceStorage, dtype: DType, data: HostArray): void;
  /**
   * Reads storage back to a new host array of exactly `size` elements: Float32Array for float32 and float16,
   * Float64Array, Int32Array, Uint8Array (0/1) for bool. The core checks the type and length.
   */
  read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray>;
  /** Reads synchronously; only called when {@link Backend.syncRead} is true. */
  readSync?(storage: DeviceStorage, dtype: DType, size: number): HostArray;
  /** Releases storage; the core never uses it again. */
  free(storage: DeviceStorage): void;
  /** Submits batched work; called by the core before it reads and when a user asks to flush. */
  flush?(): void;
  /** Live allocations, for leak checks. */
  stats?(): BackendStats;
  /** Releases the device. */
  dispose?(): void | Promise<void>;
}
