import { HearthError, describeError } from './errors.js';
import { DTYPES, dtypeBytes, dtypeCode, type DType, type HostArray } from './dtype.js';
import type { Backend, DeviceStorage } from './backend.js';
import type { CheckedBackend } from './backend-check.js';
import type { KernelContext } from './kernel.js';
import type { Account, Ledger } from './ledger.js';
import { isThenable, withTimeLimit } from './time-limit.js';

/**
 * The mark of live storage: set on the storage object the backend handed out, cleared when the core frees
 * it, so a backend handing it out again while live is caught. A property rather than a Set of live storage:
 * a set costs a hash of every new object on the hot path, several times the rest of a small op's overhead.
 */
const LIVE = Symbol('hearth.live');
type Marked = DeviceStorage & { [LIVE]?: boolean };

/** The largest single allocation when a backend does not say (`Backend.maxAllocationBytes`): 4 GiB - 1. */
export const DEFAULT_MAX_ALLOCATION_BYTES = 2 ** 32 - 1;

const HOST_ARRAY: Record<DType, Function> = { float32: Float32Array, float16: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };

/**
 * A device the runtime has: its name (`"cpu:0"`), backend, and the small ids the dispatcher uses. Every call
 * into the backend goes through here, so a plugin's failure or broken promise (a short read, a wrong array
 * type, a storage without `byteLength`) becomes a coded `HearthError` naming the plugin.
 */
export class Device {
  /** The kernel context handed to every kernel on this device (one frozen object, reused). */
  readonly ctx!: KernelContext;
  /** This device's counters in the runtime's ledger. */
  readonly account: Account;
  /** The largest single allocation, in bytes. */
  readonly maxAllocationBytes!: number;
  /** The backend, as the core keeps it (a {@link CheckedBackend} snapshot when it came through `checkBackend`). */
  readonly backend!: Backend;
  // Sizes up to this many elements fit whatever the dtype (8 bytes at most): the hot path's one compare.
  // -1 until the device starts and once it is closing: the same compare then refuses every allocation.
  #safeSize = -1;
  // unstarted: a lazy backend's first device before its start, holding only pending tensors (nothing
  // reaches the backend); open: everything; closing: only reads in flight finish and storage is freed;
  // disposed: nothing.
  #state: 'unstarted' | 'open' | 'closing' | 'disposed' = 'unstarted';
  // Reads in flight, which the runtime's dispose() waits for before it releases the backend.
  readonly #reads = new Set<Promise<unknown>>();
  // Which dtypes the backend stores, by dtype code (read once from its snapshot).
  #stores: readonly boolean[] = DTYPES.map(() => true);
  // Live storage that refused the LIVE mark (a frozen or sealed object): tracked here instead.
  readonly #liveUnmarkable = new Set<DeviceStorage>();
  // Scratch storage kernels allocated through ctx and have not released.
  readonly #scratch = new Map<DeviceStorage, number>();

  constructor(
    /** The device name, `type:index`. */
    readonly name: string,
    /** The device type. */
    readonly type: string,
    /** The device type's id in the kernel table. */
    readonly typeId: number,
    /** Its backend, or undefined for a device that starts on first use (see {@link Device.start}). */
    backend: Backend | undefined,
    /** The plugin that provides it. */
    readonly plugin: string,
    private readonly ledger: Pick<Ledger, 'account' | 'scratch'>,
  ) {
    this.account = ledger.account(name);
    this.backend = NOT_STARTED;
    if (backend) this.start(backend);
  }

  /**
   * Gives a device made before its backend started (a lazy backend's first device, which tensors may
   * already name) its backend: from then on it is like any other device.
   */
  start(backend: Backend): void {
    if (this.#state !== 'unstarted') throw new Error(`${this.name} has started already`);
    const { name, ledger } = this;
    const max = backend.maxAllocationBytes;
    const self = this as { -readonly [K in 'backend' | 'maxAllocationBytes' | 'ctx']: Device[K] };
    self.backend = backend;
    self.maxAllocationBytes = typeof max === 'number' && max > 0 ? max : DEFAULT_MAX_ALLOCATION_BYTES;
    this.#safeSize = Math.floor(this.maxAllocationBytes / 8);
    this.#stores = DTYPES.map((d) => backend.dtypes.includes(d));
    this.#state = 'open';
    self.ctx = Object.freeze({
      backend: (backend as Partial<CheckedBackend>).source ?? backend,
      allocate: (dtype: DType, size: number) => {
        const s = this.allocate(dtype, size);
        const bytes = s.byteLength;
        this.#scratch.set(s, bytes);
        ledger.scratch(name, bytes);
        return s;
      },
      release: (storage: DeviceStorage) => {
        const bytes = this.#scratch.get(storage);
        if (bytes === undefined) {
          throw new HearthError('E_KERNEL', `A kernel on ${name} released storage that ctx.allocate() did not give it (or released it twice); kernels release only their own scratch storage. This is a plugin bug; report it to its vendor.`, { device: name });
        }
        this.#scratch.delete(storage);
        ledger.scratch(name, -bytes);
        this.free(storage);
      },
    });
  }

  /** False until its backend has started (a lazy backend's first device, named before its start). */
  get started(): boolean {
    return this.#state !== 'unstarted';
  }

  /**
   * True when the backend stores `dtype`. Before the device starts every dtype is assumed stored: what
   * it does not store fails when the pending work lands there (`E_DTYPE`).
   */
  has(dtype: DType): boolean {
    return this.#stores[dtypeCode(dtype)] === true;
  }

  /**
   * Allocates storage. A size beyond the device's limit is `E_OUT_OF_MEMORY` before the backend is asked; a
   * backend failure is `E_OUT_OF_MEMORY` when memory is the cause, else `E_BACKEND`; storage that is not an
   * object with a byteLength, or that is still live (handed out before and not freed), is `E_BACKEND`.
   */
  allocate(dtype: DType, size: number): DeviceStorage {
    if (size > this.#safeSize) {
      if (this.#state !== 'open') throw this.#closedError('allocate');
      if (size * dtypeBytes(dtype) > this.maxAllocationBytes) throw this.#tooBig(dtype, size, size * dtypeBytes(dtype));
    }
    let s: DeviceStorage;
    try {
      s = this.backend.allocate(dtype, size);
      if (typeof s !== 'object' || s === null || typeof s.byteLength !== 'number') throw this.broken(`allocate() returned ${s === null ? 'null' : typeof s}, not storage with a byteLength`);
    } catch (e) {
      if (e instanceof HearthError) throw e;
      if (!isMemoryError(e)) throw this.fault('allocate', e);
      throw new HearthError(
        'E_OUT_OF_MEMORY',
        `${this.name} could not allocate ${size * dtypeBytes(dtype)} bytes (${size} x ${dtype}): ${describeError(e)}. Dispose unused tensors or use smaller ones.`,
        { device: this.name, size, dtype },
        { cause: e },
      );
    }
    if ((s as Marked)[LIVE] === true || (this.#liveUnmarkable.size > 0 && this.#liveUnmarkable.has(s))) {
      throw this.broken('allocate() returned storage that is still in use by another tensor (it was handed out before and not freed)');
    }
    this.#mark(s, true);
    return s;
  }

  /** Writes host data into storage. */
  write(storage: DeviceStorage, dtype: DType, data: HostArray): void {
    if (this.#state !== 'open') throw this.#closedError('write');
    try {
      this.backend.write(storage, dtype, data);
    } catch (e) {
      throw this.fault('write', e);
    }
  }

  /** Reads storage back, checking the array's type and length. */
  read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    if (this.#state !== 'open') return Promise.reject(this.#closedError('read'));
    const read = this.#read(storage, dtype, size);
    this.#reads.add(read);
    void read.then(
      () => this.#reads.delete(read),
      () => this.#reads.delete(read),
    );
    return read;
  }

  async #read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    let data: unknown;
    try {
      this.backend.flush?.();
      data = await this.backend.read(storage, dtype, size);
    } catch (e) {
      throw this.fault('read', e);
    }
    return this.#checkRead(data, dtype, size, 'read');
  }

  /** Reads synchronously (the caller has checked `syncRead`), checking the array's type and length. */
  readSync(storage: DeviceStorage, dtype: DType, size: number): HostArray {
    if (this.#state !== 'open') throw this.#closedError('readSync');
    let data: unknown;
    try {
      this.backend.flush?.();
      data = this.backend.readSync!(storage, dtype, size);
    } catch (e) {
      throw this.fault('readSync', e);
    }
    return this.#checkRead(data, dtype, size, 'readSync');
  }

  /** Frees storage. */
  free(storage: DeviceStorage): void {
    this.#mark(storage, false);
    if (this.#state === 'disposed') return; // the backend released everything with itself
    try {
      this.backend.free(storage);
    } catch (e) {
      throw this.fault('free', e);
    }
  }

  /** Submits batched work. */
  flush(): void {
    if (this.#state !== 'open') return;
    try {
      this.backend.flush?.();
    } catch (e) {
      throw this.fault('flush', e);
    }
  }

  /** True until {@link Device.close}: the device takes new work. */
  get open(): boolean {
    return this.#state === 'open';
  }

  /**
   * Stops new work (allocations, writes, reads; so no kernel can run either) and settles once the reads
   * already in flight have, or after `ms`. Freeing storage is still allowed, for the runtime's cleanup.
   */
  async close(ms: number): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    this.#safeSize = -1;
    if (this.#reads.size > 0) await withTimeLimit(Promise.allSettled([...this.#reads]), ms, () => new Error('reads still in flight')).catch(() => undefined);
  }

  /** Releases the backend once (after {@link Device.close}); from then on nothing calls it. */
  async dispose(): Promise<void> {
    if (this.#state === 'disposed') return;
    this.#state = 'disposed';
    try {
      await this.backend.dispose?.();
    } catch (e) {
      throw this.fault('dispose', e);
    }
  }

  #closedError(call: string): HearthError {
    if (this.#state === 'unstarted') {
      return new HearthError('E_NOT_READY', `${this.name} has not started, so ${call}() can't run there yet; start it with \`await hearth.start("${this.type}")\`.`, { device: this.name, call });
    }
    return new HearthError('E_DISPOSED', `${this.name} was released by hearth.dispose(), so ${call}() can't run there; work still pending when the runtime was disposed is cancelled. Create a new runtime with createHearth().`, {
      device: this.name,
      call,
    });
  }

  /** Wraps a failure of a backend function: a `HearthError` the plugin threw passes through. */
  fault(fn: string, e: unknown): HearthError {
    if (e instanceof HearthError) return e;
    return new HearthError(
      'E_BACKEND',
      `${this.name}: ${this.plugin}'s backend failed in ${fn}(): ${describeError(e)}. This is a plugin bug; report it to its vendor.`,
      { device: this.name, plugin: this.plugin, call: fn },
      { cause: e },
    );
  }

  /** A backend that broke its contract. */
  broken(what: string): HearthError {
    return new HearthError('E_BACKEND', `${this.name}: ${this.plugin}'s backend broke the Backend contract: ${what}. This is a plugin bug; report it to its vendor.`, {
      device: this.name,
      plugin: this.plugin,
    });
  }

  #checkRead(data: unknown, dtype: DType, size: number, fn: string): HostArray {
    if (isThenable(data) && fn === 'readSync') {
      (data as Promise<unknown>).then(undefined, () => undefined);
      throw this.broken('readSync() returned a promise');
    }
    const want = HOST_ARRAY[dtype];
    if (!(data instanceof want) || (data as HostArray).length !== size) {
      const got = data instanceof Object && ArrayBuffer.isView(data) ? `a ${data.constructor.name} of ${(data as HostArray).length}` : describeValue(data);
      throw this.broken(`${fn}() of ${size} x ${dtype} returned ${got}; expected a ${want.name} of ${size}`);
    }
    return data as HostArray;
  }

  /** Marks storage live or freed: a property of the core's own symbol, or the set for objects that refuse it. */
  #mark(s: DeviceStorage, live: boolean): void {
    try {
      (s as Marked)[LIVE] = live;
    } catch {
      if (live) this.#liveUnmarkable.add(s);
      else this.#liveUnmarkable.delete(s);
    }
  }

  #tooBig(dtype: DType, size: number, bytes: number): HearthError {
    return new HearthError(
      'E_OUT_OF_MEMORY',
      `${this.name} can't hold ${size} x ${dtype} (${bytes} bytes): its largest allocation is ${this.maxAllocationBytes} bytes. Split the work into smaller tensors.`,
      { device: this.name, size, dtype, bytes, limit: this.maxAllocationBytes },
    );
  }
}

/** The backend of a device that has not started: nothing reaches it (every call is refused before). */
const NOT_STARTED: Backend = Object.freeze({
  info: Object.freeze({ type: 'unstarted', name: 'not started', vendor: '' }),
  dtypes: Object.freeze([]),
  syncRead: false,
  allocate: notStarted,
  write: notStarted,
  read: notStarted,
  free: notStarted,
});

function notStarted(): never {
  throw new Error('the device has not started');
}

function isMemoryError(e: unknown): boolean {
  if (e instanceof RangeError) return true;
  return /out of memory|allocation failed|\boom\b|memory/i.test(describeError(e));
}

function describeValue(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'a plain array' : typeof x;
}
