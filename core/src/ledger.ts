/** Live bytes and tensors of one device. */
export interface DeviceLedger {
  /** The device, e.g. `"cpu:0"`. */
  readonly device: string;
  /** Bytes of live tensors and scratch storage. */
  readonly bytes: number;
  /** Live tensors. */
  readonly tensors: number;
  /** Scratch allocations a kernel has not returned. */
  readonly scratch: number;
  /** The most bytes live at once. */
  readonly peakBytes: number;
}

/** A tensor still alive, as the leak report lists it. */
export interface LiveTensor {
  /** The tensor's id (creation order within its runtime). */
  readonly id: number;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its dtype. */
  readonly dtype: string;
  /** Its device. */
  readonly device: string;
  /** The operator that made it, or `"tensor"` for data from the host. */
  readonly createdBy: string;
  /** Where it was made, when the runtime was created with `trackStacks: true`. */
  readonly stack?: string;
}

/** One device's counters; a device holds its own so the hot path needs no lookup. */
export interface Account {
  /** Live bytes. */
  bytes: number;
  /** Live tensors. */
  tensors: number;
  /** Outstanding scratch allocations. */
  scratch: number;
  /** The most bytes live at once. */
  peakBytes: number;
}

/**
 * How the ledger reaches what it needs of a tensor beyond what the leak report lists: its device's account,
 * its storage's size (read once when the storage was made), and the slot the ledger keeps for it. The
 * runtime's `Tensor` keeps these private; the store hands the ledger its accessors.
 */
export interface LedgerAccess<T> {
  /** Its device's account. */
  account(t: T): Account;
  /** Its storage's size in bytes. */
  bytes(t: T): number;
  /** Its place in the ledger's list of live tensors. */
  slot(t: T): number;
  /** Sets its place. */
  setSlot(t: T, slot: number): void;
}

/** The core's per-device ledger of live storage. Every allocation the core or a kernel makes is counted. */
export class Ledger<T extends LiveTensor = LiveTensor> {
  readonly #accounts = new Map<string, Account>();
  // Live tensors in a dense array; each tensor knows its slot, so removal is a swap, not a hash lookup.
  readonly #live: T[] = [];

  constructor(private readonly access: LedgerAccess<T>) {}

  /** The account of a device, made on first use. */
  account(device: string): Account {
    let a = this.#accounts.get(device);
    if (!a) this.#accounts.set(device, (a = { bytes: 0, tensors: 0, scratch: 0, peakBytes: 0 }));
    return a;
  }

  /** Counts a new tensor. */
  addTensor(t: T): void {
    const a = this.access.account(t);
    a.tensors++;
    a.bytes += this.access.bytes(t);
    if (a.bytes > a.peakBytes) a.peakBytes = a.bytes;
    this.access.setSlot(t, this.#live.length);
    this.#live.push(t);
  }

  /** Uncounts a disposed tensor. */
  removeTensor(t: T): void {
    const a = this.access.account(t);
    a.tensors--;
    a.bytes -= this.access.bytes(t);
    const last = this.#live.pop()!;
    if (last !== t) {
      const slot = this.access.slot(t);
      this.#live[slot] = last;
      this.access.setSlot(last, slot);
    }
  }

  /** Counts scratch storage (positive) or its release (negative). */
  scratch(device: string, bytes: number): void {
    const a = this.account(device);
    a.scratch += Math.sign(bytes);
    a.bytes += bytes;
    if (a.bytes > a.peakBytes) a.peakBytes = a.bytes;
  }

  /** The ledger of every device seen, or of one. */
  snapshot(): DeviceLedger[] {
    return [...this.#accounts].map(([device, a]) => ({ device, ...a }));
  }

  /** One device's ledger (zeros when it has never allocated). */
  of(device: string): DeviceLedger {
    return { device, ...this.account(device) };
  }

  /** The live tensor objects (for disposing them all). */
  liveTensors(): T[] {
    return this.#live.slice().sort((a, b) => a.id - b.id);
  }

  /** Every live tensor, oldest first. */
  live(): LiveTensor[] {
    return this.liveTensors().map((t) => ({
      id: t.id,
      shape: t.shape,
      dtype: t.dtype,
      device: t.device,
      createdBy: t.createdBy,
      ...(t.stack ? { stack: t.stack } : {}),
    }));
  }
}
