import type { DeviceStorage } from '@hearth/core';

/** Device memory of a native backend: the library's pointer and the device it lives on. */
export interface NativeStorage extends DeviceStorage {
  /** The device pointer `alloc` gave (0n for an empty allocation). */
  readonly ptr: bigint;
  /** The device index. */
  readonly device: number;
}
