import { HearthError } from './errors.js';
import { dtypeBytes, type DType, type HostArray } from './dtype.js';
import type { Shape } from './shape.js';
import type { DeviceStorage } from './backend.js';
import type { Device } from './device.js';
import type { Events } from './events.js';
import { Ledger } from './ledger.js';
import { Scope, ScopeTracker } from './scope.js';
import { Tensor, type TensorRuntime } from './tensor.js';
import type { Hearth } from './runtime.js';

/** Counters of data moved between devices. */
export interface TransferCounters {
  /** Kernels that ran on the fallback device. */
  fallbacks: number;
  /** Copies between devices, all reasons. */
  transfers: number;
  /** Bytes copied between devices. */
  bytesMoved: number;
}

/**
 * Owns tensors' lifetime: makes them (counted in the ledger, added to the current scope), frees them,
 * reads them back and copies them between devices.
 */
export class TensorStore implements TensorRuntime {
  readonly ledger = new Ledger();
  readonly scopes = new ScopeTracker();
  readonly counters: TransferCounters = { fallbacks: 0, transfers: 0, bytesMoved: 0 };
  #nextId = 0;
  /** The runtime instance; set once by it. */
  owner!: Hearth;

  constructor(
    private readonly events: Events,
    private readonly resolveDevice: (name: string) => Device,
    private readonly trackStacks: boolean,
  ) {}

  /** Wraps storage already allocated on `dev` into a tensor. */
  wrap(dev: Device, storage: DeviceStorage, shape: Shape, dtype: DType, size: number, createdBy: string): Tensor {
    const stack = this.trackStacks ? new Error().stack?.split('\n').slice(2).join('\n') : undefined;
    const t = new Tensor(this, dev, storage, shape, dtype, size, this.#nextId++, createdBy, stack);
    this.ledger.addTensor(t);
    const scope = this.scopes.current();
    if (scope) scope.tensors.push(t);
    return t;
  }

  /** Allocates a tensor on `dev`. */
  allocate(dev: Device, shape: Shape, dtype: DType, size: number, createdBy: string): Tensor {
    return this.wrap(dev, dev.allocate(dtype, size), shape, dtype, size, createdBy);
  }

  /** Makes a tensor from host data already converted to the dtype's host array. */
  fromHost(dev: Device, data: HostArray, shape: Shape, dtype: DType, createdBy = 'tensor'): Tensor {
    const t = this.allocate(dev, shape, dtype, data.length, createdBy);
    dev.backend.write(t.storage, dtype, data);
    return t;
  }

  release(t: Tensor): void {
    this.ledger.removeTensor(t);
    t.dev.backend.free(t.storage);
  }

  keep(t: Tensor): void {
    t.kept = true;
  }

  read(t: Tensor): Promise<HostArray> {
    t.dev.backend.flush?.();
    return t.dev.backend.read(t.storage, t.dtype, t.size);
  }

  readSync(t: Tensor): HostArray {
    const b = t.dev.backend;
    if (!b.syncRead || !b.readSync) {
      throw new HearthError('E_SYNC_READ', `${t.device} reads asynchronously: use \`await t.data()\` instead of dataSync().`, { device: t.device });
    }
    b.flush?.();
    return b.readSync(t.storage, t.dtype, t.size);
  }

  async to(t: Tensor, device: string): Promise<Tensor> {
    const target = this.resolveDevice(device);
    const data = await this.read(t);
    t.assertAlive();
    return this.#landCopy(t, target, data, 'to');
  }

  toSync(t: Tensor, device: string): Tensor {
    return this.copySync(t, this.resolveDevice(device), 'to');
  }

  /** A synchronous copy for fallbacks and mixed-device calls. */
  copySync(t: Tensor, target: Device, reason: 'to' | 'fallback' | 'mixed-devices'): Tensor {
    return this.#landCopy(t, target, this.readSync(t), reason);
  }

  #landCopy(t: Tensor, target: Device, data: HostArray, reason: 'to' | 'fallback' | 'mixed-devices'): Tensor {
    if (!target.has(t.dtype)) {
      throw new HearthError('E_DTYPE', `${target.name} does not store ${t.dtype}; cast the tensor to a dtype it has (${target.backend.dtypes.join(', ')}) first.`, {
        device: target.name,
        dtype: t.dtype,
      });
    }
    const copy = this.fromHost(target, data, t.shape, t.dtype, t.createdBy);
    const bytes = t.size * dtypeBytes(t.dtype);
    this.counters.transfers++;
    this.counters.bytesMoved += bytes;
    this.events.emit('transfer', { from: t.device, to: target.name, bytes, reason });
    return copy;
  }

  /**
   * Runs `fn` in a scope: tensors made inside are disposed when it ends (after its promise settles), except
   * those it returns (a tensor, or tensors in a returned array or object's values) and those kept.
   */
  scope<R>(fn: () => R): R {
    const scope = new Scope();
    const parent = this.scopes.current();
    const finish = (result: unknown) => {
      const keep = new Set<Tensor>();
      collectTensors(result, keep);
      for (const t of scope.tensors) {
        if (keep.has(t) || t.kept) {
          if (parent) parent.tensors.push(t);
        } else t.dispose();
      }
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

function collectTensors(x: unknown, into: Set<Tensor>, depth = 0): void {
  if (x instanceof Tensor) into.add(x);
  else if (depth < 3 && Array.isArray(x)) for (const v of x) collectTensors(v, into, depth + 1);
  else if (depth < 3 && x !== null && typeof x === 'object') for (const v of Object.values(x)) collectTensors(v, into, depth + 1);
}
