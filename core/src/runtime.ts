import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { HearthError, isHearthError } from './errors.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { OPSET_V1, opId } from './opset/index.js';
import { inputSpec } from './opset/schema.js';
import type { Backend, BackendStats, DeviceInfo } from './backend.js';
import type { HearthPlugin, BackendOptions } from './plugin.js';
import { KernelTable, type KernelEntry } from './kernel-table.js';
import { PluginLoader, type PluginRecord } from './plugins.js';
import { Device } from './device.js';
import { Events, type HearthEvents } from './events.js';
import { TensorStore, type TransferCounters } from './memory.js';
import { Dispatcher, computeDtype, type FallbackOptions, type FallbackPolicy, type KernelHook } from './dispatcher.js';
import type { DeviceLedger, LiveTensor } from './ledger.js';
import { Tensor } from './tensor.js';
import { toHost, type TensorData } from './host-data.js';

/** Options of {@link createHearth}. */
export interface HearthOptions {
  /** The plugins to load. A plugin that fails to load is reported by `ready()`, never thrown. */
  readonly plugins?: readonly HearthPlugin[];
  /**
   * The device types to use, most preferred first (the first one ready is the default device). When left
   * out, the `HEARTH_BACKENDS` environment variable (`webgpu,cpu`) decides, else plugin priorities.
   */
  readonly backends?: readonly string[];
  /** What to do when a kernel is missing on a device or inputs sit on different devices. */
  readonly fallback?: Partial<FallbackOptions> | FallbackPolicy;
  /** Options per device type, passed to that backend's factory. */
  readonly backendOptions?: Readonly<Record<string, BackendOptions>>;
  /** Record where each tensor was made, for the leak report (slower). */
  readonly trackStacks?: boolean;
}

/** A device the runtime has, as `ready()` and `devices()` describe it. */
export interface DeviceReport {
  /** Its name, e.g. `"cpu:0"`. */
  readonly name: string;
  /** Its plugin. */
  readonly plugin: string;
  /** What it says about itself. */
  readonly info: DeviceInfo;
  /** The dtypes it stores. */
  readonly dtypes: readonly DType[];
  /** Whether `dataSync()` works there. */
  readonly syncRead: boolean;
}

/** A backend that was asked for and could not be had. */
export interface BackendFailure {
  /** The device type asked for. */
  readonly backend: string;
  /** The plugin that provides it, if any. */
  readonly plugin?: string;
  /** Why it failed. */
  readonly error: HearthError;
}

/** What `ready()` found. */
export interface ReadyReport {
  /** The devices ready to use, the default one first. */
  readonly devices: readonly DeviceReport[];
  /** The backends asked for that failed, each with its reason. */
  readonly failed: readonly BackendFailure[];
  /** Every plugin given, loaded or failed. */
  readonly plugins: readonly PluginRecord[];
  /** The device ops without tensor inputs use (creation), or undefined when none is ready. */
  readonly defaultDevice: string | undefined;
}

/** Where the default backend list came from. */
export type BackendChoice = 'explicit' | 'env' | 'priority';

/** `explain()`'s answer: what would run for a call, or why nothing would. */
export interface Explanation {
  /** The operator. */
  readonly op: string;
  /** The compute dtype after promotion. */
  readonly dtype: DType;
  /** The output dtype. */
  readonly outDtype: DType;
  /** The output shape. */
  readonly shape: Shape;
  /** The device it would run on. */
  readonly device: string;
  /** The kernel's owner, when one exists. */
  readonly kernel?: { readonly plugin: string; readonly version: string };
  /** Inputs cast to the compute dtype first. */
  readonly casts: readonly string[];
  /** When no kernel exists there: why, and what the fallback policy would do. */
  readonly reason?: string;
}

const TOKENS = {
  options: Symbol('HearthOptions'),
  table: Symbol('KernelTable'),
  events: Symbol('Events'),
  store: Symbol('TensorStore'),
  dispatcher: Symbol('Dispatcher'),
  loader: Symbol('PluginLoader'),
} as const;

/** Creates a runtime instance. Call `await hearth.ready()` before using tensors. */
export function createHearth(options: HearthOptions = {}): Hearth {
  return new Hearth(options);
}

/**
 * A Hearth runtime instance: its plugins, kernel table, devices, ledger and policies, in its own
 * dependency-injection container. Two instances share nothing.
 */
export class Hearth {
  /** The instance's own tsyringe container (a child of the root), for extensions. */
  readonly container: DependencyContainer;
  /** The fallback settings. */
  readonly fallback: FallbackOptions;
  /** @internal */
  readonly dispatcher: Dispatcher;
  /** @internal */
  readonly store: TensorStore;
  readonly #table: KernelTable;
  readonly #events: Events;
  readonly #loader: PluginLoader;
  readonly #devices = new Map<string, Device>();
  readonly #options: HearthOptions;
  readonly #loading: Promise<unknown>;
  #ready: Promise<ReadyReport> | undefined;
  #report: ReadyReport | undefined;
  #default: Device | undefined;

  /** @internal Use {@link createHearth}. */
  constructor(options: HearthOptions) {
    this.#options = options;
    const fb = typeof options.fallback === 'string' ? { policy: options.fallback } : (options.fallback ?? {});
    if (fb.policy !== undefined && !['error', 'warn', 'allow'].includes(fb.policy)) {
      throw new HearthError('E_ARG', `fallback policy must be "error", "warn" or "allow", got ${JSON.stringify(fb.policy)}.`);
    }
    this.fallback = { policy: fb.policy ?? 'error', device: fb.device ?? 'cpu:0' };
    const c = rootContainer.createChildContainer();
    const resolveDevice = (name: string) => this.#device(name);
    c.register(TOKENS.options, { useValue: options });
    c.register(TOKENS.table, { useFactory: instanceCachingFactory(() => new KernelTable()) });
    c.register(TOKENS.events, { useFactory: instanceCachingFactory(() => new Events()) });
    c.register(TOKENS.store, { useFactory: instanceCachingFactory((d) => new TensorStore(d.resolve(TOKENS.events), resolveDevice, options.trackStacks ?? false)) });
    c.register(TOKENS.loader, { useFactory: instanceCachingFactory((d) => new PluginLoader(d.resolve(TOKENS.table))) });
    c.register(TOKENS.dispatcher, {
      useFactory: instanceCachingFactory((d) => new Dispatcher(d.resolve(TOKENS.table), d.resolve(TOKENS.store), d.resolve(TOKENS.events), this.fallback, resolveDevice)),
    });
    this.container = c;
    this.#table = c.resolve(TOKENS.table);
    this.#events = c.resolve(TOKENS.events);
    this.#loader = c.resolve(TOKENS.loader);
    this.store = c.resolve(TOKENS.store);
    this.dispatcher = c.resolve(TOKENS.dispatcher);
    this.store.owner = this;
    const pending: Promise<void>[] = [];
    for (const p of options.plugins ?? []) {
      const r = this.#loader.load(p);
      if (r) pending.push(r);
    }
    this.#loading = Promise.all(pending);
  }

  /**
   * Loads async plugins and creates the chosen backends. Never throws for a failed plugin or backend: the
   * report says why each failed. Throws `E_NO_BACKEND` only when no device at all is ready.
   */
  ready(): Promise<ReadyReport> {
    return (this.#ready ??= this.#init());
  }

  async #init(): Promise<ReadyReport> {
    await this.#loading;
    const { names } = this.backendOrder();
    const wanted = [...names];
    if (this.fallback.policy !== 'error') {
      const fbType = this.fallback.device.split(':')[0]!;
      if (!wanted.includes(fbType)) wanted.push(fbType);
    }
    const failed: BackendFailure[] = [];
    for (const type of wanted) {
      const rec = this.#loader.factories.find((f) => f.factory.type === type);
      if (!rec) {
        const failedPlugin = this.#loader.records.find((r) => r.status === 'failed' && r.manifest?.deviceTypes.includes(type));
        failed.push({
          backend: type,
          plugin: failedPlugin?.name,
          error:
            failedPlugin?.error ??
            new HearthError('E_NO_BACKEND', `No loaded plugin provides the "${type}" backend. Install and pass its plugin, or remove "${type}" from the backend list.`, { backend: type }),
        });
        continue;
      }
      try {
        const made = await rec.factory.create(this.#options.backendOptions?.[type] ?? {});
        const list = (Array.isArray(made) ? made : [made]) as Backend[];
        if (list.length === 0) throw new HearthError('E_BACKEND_INIT', `The ${type} backend found no device.`);
        list.forEach((backend, i) => {
          const name = `${type}:${i}`;
          this.#devices.set(name, new Device(name, type, this.#table.deviceTypeId(type), backend, rec.plugin, this.store.ledger));
        });
      } catch (e) {
        const error =
          e instanceof HearthError ? e : new HearthError('E_BACKEND_INIT', `The ${type} backend of ${rec.plugin} failed to start: ${(e as Error)?.message ?? e}.`, { backend: type }, { cause: e });
        failed.push({ backend: type, plugin: rec.plugin, error });
        this.#events.emit('warning', { code: error.code, message: error.message });
      }
    }
    this.#default = names.map((t) => this.#devices.get(`${t}:0`)).find((d) => d !== undefined);
    this.#report = { devices: this.devices(), failed, plugins: this.#loader.records.slice(), defaultDevice: this.#default?.name };
    if (!this.#default) {
      const reasons = failed.map((f) => `${f.backend}: ${f.error.message}`).join('; ');
      throw new HearthError('E_NO_BACKEND', `No backend is ready${reasons ? ` (${reasons})` : ''}. Pass plugins to createHearth({ plugins }) and check HEARTH_BACKENDS.`, {
        failed,
        plugins: this.#report.plugins,
      });
    }
    return this.#report;
  }

  /** The backend types to try, in order, and where that order came from. */
  backendOrder(): { names: string[]; source: BackendChoice } {
    if (this.#options.backends) return { names: [...this.#options.backends], source: 'explicit' };
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['HEARTH_BACKENDS'];
    if (env && env.trim()) return { names: env.split(',').map((s) => s.trim()).filter(Boolean), source: 'env' };
    const sorted = [...this.#loader.factories].sort((a, b) => b.priority - a.priority);
    return { names: [...new Set(sorted.map((f) => f.factory.type))], source: 'priority' };
  }

  /** The report of the last `ready()`, if it has finished. */
  get report(): ReadyReport | undefined {
    return this.#report;
  }

  /** Every plugin given to this instance, with its status and the reason of a failure. */
  plugins(): readonly PluginRecord[] {
    return this.#loader.records;
  }

  /** The ready devices. */
  devices(): DeviceReport[] {
    return [...this.#devices.values()].map((d) => ({ name: d.name, plugin: d.plugin, info: d.backend.info, dtypes: d.backend.dtypes, syncRead: d.backend.syncRead }));
  }

  /** The default device's name. */
  get defaultDevice(): string {
    return this.#device(undefined).name;
  }

  /** Every kernel registered in this instance. */
  kernels(): KernelEntry[] {
    return this.#table.entries();
  }

  /** @internal A device by name (`"cpu"` means `"cpu:0"`), or the default one. */
  device(name?: string): Device {
    return this.#device(name);
  }

  #device(name: string | undefined): Device {
    if (!this.#report) throw new HearthError('E_NOT_READY', 'The runtime is not ready: `await hearth.ready()` before making tensors.');
    if (name === undefined) return this.#default!;
    const d = this.#devices.get(name.includes(':') ? name : `${name}:0`);
    if (!d) {
      throw new HearthError('E_DEVICE', `No device "${name}" in this runtime; ready devices: ${[...this.#devices.keys()].join(', ')}.`, { device: name });
    }
    return d;
  }

  /** Runs any operator by name: `hearth.op("add", [a, b])`. Creation operators run on `options.device`. */
  op(name: string, inputs: readonly Tensor[], attrs?: Readonly<Record<string, unknown>>, options: { device?: string } = {}): Tensor {
    const id = opId(name);
    return this.dispatcher.call(id, inputs.slice(), attrs, this.#creationTarget(id, options.device));
  }

  /** Where a creation operator (one without tensor inputs) runs; undefined for every other operator. */
  #creationTarget(op: number, device: string | undefined): Device | undefined {
    return OPSET_V1[op]!.inputs.length === 0 ? this.#device(device) : undefined;
  }

  /** Makes a tensor from host data on a device (the default one unless named). */
  tensor(data: TensorData, options: { dtype?: DType; shape?: readonly number[]; device?: string } = {}): Tensor {
    const dev = this.#device(options.device);
    const host = toHost(data, options.dtype, options.shape);
    if (!dev.has(host.dtype)) {
      throw new HearthError('E_DTYPE', `${dev.name} does not store ${host.dtype}; it has ${dev.backend.dtypes.join(', ')}.`, { device: dev.name, dtype: host.dtype });
    }
    return this.store.fromHost(dev, host.data, host.shape, host.dtype);
  }

  /**
   * Whether an operator runs on a device for these input dtypes (after promotion), without fallback.
   * The device is a name (`"cpu:0"`) or a device type (`"cpu"`); the default device when left out.
   */
  supports(op: string, dtypes: readonly DType[], device?: string): boolean {
    const schema = OPSET_V1[opId(op)]!;
    const type = device === undefined ? this.#device(undefined).type : device.split(':')[0]!;
    // Creation operators have no inputs: their one dtype is the output's.
    const creation = schema.compute === 'attr';
    let dt: DType;
    try {
      dt = computeDtype(schema, creation ? [] : dtypes.map((dtype) => ({ dtype })), creation ? { dtype: dtypes[0] } : {});
    } catch (e) {
      if (isHearthError(e, 'E_DTYPE')) return false;
      throw e;
    }
    const dev = [...this.#devices.values()].find((d) => d.type === type);
    if (dev && !dev.has(dt)) return false;
    return this.#table.find(op, type, dt) !== undefined;
  }

  /** What would run for `op(inputs, attrs)`: the kernel, its device, the casts, or why nothing would. */
  explain(op: string, inputs: readonly Tensor[], attrs?: Readonly<Record<string, unknown>>, options: { device?: string } = {}): Explanation {
    const id = opId(op);
    const p = this.dispatcher.plan(id, inputs, attrs, this.#creationTarget(id, options.device));
    const casts = inputs.filter((t, i) => t.dtype !== p.dtype && inputSpec(p.schema, i).promote).map((t) => `${t.dtype} -> ${p.dtype}`);
    const ok = p.kernel && p.device.has(p.dtype) && p.device.has(p.outDtype);
    return {
      op,
      dtype: p.dtype,
      outDtype: p.outDtype,
      shape: p.shape,
      device: p.device.name,
      casts,
      ...(ok
        ? { kernel: { plugin: p.kernel!.provenance.plugin, version: p.kernel!.provenance.version } }
        : { reason: `no kernel for ${op}(${p.dtype}) on ${p.device.name}; fallback policy "${this.fallback.policy}"${this.fallback.policy === 'error' ? ' refuses the call' : ` runs it on ${this.fallback.device}`}.` }),
    };
  }

  /** Runs `fn` in a scope that disposes the tensors made inside, except those returned or kept; async-safe. */
  scope<R>(fn: () => R): R {
    return this.store.scope(fn);
  }

  /** Keeps a tensor alive past the scopes around it. */
  keep<T extends Tensor>(t: T): T {
    return t.keep();
  }

  /** The ledger of live bytes and tensors, per device. */
  memory(): DeviceLedger[] {
    return this.store.ledger.snapshot();
  }

  /** One device's ledger. */
  memoryOf(device: string): DeviceLedger {
    return this.store.ledger.of(this.#device(device).name);
  }

  /** Backend-side live allocations of a device, where the backend reports them. */
  backendStats(device: string): BackendStats | undefined {
    return this.#device(device).backend.stats?.();
  }

  /** Every tensor still alive: the leak report. */
  leaks(): LiveTensor[] {
    return this.store.ledger.live();
  }

  /** Fallback and transfer counters. */
  stats(): Readonly<TransferCounters> {
    return { ...this.store.counters };
  }

  /** Listens to an event (`fallback`, `transfer`, `warning`); returns a function that stops listening. */
  on<K extends keyof HearthEvents>(name: K, listener: (e: HearthEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  /** Adds a hook before or after every kernel; returns a function that removes it. */
  hook(when: 'before' | 'after', fn: KernelHook): () => void {
    return this.dispatcher.hook(when, fn);
  }

  /** Disposes every live tensor and releases the devices. */
  async dispose(): Promise<void> {
    for (const t of this.store.ledger.liveTensors()) t.dispose();
    for (const d of this.#devices.values()) await d.backend.dispose?.();
    this.#devices.clear();
    this.container.dispose();
  }
}
