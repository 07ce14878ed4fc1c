import { HearthError } from './errors.js';
import { dtypeBytes, type DType } from './dtype.js';
import type { Backend, DeviceStorage } from './backend.js';
import type { KernelContext } from './kernel.js';
import type { Account, Ledger } from './ledger.js';

/** A device the runtime has: its name (`"cpu:0"`), backend, and the small ids the dispatcher uses. */
export class Device {
  /** The kernel context handed to every kernel on this device (one object, reused). */
  readonly ctx: KernelContext;
  /** This device's counters in the runtime's ledger. */
  readonly account: Account;

  constructor(
    /** The device name, `type:index`. */
    readonly name: string,
    /** The device type. */
    readonly type: string,
    /** The device type's id in the kernel table. */
    readonly typeId: number,
    /** The backend. */
    readonly backend: Backend,
    /** The plugin that provides it. */
    readonly plugin: string,
    ledger: Ledger,
  ) {
    this.account = ledger.account(name);
    this.ctx = {
      backend,
      allocate: (dtype, size) => {
        const s = backend.allocate(dtype, size);
        ledger.scratch(name, s.byteLength);
        return s;
      },
      release: (storage) => {
        ledger.scratch(name, -storage.byteLength);
        backend.free(storage);
      },
    };
  }

  /** True when the backend stores `dtype`. */
  has(dtype: DType): boolean {
    return this.backend.dtypes.includes(dtype);
  }

  /** Allocates storage, turning a backend's failure into `E_OUT_OF_MEMORY`. */
  allocate(dtype: DType, size: number): DeviceStorage {
    try {
      return this.backend.allocate(dtype, size);
    } catch (e) {
      if (e instanceof HearthError) throw e;
      throw new HearthError(
        'E_OUT_OF_MEMORY',
        `${this.name} could not allocate ${size * dtypeBytes(dtype)} bytes (${size} x ${dtype}): ${(e as Error).message}. Dispose unused tensors or use smaller ones.`,
        { device: this.name, size, dtype },
        { cause: e },
      );
    }
  }
}
