/**
 * A small real plugin for the core's own tests: host-array storage and a handful of kernels, on a device
 * type named as the test likes. It is not the CPU plugin: the core is tested without any shipped plugin.
 */
import { hostArray, type Backend, type DType, type DeviceStorage, type HearthPlugin, type HostArray, type KernelSpec, type PluginManifest } from '../src/index.js';

interface ToyStorage extends DeviceStorage {
  data: HostArray;
}

export class ToyBackend implements Backend {
  readonly info;
  readonly dtypes: readonly DType[];
  readonly syncRead: boolean;
  live = 0;
  /**
   * Faults a test injects after the runtime has the backend (the core reads a backend's functions once,
   * when it is created, so replacing `allocate` on the object afterwards would change nothing).
   */
  readonly faults: { allocate?: () => never; read?: () => Promise<never> } = {};
  constructor(type: string, opts: { syncRead?: boolean; dtypes?: readonly DType[] } = {}) {
    this.info = { type, name: `toy ${type}`, vendor: 'Toy Inc.' };
    this.syncRead = opts.syncRead ?? true;
    this.dtypes = opts.dtypes ?? ['float32', 'int32', 'bool'];
  }
  allocate(dtype: DType, size: number): ToyStorage {
    this.faults.allocate?.();
    this.live++;
    const data = hostArray(dtype, size);
    return { data, byteLength: data.byteLength };
  }
  write(s: DeviceStorage, _d: DType, data: HostArray): void {
    (s as ToyStorage).data.set(data);
  }
  async read(s: DeviceStorage): Promise<HostArray> {
    return (s as ToyStorage).data.slice();
  }
  readSync(s: DeviceStorage): HostArray {
    return (s as ToyStorage).data.slice();
  }
  free(): void {
    this.live--;
  }
  stats() {
    return { liveAllocations: this.live, liveBytes: 0 };
  }
}

/** A device that reads only asynchronously, like a GPU: no readSync, and reads resolve on a later macrotask. */
export class AsyncToyBackend extends ToyBackend {
  override readonly syncRead = false;
  reads = 0;
  constructor(type: string, opts: { dtypes?: readonly DType[] } = {}) {
    super(type, { ...opts, syncRead: false });
  }
  override async read(s: DeviceStorage): Promise<HostArray> {
    if (this.faults.read) return this.faults.read();
    const copy = (s as ToyStorage).data.slice(); // the data as of the read's submission, as a GPU queue gives
    this.reads++;
    await new Promise((r) => setTimeout(r, 1));
    return copy;
  }
}

const data = (t: { storage: DeviceStorage }) => (t.storage as ToyStorage).data;

/** Elementwise add without broadcasting support beyond same shapes and scalars. */
export function addKernel(device: string, dtypes: readonly DType[] = ['float32', 'int32']): KernelSpec {
  return {
    op: 'add',
    device,
    dtypes,
    run([a, b], out) {
      const x = data(a!), y = data(b!), o = data(out);
      for (let i = 0; i < o.length; i++) o[i] = x[a!.size === 1 ? 0 : i]! + y[b!.size === 1 ? 0 : i]!;
    },
  };
}

export function fullKernel(device: string): KernelSpec {
  return { op: 'full', device, dtypes: ['float32', 'int32', 'bool'], run: (_i, out, attrs) => void data(out).fill(attrs['value'] as number) };
}

export function castKernel(device: string): KernelSpec {
  return {
    op: 'cast',
    device,
    dtypes: ['float32', 'int32', 'bool'],
    run([x], out) {
      const a = data(x!), o = data(out);
      for (let i = 0; i < o.length; i++) o[i] = out.dtype === 'bool' ? (a[i] !== 0 ? 1 : 0) : out.dtype === 'int32' ? Math.trunc(a[i]!) : a[i]!;
    },
  };
}

export function mulKernel(device: string): KernelSpec {
  return {
    op: 'mul',
    device,
    dtypes: ['float32'],
    run([a, b], out) {
      const x = data(a!), y = data(b!), o = data(out);
      for (let i = 0; i < o.length; i++) o[i] = x[i]! * y[i]!;
    },
  };
}

export interface ToyOptions {
  name?: string;
  version?: string;
  device?: string;
  coreApi?: string;
  priority?: number;
  kernels?: (device: string) => KernelSpec[];
  syncRead?: boolean;
  dtypes?: readonly DType[];
  failInit?: string;
  registerThrows?: string;
  /** False for a plugin that only adds kernels to a device type another plugin provides. */
  backend?: boolean;
  /** Reads asynchronously (a GPU-like device): `read` resolves on a later macrotask, `readSync` is absent. */
  asyncRead?: boolean;
  /** Reports itself as software emulation (`info.software`). */
  software?: boolean;
  /** Its backend starts on first use (the factory's `lazy`). */
  lazy?: boolean;
}

/** Makes a toy plugin; each option changes one thing a test needs. */
export function toyPlugin(o: ToyOptions = {}): HearthPlugin & { backends: ToyBackend[] } {
  const device = o.device ?? 'toy';
  const manifest: PluginManifest = {
    name: o.name ?? `toy-${device}`,
    version: o.version ?? '1.0.0',
    vendor: 'Toy Inc.',
    deviceTypes: [device],
    coreApi: o.coreApi ?? '^1.0.0',
    priority: o.priority ?? 0,
  };
  const backends: ToyBackend[] = [];
  return {
    manifest,
    backends,
    register(host) {
      if (o.backend !== false) host.registerBackend({
        type: device,
        ...(o.lazy ? { lazy: true } : {}),
        create: () => {
          if (o.failInit) throw new Error(o.failInit);
          const b = o.asyncRead ? new AsyncToyBackend(device, { dtypes: o.dtypes }) : new ToyBackend(device, { syncRead: o.syncRead, dtypes: o.dtypes });
          if (o.software) (b as { info: object }).info = { ...b.info, software: true };
          backends.push(b);
          return b;
        },
      });
      for (const k of o.kernels ? o.kernels(device) : [addKernel(device), fullKernel(device), castKernel(device)]) host.registerKernel(k);
      if (o.registerThrows) throw new Error(o.registerThrows);
    },
  };
}
