import type { HostArray } from './dtype.js';

/** What a tensor needs of its runtime (the store of tensors, memory.ts); `T` is the tensor class. */
export interface TensorRuntime<T> {
  /** Reads a tensor's elements. */
  read(t: T): Promise<HostArray>;
  /** Reads synchronously, or throws `E_SYNC_READ`. */
  readSync(t: T): HostArray;
  /** Copies a tensor to a device. */
  to(t: T, device: string): Promise<T>;
  /** Copies a tensor to a device synchronously (the source must read synchronously). */
  toSync(t: T, device: string): T;
  /** Frees a tensor's storage. */
  release(t: T): void;
  /** Marks a tensor to survive the scopes around it. */
  keep(t: T): void;
  /** The runtime instance the tensor belongs to (a `Hearth`, which runtime.ts gives tensors as `hearth`). */
  readonly owner: object;
  /** True once the runtime was disposed. */
  readonly closed: boolean;
}

/** What a pending tensor waits for. */
export interface PendingData {
  /** Settles when the data is in the tensor's storage; rejects with the call's error. */
  readonly done: Promise<void>;
  /** What it waits for, in words, for `E_SYNC_READ` messages. */
  readonly waitingFor: string;
}
