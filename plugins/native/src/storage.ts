import type { DeviceStorage } from '@hearth/core';

/**
 * Device memory of a native backend: the library's pointer and the device it lives on. Only the backend
 * makes one (and accepts only its own), and its pointer and size can't be changed from outside (private fields), so a read or a
 * launch never reaches memory the library did not give for it; `free` marks it dead, and a later read of
 * it is refused instead of copying from a block that may belong to another tensor by then.
 */
export class NativeStorage implements DeviceStorage {
  readonly #ptr: bigint;
  readonly #addr: number;
  readonly #byteLength: number;
  readonly #device: number;
  readonly #owner: object;
  #live = true;

  /** @internal Made by {@link NativeBackend.allocate} only; `owner` is that backend. */
  constructor(ptr: bigint, byteLength: number, device: number, owner: object) {
    this.#owner = owner;
    this.#ptr = ptr;
    this.#addr = Number(ptr);
    this.#byteLength = byteLength;
    this.#device = device;
  }

  /** The device pointer `alloc` gave (0n for an empty allocation). */
  get ptr(): bigint {
    return this.#ptr;
  }

  /** The same pointer as a number (user-space addresses fit in 53 bits), for launch descriptors. */
  get addr(): number {
    return this.#addr;
  }

  /** Bytes allocated. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** The device index. */
  get device(): number {
    return this.#device;
  }

  /** False once freed. */
  get live(): boolean {
    return this.#live;
  }

  /** Marks it freed; true the first time (a second free must not hand the block back twice). */
  kill(): boolean {
    const was = this.#live;
    this.#live = false;
    return was;
  }

  /** Whether `s` is storage that `owner` made (not a look-alike object, nor another backend's). */
  static isOf(s: unknown, owner: object): s is NativeStorage {
    return typeof s === 'object' && s !== null && #owner in s && s.#owner === owner;
  }
}
