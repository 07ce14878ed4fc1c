import { HearthError } from './errors.js';
import type { DType, ElementOf, HostArray } from './dtype.js';
import type { ArrayOf, Shape } from './shape.js';
import type { DeviceStorage } from './backend.js';
import type { KernelTensor } from './kernel.js';
import type { Device } from './device.js';
import type { PendingData, TensorRuntime as Runtime } from './tensor-runtime.js';

type TensorRuntime = Runtime<Tensor>;

// `using t = ...` calls Symbol.dispose (Node 20 has it). Declared here too, as @types/node does, so the
// published declarations compile in a project whose `lib` is ES2022 without "ESNext.Disposable"; the two
// declarations merge where both are present.
declare global {
  interface SymbolConstructor {
    /** The method a `using` declaration calls at the end of its block. */
    readonly dispose: unique symbol;
  }
}

/**
 * @internal What only the core's own modules (memory, ledger, dispatcher, runtime) read and write of a
 * tensor, kept in its ES private fields. Not exported from the package: users and plugins never see it.
 */
export interface TensorInternals {
  /** Makes a tensor (the constructor is private). */
  create(runtime: TensorRuntime, dev: Device, storage: DeviceStorage, shape: Shape, dtype: DType, size: number, id: number, createdBy: string, stack?: string): Tensor;
  /** The runtime that owns it. */
  runtime(t: Tensor): TensorRuntime;
  /** Its device object. */
  device(t: Tensor): Device;
  /** Its storage, as its backend made it. */
  storage(t: Tensor): DeviceStorage;
  /** The storage's size in bytes, read once when the storage was made: what the ledger counts. */
  bytes(t: Tensor): number;
  /** Gives a pending result its storage once the data is there. */
  settle(t: Tensor, storage: DeviceStorage): void;
  /** Sets the bytes the ledger counts for it (a view's storage is counted once, by one of the tensors sharing it). */
  setBytes(t: Tensor, bytes: number): void;
  /** The live tensors sharing its storage (it among them), one list for all of them; undefined when it has the storage alone. */
  sharers(t: Tensor): Tensor[] | undefined;
  /** Sets {@link TensorInternals.sharers}. */
  setSharers(t: Tensor, sharers: Tensor[] | undefined): void;
  /** What a kernel sees of it: a new plain {@link KernelTensor} of its storage, frozen shape, dtype and size, leading nowhere else. */
  kernelView(t: Tensor): KernelTensor;
  /**
   * Set while it is the result of a call still waiting for data from a device that reads asynchronously:
   * `done` settles when the data is in its storage (or rejects with the call's error).
   */
  pending(t: Tensor): PendingData | undefined;
  /** Sets or clears {@link TensorInternals.pending}. */
  setPending(t: Tensor, pending: PendingData | undefined): void;
  /** Marks it disposed without freeing: its storage was handed to a pending tensor. */
  retire(t: Tensor): void;
  /** Set by `keep()`: scopes leave it alive. */
  kept(t: Tensor): boolean;
  /** Sets {@link TensorInternals.kept}. */
  markKept(t: Tensor): void;
  /** Its place in the ledger's list of live tensors. */
  ledgerSlot(t: Tensor): number;
  /** Sets {@link TensorInternals.ledgerSlot}. */
  setLedgerSlot(t: Tensor, slot: number): void;
}

// Set once by Tensor's static block, the only code that can reach the private fields.
let internals!: TensorInternals;

/**
 * A tensor: a shape, a dtype, and storage on one device. Made by a runtime (`hearth.tensor(...)`, an op),
 * never with `new`. Free it with `dispose()`, a `using` declaration, or a scope.
 *
 * `D` is its dtype and `R` its rank where TypeScript can tell (`hearth.tensor([[1, 2]])` is a
 * `Tensor<'float32', 2>`, `a.gt(b)` a `Tensor<'bool', ...>`): they type what {@link Tensor.array} and
 * {@link Tensor.item} give. `Tensor` alone is any tensor.
 */
export class Tensor<D extends DType = DType, R extends number = number> {
  // The runtime's own state of the tensor, in ES private fields: neither users nor plugins reach it. The
  // core's modules (memory, ledger, dispatcher) go through `tensorInternals`, made in the static block below.
  readonly #runtime: TensorRuntime;
  readonly #dev: Device;
  #storage: DeviceStorage;
  #bytes: number;
  #disposed = false;
  #kept = false;
  #ledgerSlot = -1;
  #pending: PendingData | undefined = undefined;
  #sharers: Tensor[] | undefined = undefined;

  /** Made by the runtime only: `hearth.tensor(...)`, an operator or a creation function. */
  private constructor(
    runtime: TensorRuntime,
    dev: Device,
    storage: DeviceStorage,
    /** The shape (frozen: the runtime freezes every shape it gives a tensor). */
    readonly shape: Shape,
    /** The dtype. */
    readonly dtype: D,
    /** The element count. */
    readonly size: number,
    /** A number unique within the runtime, in creation order. */
    readonly id: number,
    /** The operator that made it, or `"tensor"` for host data. */
    readonly createdBy: string,
    /** Where it was made, when the runtime tracks stacks (`trackStacks: true`). */
    readonly stack?: string,
  ) {
    this.#runtime = runtime;
    this.#dev = dev;
    this.#storage = storage;
    this.#bytes = storage.byteLength;
  }

  static {
    internals = {
      create: (runtime, dev, storage, shape, dtype, size, id, createdBy, stack) => new Tensor(runtime, dev, storage, shape, dtype, size, id, createdBy, stack),
      runtime: (t) => t.#runtime,
      device: (t) => t.#dev,
      storage: (t) => t.#storage,
      bytes: (t) => t.#bytes,
      settle: (t, storage) => {
        t.#storage = storage;
        t.#bytes = storage.byteLength;
      },
      // A fresh object per call (cheaper than freezing one): a kernel that scribbles on its view changes nothing anyone else sees.
      kernelView: (t) => ({ storage: t.#storage, shape: t.shape, dtype: t.dtype, size: t.size }),
      setBytes: (t, bytes) => void (t.#bytes = bytes),
      sharers: (t) => t.#sharers,
      setSharers: (t, sharers) => void (t.#sharers = sharers),
      pending: (t) => t.#pending,
      setPending: (t, pending) => void (t.#pending = pending),
      retire: (t) => void (t.#disposed = true),
      kept: (t) => t.#kept,
      markKept: (t) => void (t.#kept = true),
      ledgerSlot: (t) => t.#ledgerSlot,
      setLedgerSlot: (t, slot) => void (t.#ledgerSlot = slot),
    };
  }

  /** The device, e.g. `"cpu:0"` or `"webgpu:0"`. */
  get device(): string {
    return this.#dev.name;
  }

  /** The number of axes. */
  get rank(): R {
    return this.shape.length as R;
  }

  /** True once disposed. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Throws `E_DISPOSED` when the tensor has been disposed. */
  assertAlive(): void {
    if (this.#disposed) {
      if (this.#runtime.closed) {
        throw new HearthError('E_DISPOSED', `Tensor #${this.id} belongs to a Hearth runtime that was disposed (hearth.dispose()); create a new runtime and tensors.`, { id: this.id });
      }
      throw new HearthError(
        'E_DISPOSED',
        `Tensor #${this.id} (${this.dtype}[${this.shape.join(', ')}] on ${this.device}, made by ${this.createdBy}) was disposed and can't be used. Keep it alive with keep() or return it from its scope.`,
        { id: this.id },
      );
    }
  }

  /** The elements, in row-major order (float16 comes back as Float32Array, bool as Uint8Array of 0/1). */
  async data(): Promise<HostArray> {
    this.assertAlive();
    return this.#runtime.read(this); // waits for a pending result, holding the tensor until the read is done
  }

  /**
   * The elements, synchronously; throws `E_SYNC_READ` on a device that reads asynchronously (GPUs), and for
   * a result still waiting for data from such a device (a fallback or a copy from a GPU).
   */
  dataSync(): HostArray {
    this.assertAlive();
    return this.#runtime.readSync(this);
  }

  /**
   * The elements as a nested JS array: numbers (booleans for bool), nested as deep as the rank, e.g.
   * `number[][]` for a `Tensor<'float32', 2>` and a plain `number` for rank 0.
   */
  async array(): Promise<ArrayOf<ElementOf<D>, R>> {
    return nest(await this.data(), this.shape, this.dtype) as ArrayOf<ElementOf<D>, R>;
  }

  /** The single element of a one-element tensor: a number, or a boolean for bool. */
  async item(): Promise<ElementOf<D>> {
    if (this.size !== 1) throw new HearthError('E_SHAPE', `item() needs a tensor of one element, this one has ${this.size}.`);
    const v = (await this.data())[0]!;
    return (this.dtype === 'bool' ? v !== 0 : v) as ElementOf<D>;
  }

  /** A copy on another device (this tensor is left as it is). */
  async to(device: string): Promise<Tensor<D, R>> {
    this.assertAlive();
    if (this.#pending) await this.#pending.done;
    return this.#runtime.to(this, device) as Promise<Tensor<D, R>>;
  }

  /** A copy on another device, synchronously; the source device must read synchronously. */
  toSync(device: string): Tensor<D, R> {
    this.assertAlive();
    return this.#runtime.toSync(this, device) as Tensor<D, R>;
  }

  /** Frees the storage now (or, while a pending call still needs it, when that call is done). Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#runtime.release(this);
  }

  /** Lets `using t = ...` dispose the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Keeps the tensor alive when the scopes around it end; returns it. */
  keep(): this {
    this.#runtime.keep(this);
    return this;
  }

  /** A short description, e.g. `Tensor(float32[2, 3] on cpu:0)`. */
  toString(): string {
    return `Tensor(${this.dtype}[${this.shape.join(', ')}] on ${this.device}${this.#disposed ? ', disposed' : ''})`;
  }

  /** What `console.log(t)` and `util.inspect` show in Node: the short description, not the internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Prints the description and the values (rows of a matrix on their own lines) with `console.log`. */
  async print(): Promise<void> {
    const values = await this.array();
    const body = this.rank === 2 ? `[\n${(values as unknown[]).map((row) => `  ${formatValues(row)}`).join(',\n')}\n]` : formatValues(values);
    console.log(`${this.toString()}\n${body}`);
  }
}

/** Nested values as text, NaN and ±Infinity by name (JSON would print them as null). */
function formatValues(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(formatValues).join(', ')}]` : String(v);
}

/** The most JS arrays `array()` builds for one tensor: beyond it, `data()` is the way to read it. */
const MAX_NESTED_ARRAYS = 2 ** 24;

function nest(flat: HostArray, shape: Shape, dtype: DType): unknown {
  const conv = (v: number) => (dtype === 'bool' ? v !== 0 : v);
  if (shape.length === 0) return conv(flat[0]!);
  // Every axis but the last makes one array per index of the axes before it ([2**40, 0] makes 2**40).
  let arrays = 0;
  for (let axis = 0, outer = 1; axis < shape.length && outer > 0; axis++) {
    arrays += outer;
    outer *= shape[axis]!;
  }
  if (arrays > MAX_NESTED_ARRAYS) {
    throw new HearthError(
      'E_SHAPE',
      `array() of shape [${shape.join(', ')}] would build ${arrays} nested JS arrays (at most ${MAX_NESTED_ARRAYS}); read it flat with data() instead.`,
      { shape, arrays, limit: MAX_NESTED_ARRAYS },
    );
  }
  const build = (axis: number, offset: number): unknown[] => {
    const n = shape[axis]!;
    let stride = 1;
    for (let i = axis + 1; i < shape.length; i++) stride *= shape[i]!;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(axis === shape.length - 1 ? conv(flat[offset + i]!) : build(axis + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/** @internal The accessors of tensors' private state, for the core's own modules; never re-exported from the package. */
export const tensorInternals: TensorInternals = internals;
