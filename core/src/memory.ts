import { HearthError, describeError } from './errors.js';
import { dtypeBytes, type DType, type HostArray } from './dtype.js';
import type { Shape } from './shape.js';
import type { DeviceStorage } from './backend.js';
import type { Device } from './device.js';
import type { Events, TransferEvent } from './events.js';
import { Ledger } from './ledger.js';
import { Scope, ScopeTracker } from './scope.js';
import { Tensor, tensorInternals } from './tensor.js';
import type { TensorRuntime } from './tensor-runtime.js';
import { notStoredError } from './not-stored.js';

const { create, device: devOf, storage: storageOf, pending: pendingOf } = tensorInternals;

/** The storage of a pending tensor until its data arrives. */
const NO_STORAGE: DeviceStorage = Object.freeze({ byteLength: 0 });

/** Counters of data moved between devices. */
export interface TransferCounters {
  /** Kernels that ran on the fallback device. */
  fallbacks: number;
  /** Copies between devices, all reasons. */
  transfers: number;
  /** Bytes copied between devices. */
  bytesMoved: number;
  /** Fallbacks per call site, keyed `"op(dtype) from -> to"`, e.g. `"add(float32) npu:0 -> cpu:0"`. */
  fallbacksByOp: Record<string, number>;
}

/**
 * Owns tensors' lifetime: makes them (counted in the ledger, added to the current scope), frees them,
 * reads them back and copies them between devices.
 */
export class TensorStore implements TensorRuntime<Tensor> {
  readonly ledger = new Ledger<Tensor>({
    account: (t) => devOf(t).account,
    bytes: tensorInternals.bytes,
    slot: tensorInternals.ledgerSlot,
    setSlot: tensorInternals.setLedgerSlot,
  });
  readonly scopes = new ScopeTracker();
  readonly counters: TransferCounters = { fallbacks: 0, transfers: 0, bytesMoved: 0, fallbacksByOp: {} };
  /** True once the runtime was disposed. */
  closed = false;
  #nextId = 0;
  // Work of pending calls runs outside the user's scopes: its temporaries and results are its own.
  #detached = 0;
  // Tensors that calls in flight still read, with their count; a disposed one is freed after the last.
  readonly #holds = new Map<Tensor, number>();
  // The jobs of pending tensors not yet settled, which dispose() waits for before releasing devices.
  readonly #jobs = new Set<Promise<void>>();
  /** The runtime instance; set once by it. */
  owner!: object;
  /** Set while the dispatcher records a function: reading data makes its recording unreplayable. */
  recorder: { spoil(why: string): void } | undefined;

  constructor(
    private readonly events: Events,
    private readonly resolveDevice: (name: string) => Device,
    /** Resolves a device, starting it first when it starts on first use. */
    private readonly startDevice: (name: string) => Promise<Device>,
    /** The runtime's ready devices, for messages that say where a dtype is stored. */
    private readonly devices: () => readonly Device[],
    private readonly trackStacks: boolean,
  ) {}

  /** The id the next tensor gets (ids grow with each tensor made). */
  get nextId(): number {
    return this.#nextId;
  }

  /** Where `wrap` or `view` was called from, when stacks are tracked (the frames of this helper and its caller left out). */
  #creationStack(): string | undefined {
    return this.trackStacks ? new Error().stack?.split('\n').slice(3).join('\n') : undefined;
  }

  /** Wraps storage already allocated on `dev` into a tensor. */
  wrap(dev: Device, storage: DeviceStorage, shape: Shape, dtype: DType, size: number, createdBy: string): Tensor {
    const stack = this.#creationStack();
    const t = create(this, dev, storage, shape, dtype, size, this.#nextId++, createdBy, stack);
    this.ledger.addTensor(t);
    const scope = this.scopes.current();
    if (scope && this.#detached === 0) scope.tensors.push(t);
    return t;
  }

  /**
   * A tensor of another shape (the same element count) on `t`'s storage: no copy, as the same elements in
   * the same order are what a reshape gives. The storage lives until the last tensor on it is freed.
   * Undefined inside a pending call's work, whose results hand their own storage over to pending tensors.
   */
  view(t: Tensor, shape: Shape, createdBy: string): Tensor | undefined {
    if (this.#detached > 0) return undefined;
    const storage = storageOf(t);
    const stack = this.#creationStack();
    const v = create(this, devOf(t), storage, shape, t.dtype, t.size, this.#nextId++, createdBy, stack);
    tensorInternals.setBytes(v, 0); // counted once, by `t`
    this.ledger.addTensor(v);
    const scope = this.scopes.current();
    if (scope) scope.tensors.push(v);
    // The tensors on one storage share one list (on each of them: no lookup by storage, which would hash it).
    let sharers = tensorInternals.sharers(t);
    if (sharers) sharers.push(v);
    else tensorInternals.setSharers(t, (sharers = [t, v]));
    tensorInternals.setSharers(v, sharers);
    return v;
  }

  /** Allocates a tensor on `dev`. */
  allocate(dev: Device, shape: Shape, dtype: DType, size: number, createdBy: string): Tensor {
    return this.wrap(dev, dev.allocate(dtype, size), shape, dtype, size, createdBy);
  }

  /** Makes a tensor from host data already converted to the dtype's host array. */
  fromHost(dev: Device, data: HostArray, shape: Shape, dtype: DType, createdBy = 'tensor'): Tensor {
    const t = this.allocate(dev, shape, dtype, data.length, createdBy);
    try {
      dev.write(storageOf(t), dtype, data);
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  release(t: Tensor): void {
    if (this.#holds.size > 0 && this.#holds.has(t)) return; // freed by the last unhold()
    const sharers = tensorInternals.sharers(t);
    if (sharers !== undefined) {
      // Another tensor still reads this storage (the tensors sharing it share their storage's life): it keeps
      // the storage, and counts its bytes from now on.
      sharers.splice(sharers.indexOf(t), 1);
      const heir = sharers[0]!;
      tensorInternals.setBytes(heir, tensorInternals.bytes(heir) + tensorInternals.bytes(t));
      tensorInternals.setBytes(t, 0);
      tensorInternals.setSharers(t, undefined);
      if (sharers.length === 1) tensorInternals.setSharers(heir, undefined);
      this.ledger.removeTensor(t);
      return;
    }
    const storage = storageOf(t);
    this.ledger.removeTensor(t);
    if (storage !== NO_STORAGE) devOf(t).free(storage);
  }

  keep(t: Tensor): void {
    tensorInternals.markKept(t);
  }

  /**
   * Reads `t`, waiting for its data if it is pending. It is held meanwhile: disposing it during the read
   * frees it after the read, which gets the data.
   */
  async read(t: Tensor): Promise<HostArray> {
    this.recorder?.spoil('it read tensor data');
    this.hold(t);
    try {
      const pending = pendingOf(t);
      if (pending) await pending.done;
      return await devOf(t).read(storageOf(t), t.dtype, t.size);
    } finally {
      this.unhold(t);
    }
  }

  readSync(t: Tensor): HostArray {
    this.recorder?.spoil('it read tensor data');
    const pending = pendingOf(t);
    if (pending) {
      throw new HearthError(
        'E_SYNC_READ',
        `Tensor #${t.id} (${t.createdBy} on ${t.device}) is still waiting for ${pending.waitingFor}; read it with \`await t.data()\` instead of dataSync() (ops on it work meanwhile).`,
        { id: t.id, device: t.device, waitingFor: pending.waitingFor },
      );
    }
    const dev = devOf(t);
    if (!dev.backend.syncRead) {
      throw new HearthError('E_SYNC_READ', `${t.device} reads asynchronously: use \`await t.data()\` instead of dataSync().`, { device: t.device });
    }
    return dev.readSync(storageOf(t), t.dtype, t.size);
  }

  async to(t: Tensor, device: string): Promise<Tensor> {
    const target = await this.startDevice(device);
    const data = await this.read(t);
    t.assertAlive();
    return this.#landCopy(t, target, data, 'to');
  }

  toSync(t: Tensor, device: string): Tensor {
    const target = this.resolveDevice(device);
    if (!target.started) {
      throw new HearthError('E_NOT_READY', `toSync() can't wait for ${target.name} to start (its backend starts on first use); use \`await t.to("${target.name}")\`, which starts it.`, { device: target.name });
    }
    return this.copySync(t, target, 'to');
  }

  /** A synchronous copy for fallbacks and mixed-device calls. */
  copySync(t: Tensor, target: Device, reason: TransferEvent['reason']): Tensor {
    return this.#landCopy(t, target, this.readSync(t), reason);
  }

  /** A copy for pending calls: reads `t` (waiting for it if pending) and lands it on `target`, outside scopes. */
  async copy(t: Tensor, target: Device, reason: TransferEvent['reason']): Promise<Tensor> {
    const data = await this.read(t);
    return this.detached(() => this.#landCopy(t, target, data, reason));
  }

  #landCopy(t: Tensor, target: Device, data: HostArray, reason: TransferEvent['reason']): Tensor {
    if (!target.has(t.dtype)) {
      throw notStoredError(target, t.dtype, this.devices(), {
        there: (d) => (d === t.device ? `keep the tensor on ${d}` : `move it to ${d} instead`),
        here: `cast it to a dtype ${target.name} stores first, e.g. t.cast("${target.backend.dtypes[0]}")`,
      });
    }
    const copy = this.fromHost(target, data, t.shape, t.dtype, t.createdBy);
    const bytes = t.size * dtypeBytes(t.dtype);
    this.counters.transfers++;
    this.counters.bytesMoved += bytes;
    this.events.emit('transfer', { from: t.device, to: target.name, bytes, reason });
    return copy;
  }

  /** Runs `fn` so that the tensors it makes join no scope (the work of pending calls). */
  detached<R>(fn: () => R): R {
    this.#detached++;
    try {
      return fn();
    } finally {
      this.#detached--;
    }
  }

  /** Keeps `t`'s storage until {@link TensorStore.unhold}, even if the user disposes it meanwhile. */
  hold(t: Tensor): void {
    this.#holds.set(t, (this.#holds.get(t) ?? 0) + 1);
  }

  /** Ends a hold; frees a tensor disposed while held. */
  unhold(t: Tensor): void {
    const n = this.#holds.get(t)! - 1;
    if (n > 0) {
      this.#holds.set(t, n);
      return;
    }
    this.#holds.delete(t);
    if (t.disposed) this.release(t);
  }

  /** A handle on a held tensor's storage for a pending call's work, in no ledger (never disposed). */
  alias(t: Tensor): Tensor {
    return create(this, devOf(t), storageOf(t), t.shape, t.dtype, t.size, t.id, t.createdBy);
  }

  /**
   * A tensor whose data is not there yet: `job` makes the result, whose storage it then takes over. Until
   * then it holds no storage (the ledger counts it with 0 bytes) and reads wait for it; on failure, reads
   * and calls on it reject with the job's error.
   */
  pending(dev: Device, shape: Shape, dtype: DType, size: number, createdBy: string, waitingFor: string, job: Promise<Tensor>): Tensor {
    const t = this.wrap(dev, NO_STORAGE, shape, dtype, size, createdBy);
    const done = job.then((result) => {
      this.ledger.removeTensor(result);
      tensorInternals.retire(result); // its storage is t's now
      tensorInternals.setPending(t, undefined);
      if (t.disposed && !this.#holds.has(t)) {
        devOf(result).free(storageOf(result));
        return;
      }
      this.ledger.removeTensor(t);
      tensorInternals.settle(t, storageOf(result));
      this.ledger.addTensor(t);
    });
    done.catch(() => undefined); // observed through data(), to() and later calls
    this.#jobs.add(done);
    void done.then(
      () => this.#jobs.delete(done),
      () => this.#jobs.delete(done),
    );
    tensorInternals.setPending(t, { done, waitingFor });
    return t;
  }

  /** Settles when every pending job has (the devices are closed first, so each lands or fails quickly). */
  async settleJobs(): Promise<void> {
    while (this.#jobs.size > 0) await Promise.allSettled([...this.#jobs]);
  }

  /**
   * Disposes each tensor, going on past a failure to free one: the failures are returned, for the caller
   * to report; the tensors are disposed (out of the ledger) either way.
   */
  disposeAll(tensors: Iterable<Tensor>): HearthError[] {
    let failures: HearthError[] | undefined;
    for (const t of tensors) {
      try {
        t.dispose();
      } catch (e) {
        (failures ??= []).push(e instanceof HearthError ? e : new HearthError('E_BACKEND', `Freeing tensor #${t.id} on ${t.device} failed: ${describeError(e)}.`, { id: t.id, device: t.device }, { cause: e }));
      }
    }
    return failures ?? [];
  }

  /** Disposes a call's temporaries, going on past a failing free and reporting it: the call's result stands. */
  disposeTemps(tensors: Iterable<Tensor>, where: string): void {
    const failures = this.disposeAll(tensors);
    if (failures.length) this.reportCleanup(where, failures);
  }

  /** Reports failures of cleanup as `warning` events (on stderr when nobody listens): cleanup never throws them. */
  reportCleanup(where: string, failures: readonly HearthError[]): void {
    for (const e of failures) {
      const message = `${where}: ${e.message}`;
      if (this.events.has('warning')) this.events.emit('warning', { code: e.code, message });
      else console.warn(`hearth warning [${e.code}]: ${message}`);
    }
  }

  /**
   * Runs `fn` in a scope: tensors made inside are disposed when it ends (after its promise settles), except
   * those it returns (a tensor, or tensors in a returned array or object's values) and those kept.
   */
  scope<R>(fn: () => R): R {
    const scope = new Scope();
    const parent = this.scopes.current();
    const finish = (result: unknown) => {
      if (scope.tensors.length === 0) return;
      const returned: Tensor[] = [];
      collectTensors(result, returned);
      // A scope returns a tensor or a few, as a rule: a list is searched; a long one gets a set.
      const set = returned.length > 8 ? new Set(returned) : undefined;
      const ending: Tensor[] = [];
      for (const t of scope.tensors) {
        if ((set ? set.has(t) : returned.includes(t)) || tensorInternals.kept(t)) {
          if (parent) parent.tensors.push(t);
        } else ending.push(t);
      }
      // A free that fails does not stop the others, nor lose the scope's result: it is reported.
      this.reportCleanup('scope cleanup', this.disposeAll(ending));
    };
    let result: R;
    try {
      result = this.scopes.run(scope, fn);
    } catch (e) {
      finish(undefined);
      throw e;
    }
    if (result instanceof Promise) {
      return result.then(
        (v) => (finish(v), v),
        (e) => {
          finish(undefined);
          throw e;
        },
      ) as R;
    }
    finish(result);
    return result;
  }
}

function collectTensors(x: unknown, into: Tensor[], depth = 0): void {
  if (x instanceof Tensor) into.push(x);
  else if (depth < 3 && Array.isArray(x)) for (const v of x) collectTensors(v, into, depth + 1);
  else if (depth < 3 && x !== null && typeof x === 'object') for (const v of Object.values(x)) collectTensors(v, into, depth + 1);
}
