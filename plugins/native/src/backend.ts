import koffi from 'koffi';
import { dtypeBytes, HearthError, hostArray, type Backend, type BackendStats, type DeviceInfo, type DeviceStorage, type DType, type HostArray } from '@hearth/core';
import { DEVICE_HOST_MEMORY, DeviceInfoStruct, FLAGS_SINCE_MINOR } from './abi.js';
import { LaunchArena } from './arena.js';
import type { NativeLibrary } from './library.js';
import { BlockPool } from './pool.js';
import { NativeStorage } from './storage.js';

/** `HEARTH_ERROR_OUT_OF_MEMORY`. */
const OUT_OF_MEMORY = 2;

/** Launch descriptors carry addresses as JavaScript numbers: exact up to 2^53, far above any user-space address. */
const MAX_ADDRESS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The largest awaited read a host-memory device serves on the calling thread. 256 KiB copy in some tens of
 * microseconds at host memory bandwidth, about what the worker-thread round trip it replaces costs (the
 * hop alone is tens of microseconds of waiting); a larger copy would hold the event loop longer than the
 * trip takes, so it goes to the worker.
 */
export const SYNC_READ_MAX_BYTES = 256 * 1024;

/**
 * Reads and writes up to this size go through native memory of the backend's own, copied element by
 * element: V8 keeps typed arrays this small inside its heap, and handing one to a native call makes V8
 * move it out first, which costs several times the copy.
 */
const SMALL_COPY_BYTES = 64;

/**
 * One device of a native library, as a core `Backend`: memory through the library's alloc/free and copies.
 * Reads are asynchronous FFI calls on a worker thread so `await t.data()` never blocks the event loop,
 * except on a device that declares `HEARTH_DEVICE_HOST_MEMORY` (ABI 1.3): its memory is host memory and
 * its launches are finished when they return, so it reads synchronously (`syncRead`, `dataSync()`), and
 * an awaited read of up to {@link SYNC_READ_MAX_BYTES} is one synchronous copy with no thread hop.
 * Freed small blocks are pooled by size for the next allocation (up to 1 MiB each, 16 MiB in all); `stats` and
 * `dispose` hand them back to the library first.
 */
export class NativeBackend implements Backend {
  readonly info: DeviceInfo;
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  /** True on a device that declares `HEARTH_DEVICE_HOST_MEMORY`. */
  readonly syncRead: boolean;
  /** The device's memory, where the library reports it (else the core's default limit applies). */
  readonly maxAllocationBytes?: number;
  /** Where kernels write their launch descriptors. */
  readonly arena = new LaunchArena();
  /** A native pointer-sized slot that `alloc` writes its result into, and a view to read it. */
  #slot = koffi.alloc('uint64_t', 1) as bigint;
  #slotView = new BigUint64Array(koffi.view(this.#slot, 8));
  /** Native memory for small writes and synchronous reads, and a view of it per dtype the device stores. */
  #small = koffi.alloc('uint8_t', SMALL_COPY_BYTES) as bigint;
  #smallViews: Partial<Record<DType, HostArray>> = {
    float32: new Float32Array(koffi.view(this.#small, SMALL_COPY_BYTES)),
    int32: new Int32Array(koffi.view(this.#small, SMALL_COPY_BYTES)),
    bool: new Uint8Array(koffi.view(this.#small, SMALL_COPY_BYTES)),
  };
  #disposed = false;
  // Set when dispose() begins: no new work; #disposed once the library is released.
  #closing = false;
  #drained: (() => void) | undefined;
  /** Storage with reads in flight, and whether it was freed meanwhile (the free waits for the reads). */
  #reading = new Map<bigint, { reads: number; freed: NativeStorage | undefined }>();
  /** Pointers alloc gave that are not freed yet (pooled ones included): a library handing one out again is refused. */
  #live = new Set<bigint>();
  /** Freed blocks kept for reuse. */
  #pool = new BlockPool();

  /** Live allocations, where the library has `stats` (ABI 1.1). */
  readonly stats?: () => BackendStats;

  /** `release` runs once when this backend is disposed (the plugin counts its devices to call `shutdown`). */
  constructor(
    readonly lib: NativeLibrary,
    readonly device: number,
    private readonly release: () => void = () => undefined,
  ) {
    const stats = lib.fn.stats;
    if (stats) {
      this.stats = () => {
        // Pooled blocks go back first: the library's counts are then exactly what tensors hold.
        if (!this.#disposed) this.#pool.drain((ptr) => this.#freeNow(ptr));
        const out: Record<string, unknown> = {};
        lib.check(stats(device, out) as number, 'stats', 'E_BACKEND');
        return { liveAllocations: Number(out['live_allocations']), liveBytes: Number(out['live_bytes']) };
      };
    }
    const info: Record<string, unknown> = { struct_size: koffi.sizeof(DeviceInfoStruct), name: '', vendor: '', memory_bytes: 0, software: 0, reserved: 0, flags: 0 };
    lib.check(lib.fn.device_info(device, info) as number, `device_info(${device})`, 'E_BACKEND_INIT');
    // Before ABI 1.3 the flags did not exist: whatever is there is not a declaration.
    const flags = lib.identity.abi.minor >= FLAGS_SINCE_MINOR ? BigInt(info['flags'] as number | bigint) : 0n;
    this.syncRead = (flags & BigInt(DEVICE_HOST_MEMORY)) !== 0n;
    const memoryBytes = Number(info['memory_bytes']);
    if (memoryBytes > 0) this.maxAllocationBytes = memoryBytes;
    this.info = {
      type: lib.identity.deviceType,
      name: String(info['name']),
      vendor: String(info['vendor']),
      software: info['software'] === 1,
      library: `${lib.identity.name} ${lib.identity.version} (${lib.identity.vendor})`,
      abi: `${lib.identity.abi.major}.${lib.identity.abi.minor}`,
      ...(memoryBytes > 0 ? { memoryBytes } : {}),
    };
  }

  allocate(dtype: DType, size: number): NativeStorage {
    if (this.#closing) throw this.#disposedError('allocate');
    const bytes = size * dtypeBytes(dtype);
    if (bytes === 0) return new NativeStorage(0n, 0, this.device, this);
    const ptr = this.#pool.take(bytes) ?? this.#allocNow(bytes);
    return new NativeStorage(ptr, bytes, this.device, this);
  }

  /** A new block from the library; when it is out of memory, the pool goes back to it and the call is tried once more. */
  #allocNow(bytes: number): bigint {
    this.#slotView[0] = 0n;
    let status = this.lib.fn.alloc(this.device, bytes, this.#slot) as number;
    if ((status === OUT_OF_MEMORY || (status === 0 && !this.#slotView[0])) && this.#pool.bytes > 0) {
      this.#pool.drain((p) => this.#freeNow(p));
      status = this.lib.fn.alloc(this.device, bytes, this.#slot) as number;
    }
    if (status !== 0) this.lib.check(status, `alloc of ${bytes} bytes`, 'E_BACKEND');
    const ptr = this.#slotView[0]!;
    if (ptr > MAX_ADDRESS) {
      throw new HearthError('E_BACKEND', `${this.lib.identity.name}: alloc of ${bytes} bytes returned 0x${ptr.toString(16)}, above the 2^53 addresses the loader handles; no process address is that high, so this is a bug in the native library (report it to its vendor).`, { bytes });
    }
    if (!ptr) throw new HearthError('E_OUT_OF_MEMORY', `${this.lib.identity.name}: alloc of ${bytes} bytes returned NULL; free tensors or use a smaller batch.`, { bytes });
    if (this.#live.has(ptr)) {
      throw new HearthError(
        'E_BACKEND',
        `${this.lib.identity.name}: alloc of ${bytes} bytes returned 0x${ptr.toString(16)}, which it handed out before and which is still in use (not freed). Two tensors would share memory; this is a bug in the native library, report it to its vendor.`,
        { bytes, plugin: this.lib.identity.name },
      );
    }
    this.#live.add(ptr);
    return ptr;
  }

  write(storage: DeviceStorage, dtype: DType, data: HostArray): void {
    this.#assertOpen('write');
    const bytes = this.#checked(storage, dtype, data.length, data.byteLength, 'write');
    if (bytes === 0) return;
    const small = bytes <= SMALL_COPY_BYTES ? this.#smallViews[dtype] : undefined;
    if (small) for (let i = 0; i < data.length; i++) small[i] = data[i]!;
    const status = this.lib.fn.copy_to_device(this.device, (storage as NativeStorage).ptr, small ? this.#small : data, bytes) as number;
    if (status !== 0) this.lib.check(status, `copy_to_device of ${bytes} bytes`, 'E_BACKEND');
  }

  read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    if (this.#disposed) return Promise.reject(this.#disposedError('read'));
    if (this.syncRead && storage.byteLength <= SYNC_READ_MAX_BYTES) {
      try {
        return Promise.resolve(this.readSync(storage, dtype, size));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const out = hostArray(dtype, size);
    const s = storage as NativeStorage;
    let bytes: number;
    try {
      bytes = this.#checked(s, dtype, size, out.byteLength, 'read');
    } catch (e) {
      return Promise.reject(e);
    }
    if (bytes === 0) return Promise.resolve(out);
    // The copy runs on a worker thread into native memory of our own, then lands in the host array.
    const staging = koffi.alloc('uint8_t', bytes) as bigint;
    const pending = this.#reading.get(s.ptr) ?? { reads: 0, freed: undefined };
    pending.reads++;
    this.#reading.set(s.ptr, pending);
    return new Promise<HostArray>((resolve, reject) => {
      this.lib.fn.copy_to_host.async(this.device, staging, s.ptr, bytes, (err: unknown, status: number) => {
        try {
          if (err) throw new HearthError('E_BACKEND', `${this.lib.identity.name}: copy_to_host could not be called: ${(err as Error).message}`, {}, { cause: err });
          this.lib.check(status, `copy_to_host of ${bytes} bytes`, 'E_BACKEND');
          new Uint8Array(out.buffer, out.byteOffset, bytes).set(new Uint8Array(koffi.view(staging, bytes)));
          resolve(out);
        } catch (e) {
          reject(e);
        } finally {
          koffi.free(staging);
          if (--pending.reads === 0) {
            this.#reading.delete(s.ptr);
            if (pending.freed) this.#release(pending.freed);
            if (this.#reading.size === 0) this.#drained?.();
          }
        }
      });
    });
  }

  /**
   * One synchronous copy into the new host array (straight into it, or for a few elements through the
   * backend's own native memory), on a `HEARTH_DEVICE_HOST_MEMORY` device. The core calls it only when
   * `syncRead` is true; it refuses otherwise, since a GPU's copy would wait here.
   */
  readSync(storage: DeviceStorage, dtype: DType, size: number): HostArray {
    if (this.#disposed) throw this.#disposedError('readSync');
    if (!this.syncRead) {
      throw new HearthError('E_SYNC_READ', `${this.lib.identity.name} device ${this.device} reads asynchronously (it does not declare HEARTH_DEVICE_HOST_MEMORY); use \`await t.data()\`.`, { device: this.device });
    }
    const out = hostArray(dtype, size);
    const bytes = this.#checked(storage, dtype, size, out.byteLength, 'readSync');
    if (bytes === 0) return out;
    const small = bytes <= SMALL_COPY_BYTES ? this.#smallViews[dtype] : undefined;
    const status = this.lib.fn.copy_to_host(this.device, small ? this.#small : out, (storage as NativeStorage).ptr, bytes) as number;
    if (status !== 0) this.lib.check(status, `copy_to_host of ${bytes} bytes`, 'E_BACKEND');
    if (small) for (let i = 0; i < size; i++) out[i] = small[i]!;
    return out;
  }

  /**
   * The byte count of a copy of `size` elements of `dtype` between `storage` and `hostBytes` of host
   * memory, refused unless the storage is this device's, live, made for exactly that many bytes,
   * and the host side holds them: no call from JavaScript can make a native copy run past either buffer or
   * touch a freed block.
   */
  #checked(storage: DeviceStorage, dtype: DType, size: number, hostBytes: number, call: string): number {
    const s = storage as NativeStorage;
    const bytes = size * dtypeBytes(dtype);
    if (!NativeStorage.isOf(s, this) || !s.live || bytes !== s.byteLength || bytes > hostBytes) {
      throw new HearthError(
        'E_BACKEND',
        `${this.lib.identity.name} device ${this.device}: ${call}() was given ${!NativeStorage.isOf(s, this) ? 'storage this backend did not allocate' : !s.live ? 'storage that was freed' : `storage of ${s.byteLength} bytes for ${size} ${dtype} elements (${hostBytes} bytes on the host side)`}; pass the storage allocate() returned for that dtype and size.`,
        { device: this.device, call },
      );
    }
    return bytes;
  }

  free(storage: DeviceStorage): void {
    const s = storage as NativeStorage;
    if (!NativeStorage.isOf(s, this) || !s.kill()) return;
    const pending = this.#reading.size > 0 ? this.#reading.get(s.ptr) : undefined;
    if (pending) pending.freed = s;
    else this.#release(s);
  }

  #release(s: NativeStorage): void {
    // After shutdown the library has released all memory: freeing a pointer again would corrupt its heap.
    if (!s.ptr || this.#disposed) return;
    if (!this.#pool.put(s.ptr, s.byteLength)) this.#freeNow(s.ptr);
  }

  /** Gives a block back to the library. */
  #freeNow(ptr: bigint): void {
    this.#live.delete(ptr);
    const status = this.lib.fn.free(this.device, ptr) as number;
    if (status !== 0) this.lib.check(status, 'free', 'E_BACKEND');
  }

  /**
   * Releases the device once the reads in flight (copies on worker threads) have landed: shutting the
   * library down under them would free memory they still copy from. Every later call is refused.
   */
  dispose(): Promise<void> | void {
    if (this.#disposed) return;
    const finish = () => {
      try {
        this.#pool.drain((p) => this.#freeNow(p));
      } catch {
        // The library's shutdown releases what a failing free left.
      }
      this.#disposed = true;
      this.arena.dispose();
      koffi.free(this.#slot);
      koffi.free(this.#small);
      this.release();
    };
    this.#closing = true;
    if (this.#reading.size === 0) return finish();
    return new Promise<void>((resolve) => {
      this.#drained = () => (finish(), resolve());
    });
  }

  /** Throws `E_DISPOSED` once {@link NativeBackend.dispose} has begun (kernels check it too). */
  assertOpen(call: string): void {
    this.#assertOpen(call);
  }

  #assertOpen(call: string): void {
    if (this.#closing) throw this.#disposedError(call);
  }

  #disposedError(call: string): HearthError {
    return new HearthError('E_DISPOSED', `${this.lib.identity.name} device ${this.device} was disposed; ${call}() can't run on it.`, { device: this.device, call });
  }
}
