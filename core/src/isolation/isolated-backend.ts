import { HearthError } from '../errors.js';
import { dtypeBytes, hostArray, type DType, type HostArray } from '../dtype.js';
import type { Backend, BackendStats, DeviceInfo, DeviceStorage } from '../backend.js';
import type { KernelTensor } from '../kernel.js';
import type { IsolatedProcess } from './process.js';
import type { RemoteTensor } from './protocol.js';

/** Storage in an isolated process: an id there, and the process generation it belongs to. */
export interface IsolatedStorage extends DeviceStorage {
  readonly id: number;
  readonly generation: number;
}

/** Time limits of an isolated device's calls, in ms. */
export interface IsolationLimits {
  /** One call: allocate, write, free, launch, read, dispose. */
  readonly call: number;
}

/** What `create` in the isolated process told about a device. */
export interface IsolatedDeviceFacts {
  readonly info: DeviceInfo;
  readonly dtypes: readonly DType[];
  readonly maxAllocationBytes?: number;
}

/**
 * A device whose backend runs in an isolated process. It reads asynchronously, like a GPU: allocations,
 * writes, launches and frees are messages sent in order without waiting (a launch costs one message, not
 * a round trip); a read waits for its answer. A failure inside a call shows at the read of what it was to
 * fill; a crash, a hang or an exit of the process makes every call `E_DEVICE_LOST` with its cause.
 */
export class IsolatedBackend implements Backend {
  readonly info: DeviceInfo;
  readonly dtypes: readonly DType[];
  readonly syncRead = false;
  readonly maxAllocationBytes?: number;
  /** The device's number in its process, and the process generation that number belongs to. */
  #dev: number;
  #generation: number;
  #live = 0;
  #liveBytes = 0;
  #nextId = 1;

  constructor(
    readonly process: IsolatedProcess,
    dev: number,
    generation: number,
    facts: IsolatedDeviceFacts,
    private readonly limits: IsolationLimits,
    /** Brings the whole process back (all its devices); set by the isolated plugin. */
    private readonly restartProcess: () => Promise<void>,
  ) {
    this.#dev = dev;
    this.#generation = generation;
    this.info = facts.info;
    this.dtypes = facts.dtypes;
    if (facts.maxAllocationBytes !== undefined) this.maxAllocationBytes = facts.maxAllocationBytes;
  }

  allocate(dtype: DType, size: number): IsolatedStorage {
    this.#check();
    const id = this.#nextId++;
    const byteLength = size * dtypeBytes(dtype);
    this.process.post({ k: 'alloc', dev: this.#dev, id, dtype, size }, this.limits.call, `allocate(${dtype}, ${size})`);
    this.#live++;
    this.#liveBytes += byteLength;
    return { id, generation: this.#generation, byteLength };
  }

  write(storage: DeviceStorage, dtype: DType, data: HostArray): void {
    const s = this.#check(storage);
    // Sent at the end of this synchronous stretch without a copy: `data` is the core's own (made from the
    // user's data, or read from another device), never an array the user still holds.
    this.process.post({ k: 'write', dev: this.#dev, id: s.id, dtype, data }, this.limits.call, `write of ${s.byteLength} bytes`);
  }

  async read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    const s = this.#check(storage);
    if (size === 0) return hostArray(dtype, 0);
    return this.process.request<HostArray>({ k: 'read', dev: this.#dev, id: s.id, dtype, size }, this.limits.call, `read of ${s.byteLength} bytes`, 'E_BACKEND');
  }

  free(storage: DeviceStorage): void {
    const s = storage as IsolatedStorage;
    this.#live--;
    this.#liveBytes -= s.byteLength;
    // Storage of a lost process went with it.
    if (this.process.lost || s.generation !== this.#generation) return;
    this.process.post({ k: 'free', dev: this.#dev, id: s.id }, this.limits.call, 'free');
  }

  /** Sends a kernel launch: kernel number `kernel` of the isolated plugin, on storage ids. */
  launch(kernel: number, what: string, inputs: readonly KernelTensor[], output: KernelTensor, attrs: Readonly<Record<string, unknown>>): void {
    const remote = (t: KernelTensor): RemoteTensor => ({ id: this.#check(t.storage).id, shape: t.shape, dtype: t.dtype, size: t.size });
    this.process.post({ k: 'launch', dev: this.#dev, kernel, inputs: inputs.map(remote), output: remote(output), attrs }, this.limits.call, `the launch of ${what}`);
  }

  /** What this side has allocated and not freed (the process's own count is not asked, to keep stats synchronous). */
  stats(): BackendStats {
    return { liveAllocations: this.#live, liveBytes: this.#liveBytes };
  }

  /** Starts the device's process again after it was lost; tensors made before stay unusable. */
  restart(): Promise<void> {
    return this.restartProcess();
  }

  /** Binds this device to its number in a restarted process. */
  rebind(dev: number, generation: number): void {
    this.#dev = dev;
    this.#generation = generation;
  }

  async dispose(): Promise<void> {
    if (this.process.lost) return;
    await this.process.request({ k: 'dispose', dev: this.#dev }, this.limits.call, 'dispose', 'E_BACKEND');
  }

  #check(storage?: DeviceStorage): IsolatedStorage {
    const lost = this.process.lost;
    if (lost) throw lost;
    const s = storage as IsolatedStorage;
    if (s && s.generation !== this.#generation) {
      throw new HearthError('E_DEVICE_LOST', `${this.info.type} storage #${s.id} belongs to an isolated process that was lost and restarted since; its data is gone. Make the tensor again.`, { device: this.info.type });
    }
    return s;
  }
}
