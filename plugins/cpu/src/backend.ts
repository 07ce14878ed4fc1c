import { HearthError, hostArray, type Backend, type BackendStats, type DType, type DeviceInfo, type DeviceStorage, type HostArray } from '@hearth/core';

/** CPU storage: a host typed array (float64 as Float64Array, float32 as Float32Array, int32, bool as Uint8Array). */
export interface CpuStorage extends DeviceStorage {
  /** The elements. */
  readonly data: HostArray;
}

/** The CPU device: memory is host typed arrays, reads are synchronous. */
export class CpuBackend implements Backend {
  readonly info: DeviceInfo;
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool', 'float64'];
  readonly syncRead = true;
  #live = 0;
  #liveBytes = 0;

  constructor() {
    const cpus = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    this.info = { type: 'cpu', name: 'Hearth reference CPU', vendor: 'Hearth', software: false, threads: cpus ?? 1 };
  }

  allocate(dtype: DType, size: number): CpuStorage {
    if (!this.dtypes.includes(dtype)) throw new HearthError('E_DTYPE', `The CPU backend does not store ${dtype}.`);
    const data = hostArray(dtype, size);
    this.#live++;
    this.#liveBytes += data.byteLength;
    return { data, byteLength: data.byteLength };
  }

  write(storage: DeviceStorage, _dtype: DType, data: HostArray): void {
    (storage as CpuStorage).data.set(data);
  }

  read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    return Promise.resolve(this.readSync(storage, dtype, size));
  }

  readSync(storage: DeviceStorage, _dtype?: DType, _size?: number): HostArray {
    return (storage as CpuStorage).data.slice();
  }

  free(storage: DeviceStorage): void {
    this.#live--;
    this.#liveBytes -= storage.byteLength;
  }

  stats(): BackendStats {
    return { liveAllocations: this.#live, liveBytes: this.#liveBytes };
  }
}
