import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { HearthError, describeError, isHearthError, formatValue } from './errors.js';
import type { DType, HostArray } from './dtype.js';
import { sizeOf, type Shape } from './shape.js';
import { OPSET, opId } from './opset/index.js';
import { inputSpec, type OpBuilder, type OpSchema, type TensorMeta } from './opset/schema.js';
import type { Backend, BackendStats, DeviceInfo } from './backend.js';
import type { HearthPlugin, BackendOptions, PluginManifest, PluginOrigin } from './plugin.js';
import { KernelTable, type KernelEntry } from './kernel-table.js';
import { PluginLoader, checkManifest, type FactoryRecord, type KernelOverride, type PluginRecord } from './plugins.js';
import { IsolatedPlugin, type IsolationTimeouts } from './isolation/isolated-plugin.js';
import { IsolatedBackend } from './isolation/isolated-backend.js';
import { isolationChoice } from './isolation/choice.js';
import { MAX_DEVICES } from './limits.js';
import { notStoredError } from './not-stored.js';
import { checkHearthOptions, checkTensorOptions, checkOpCall } from './arguments.js';
import { checkBackend, type CheckedBackend } from './backend-check.js';
import { withTimeLimit } from './time-limit.js';
import { pickDefault, type BackendChoice } from './selection.js';
import { envVar, fallbackOptions } from './fallback.js';
import { Device } from './device.js';
import { LazyBackends } from './lazy-start.js';
import { Events, type HearthEvents } from './events.js';
import { TensorStore, type TransferCounters } from './memory.js';
import { Dispatcher, computeDtype, type CallPlan, type FallbackOptions, type FallbackPolicy, type KernelHook } from './dispatcher.js';
import type { DeviceLedger, LiveTensor } from './ledger.js';
import { Tensor, tensorInternals } from './tensor.js';
import { toHost, type DataDType, type DataRank, type TensorData, type TensorOptions } from './host-data.js';
import { DEFAULT_VERIFY_RATE, FieldChecker, verifyRateFromEnv, type VerifyOptions, type VerifyStats } from './field-check.js';

/** Options of {@link createHearth}. */
export interface HearthOptions {
  /** The plugins to load. A plugin that fails to load is reported by `ready()`, never thrown. */
  readonly plugins?: readonly HearthPlugin[];
  /**
   * The device types in order of preference: the first one ready is the default device. When left out,
   * the `HEARTH_BACKENDS` environment variable (`webgpu,cpu`) decides, else plugin priorities. Every other
   * loaded backend is still started and usable by name (`{ device: "cpu" }`, `t.to("cpu")`) and as a
   * fallback target, unless {@link HearthOptions.exclusive} restricts the runtime to the listed ones.
   */
  readonly backends?: readonly string[];
  /**
   * Start only the backends named in `backends` (or `HEARTH_BACKENDS`), none of the other loaded ones.
   * Also set by `HEARTH_BACKENDS_EXCLUSIVE=1`. Default false.
   */
  readonly exclusive?: boolean;
  /** What to do when a kernel is missing on a device or inputs sit on different devices. */
  readonly fallback?: Partial<FallbackOptions> | FallbackPolicy;
  /** Options per device type, passed to that backend's factory. */
  readonly backendOptions?: Readonly<Record<string, BackendOptions>>;
  /** Record where each tensor was made, for the leak report (slower). */
  readonly trackStacks?: boolean;
  /**
   * Lets plugins replace other plugins' kernels (a kernel registered with `override: true`): `true` for any
   * plugin, or the names of the plugins allowed. Without it such a registration fails with
   * `E_DUPLICATE_KERNEL`. Every override in force is listed by `ready()`'s `overrides`.
   */
  readonly allowOverrides?: boolean | readonly string[];
  /**
   * Time limits, in ms (30000 each by default): one plugin's `register`, one backend's `create`, and, for
   * isolated plugins, every other call (allocate, write, free, a kernel launch, a read). An isolated call
   * past its limit stops the plugin's process and makes its devices `E_DEVICE_LOST`.
   */
  readonly timeouts?: { readonly register?: number; readonly create?: number; readonly call?: number };
  /**
   * Runs plugins in their own process: `true` for every plugin, or the names of the plugins to isolate. A
   * crash, hang or exit there costs only that plugin's devices (`E_DEVICE_LOST`, restartable with
   * {@link Hearth.restartDevice}); its tensors live in that process and data crosses by message. Needs
   * Node.js and a plugin with an `origin`. When left out, the `HEARTH_ISOLATE` environment variable
   * (`1` for all, or comma-separated plugin names) decides; else nothing is isolated. See docs/design.md.
   */
  readonly isolate?: boolean | readonly string[];
  /**
   * Field checks: re-run a random share of kernel calls on a reference plugin in the background and emit a
   * `disagreement` event for each result that differs. `true` is `{ rate: 0.001 }`. When left out, the
   * `HEARTH_VERIFY` environment variable (a rate such as `0.001`, or `on`) decides; off by default.
   */
  readonly verify?: boolean | VerifyOptions;
}

/** The default time limit of a plugin's `register`, of a backend's `create`, and of an isolated call, in ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;

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
  /**
   * False for the first device of a backend that starts on first use (a plugin's `lazy` factory, such as
   * WebGPU) and has not started: it is usable by name all the same (tensors made there are pending until
   * it has started), but its `info`, `dtypes` and `syncRead` are known, and its other devices listed, only
   * once it has (`await hearth.start(type)`).
   */
  readonly started: boolean;
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
  /** The devices started, the default one first (`hearth.devices()` also lists those not started). */
  readonly devices: readonly DeviceReport[];
  /** The backends asked for that failed, each with its reason. */
  readonly failed: readonly BackendFailure[];
  /**
   * Backends that start on first use (their plugin's factory is `lazy`) and have not started: nothing of
   * theirs runs until a program first uses their device (`hearth.tensor(x, { device })`, `await t.to(type)`,
   * `await hearth.start(type)`). `hearth.report` is kept current.
   */
  readonly notStarted: readonly { readonly backend: string; readonly plugin: string }[];
  /** Every plugin given, loaded or failed. */
  readonly plugins: readonly PluginRecord[];
  /** The device ops without tensor inputs use (creation), or undefined when none is ready. */
  readonly defaultDevice: string | undefined;
  /** Why the default device is the one it is (the backend order's source, software devices passed over). */
  readonly selection: string;
  /** Kernels of one plugin replacing another's, allowed by `allowOverrides`. */
  readonly overrides: readonly KernelOverride[];
}


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
  /**
   * Set when the device has not started (a backend that starts on first use): the call waits for its start,
   * and this answer assumes it stores the dtypes involved, which is known only once it has started.
   */
  readonly notStarted?: string;
  /**
   * How it runs: `kernel` (a primitive's kernel), `fused` (a composite's own kernel), `decomposed` (a
   * composite as its decomposition, each step an op call on `device`) or `fallback` (no kernel: the
   * fallback policy decides, see `reason`).
   */
  readonly runs: 'kernel' | 'fused' | 'decomposed' | 'fallback';
  /** For a decomposed composite: each step of its decomposition, as `op(dtype) on device: how it runs`. */
  readonly decomposition?: readonly string[];
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
  return new Hearth(checkHearthOptions(options));
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
  // Lazy backends not started yet, each with its first device (usable by name before the start).
  readonly #lazy = new LazyBackends<BackendFailure>(
    (type, rec, first) => this.#startBackend(type, rec, first),
    (_type, failure) => {
      const failed = failure ? [...this.#report!.failed, failure] : this.#report!.failed;
      this.#report = { ...this.#report!, devices: this.#started(), failed, notStarted: this.#notStarted() };
    },
  );
  readonly #options: HearthOptions;
  readonly #loading: Promise<unknown>;
  #ready: Promise<ReadyReport> | undefined;
  #report: ReadyReport | undefined;
  #default: Device | undefined;
  #closed = false;
  readonly #isolated: IsolatedPlugin[] = [];
  readonly #verifier: FieldChecker | undefined;

  /** @internal Use {@link createHearth}. */
  constructor(options: HearthOptions) {
    this.#options = options;
    this.fallback = fallbackOptions(options.fallback, envVar('HEARTH_FALLBACK'));
    const c = rootContainer.createChildContainer();
    const resolveDevice = (name: string) => this.#device(name);
    const startDevice = async (name: string) => {
      if (typeof name === 'string' && this.#lazy.pending(name.split(':')[0]!)) await this.start(name);
      return this.#device(name);
    };
    c.register(TOKENS.options, { useValue: options });
    c.register(TOKENS.table, { useFactory: instanceCachingFactory(() => new KernelTable()) });
    c.register(TOKENS.events, { useFactory: instanceCachingFactory(() => new Events()) });
    c.register(TOKENS.store, {
      useFactory: instanceCachingFactory((d) => new TensorStore(d.resolve(TOKENS.events), resolveDevice, startDevice, () => this.#fallbackOrder(), options.trackStacks ?? false)),
    });
    const loaderPolicy = { allowOverrides: options.allowOverrides ?? false, registerTimeoutMs: options.timeouts?.register ?? DEFAULT_TIMEOUT_MS };
    c.register(TOKENS.loader, { useFactory: instanceCachingFactory((d) => new PluginLoader(d.resolve(TOKENS.table), loaderPolicy)) });
    c.register(TOKENS.dispatcher, {
      useFactory: instanceCachingFactory((d) => new Dispatcher(d.resolve(TOKENS.table), d.resolve(TOKENS.store), d.resolve(TOKENS.events), this.fallback, () => this.#fallbackOrder())),
    });
    this.container = c;
    this.#table = c.resolve(TOKENS.table);
    this.#events = c.resolve(TOKENS.events);
    this.#loader = c.resolve(TOKENS.loader);
    this.store = c.resolve(TOKENS.store);
    this.dispatcher = c.resolve(TOKENS.dispatcher);
    this.store.owner = this;
    const pending: Promise<void>[] = [];
    const isolated = isolationChoice(options.isolate);
    const timeouts = { register: options.timeouts?.register ?? DEFAULT_TIMEOUT_MS, create: options.timeouts?.create ?? DEFAULT_TIMEOUT_MS, call: options.timeouts?.call ?? DEFAULT_TIMEOUT_MS };
    for (const given of options.plugins ?? []) {
      const p = isolated(given) ? this.#isolate(given, timeouts) : given;
      const r = this.#loader.load(p);
      if (r) pending.push(r);
    }
    this.#loading = Promise.all(pending);
    this.#verifier = this.#fieldChecker(options);
    this.dispatcher.verifier = this.#verifier;
  }

  /** The field checker `verify` (or `HEARTH_VERIFY`) asks for, with its reference plugin; undefined when off. */
  #fieldChecker(options: HearthOptions): FieldChecker | undefined {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['HEARTH_VERIFY'];
    const v: VerifyOptions | undefined = options.verify === undefined ? (verifyRateFromEnv(env) ? { rate: verifyRateFromEnv(env)! } : undefined) : options.verify === true ? {} : options.verify || undefined;
    const rate = v?.rate ?? DEFAULT_VERIFY_RATE;
    if (!v || rate === 0) return undefined;
    const type = v.device ?? 'cpu';
    const reference = v.reference ?? options.plugins?.find((p) => p.manifest?.deviceTypes?.includes(type));
    if (!reference) {
      queueMicrotask(() => this.#events.emit('warning', { code: 'E_NO_BACKEND', message: `Field checks are on, but no plugin given provides the reference "${type}" device: pass createHearth({ verify: { reference: cpuPlugin } }). Nothing is checked.` }));
    }
    const makeReference = (plugin: HearthPlugin) => new Hearth({ plugins: [plugin], backends: [type] });
    return new FieldChecker(rate, reference, makeReference, this.#events, v.tolerance);
  }

  /** What the field checks (`verify`) have done, or undefined when they are off. */
  verification(): VerifyStats | undefined {
    return this.#verifier?.stats();
  }

  /** Resolves once every field check drawn so far has finished (before a program exits, or in a test). */
  async verified(): Promise<VerifyStats | undefined> {
    await this.#verifier?.drain();
    return this.#verifier?.stats();
  }

  /** The isolated stand-in of a plugin (its manifest read once, here); its process starts when it registers. */
  #isolate(p: HearthPlugin, timeouts: IsolationTimeouts): HearthPlugin {
    let manifest: PluginManifest, origin: PluginOrigin | undefined;
    try {
      manifest = checkManifest(p.manifest);
      manifest = { ...manifest, deviceTypes: [...manifest.deviceTypes] };
      const o = p.origin;
      origin = o === undefined ? undefined : { module: String(o.module), ...(o.export !== undefined ? { export: String(o.export) } : {}), ...(o.args !== undefined ? { args: [...o.args] } : {}) };
    } catch {
      return { manifest: undefined as unknown as PluginManifest, register: () => undefined }; // refused by the loader, with the manifest's problem
    }
    const stand = new IsolatedPlugin(manifest, origin, timeouts);
    this.#isolated.push(stand);
    return stand;
  }

  /**
   * Loads async plugins and creates the chosen backends. Never throws for a failed plugin or backend: the
   * report says why each failed. Throws `E_NO_BACKEND` only when no device at all is ready.
   */
  ready(): Promise<ReadyReport> {
    if (this.#closed) return Promise.reject(this.#disposedError());
    return (this.#ready ??= this.#init());
  }

  async #init(): Promise<ReadyReport> {
    await this.#loading;
    const { names, source } = this.backendOrder();
    const wanted = [...names];
    if (!this.#exclusive(source)) {
      // The preference order picks the default; every other loaded backend stays usable by name.
      const rest = [...this.#loader.factories].sort((a, b) => b.priority - a.priority).map((f) => f.factory.type);
      for (const type of rest) if (!wanted.includes(type)) wanted.push(type);
    }
    if (this.fallback.policy !== 'error' && this.fallback.device !== 'auto') {
      const fbType = this.fallback.device.split(':')[0]!;
      if (!wanted.includes(fbType)) wanted.push(fbType);
    }
    const failed: BackendFailure[] = [];
    const fallbackType = this.fallback.policy !== 'error' && this.fallback.device !== 'auto' ? this.fallback.device.split(':')[0]! : undefined;
    // A lazy backend starts here only while the default is still open (it may be the default) or as the
    // named fallback device; every other one waits in #lazy for its first use.
    let decided = false;
    for (const type of wanted) {
      // Every provider of the type makes devices, numbered in order of preference: the first provider's
      // devices are type:0.., the next one's follow (a partial plugin beside the full one for the same type).
      const recs = this.#loader.factories.filter((f) => f.factory.type === type).sort((a, b) => b.priority - a.priority);
      if (recs.length === 0) {
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
      // A lazy backend waits only while it is its type's one provider (a shared type starts every provider).
      if (recs.length === 1 && recs[0]!.factory.lazy && decided && type !== fallbackType) {
        const rec = recs[0]!;
        this.#lazy.wait(type, rec, new Device(`${type}:0`, type, this.#table.deviceTypeId(rec.kernelKey), undefined, rec.plugin, this.store.ledger));
        continue;
      }
      for (const rec of recs) {
        const failure = await this.#startBackend(type, rec);
        if (failure) failed.push(failure);
        if (this.#closed) break;
      }
      if (this.#closed) break;
      const first = this.#devices.get(`${type}:0`);
      if (first && names.includes(type) && (source !== 'priority' || first.backend.info.software !== true)) decided = true;
    }
    if (this.#closed) throw this.#disposedError();
    const firsts = names.map((t) => this.#devices.get(`${t}:0`)).filter((d) => d !== undefined);
    const pick = pickDefault(firsts.map((d) => ({ name: d.name, software: d.backend.info.software === true })), source);
    this.#default = firsts.find((d) => d.name === pick.device);
    const selection = pick.reason;
    // An isolated plugin none of whose backends was started, nor waits to start on first use, keeps no process.
    const waiting = new Set(this.#lazy.waiting().map((w) => w.plugin));
    await Promise.all(this.#isolated.filter((p) => !p.inUse && !waiting.has(p.manifest.name)).map((p) => p.close(this.#options.timeouts?.call ?? DEFAULT_TIMEOUT_MS)));
    this.#report = { devices: this.#started(), failed, notStarted: this.#notStarted(), plugins: this.#loader.records.slice(), defaultDevice: this.#default?.name, selection, overrides: this.#loader.overrides.slice() };
    if (!this.#default) {
      // Why: the plugins that failed to load (a native library not installed), then the backends that failed to start.
      const reasons = [
        ...this.#report.plugins.filter((p) => p.status === 'failed').map((p) => `${p.name}: ${p.error?.message ?? 'failed to load'}`),
        ...failed.map((f) => `${f.backend}: ${f.error.message}`),
      ].join('; ');
      throw new HearthError('E_NO_BACKEND', reasons ? `No backend is ready: ${describeError(reasons)}.` : 'No backend is ready: no plugin provides one. Pass plugins to createHearth({ plugins }) and check HEARTH_BACKENDS.', {
        failed,
        plugins: this.#report.plugins,
      });
    }
    return this.#report;
  }

  /**
   * Creates a backend's devices; returns its failure (also emitted as a warning), or undefined once they are
   * up. `first`, for a backend that started on first use, is its device 0 made before: it gets the backend.
   */
  async #startBackend(type: string, rec: FactoryRecord, first?: Device): Promise<BackendFailure | undefined> {
    try {
      const list = await this.#createBackends(type, rec.plugin, rec.factory.create.bind(rec.factory));
      if (this.#closed) {
        for (const b of list) await Promise.resolve(b.dispose?.()).catch(() => undefined);
        return undefined;
      }
      // Numbered after the devices of the type's providers started before it (the preferred ones).
      const start = [...this.#devices.values()].filter((d) => d.type === type).length;
      list.forEach((backend, i) => {
        const name = `${type}:${start + i}`;
        if (i === 0 && first) first.start(backend);
        this.#devices.set(name, i === 0 && first ? first : new Device(name, type, this.#table.deviceTypeId(rec.kernelKey), backend, rec.plugin, this.store.ledger));
      });
      return undefined;
    } catch (e) {
      const error = e instanceof HearthError ? e : new HearthError('E_BACKEND_INIT', `The ${type} backend of ${rec.plugin} failed to start: ${describeError(e)}.`, { backend: type, plugin: rec.plugin }, { cause: e });
      this.#events.emit('warning', { code: error.code, message: error.message });
      return { backend: type, plugin: rec.plugin, error };
    }
  }

  /**
   * Starts a backend that starts on first use (a plugin's `lazy` backend factory, such as WebGPU), and
   * resolves with the devices of its type; a started one resolves at once. `device` is a device type or
   * name (`"webgpu"`, `"webgpu:0"`). The first use of its device starts it too: a tensor made or moved
   * there (`hearth.tensor(x, { device: "webgpu" })`, `await t.to("webgpu")`), which is pending until the
   * start is done. A backend that fails to start rejects with its coded error (`E_BACKEND_INIT` naming the
   * plugin), now and at every later try; so do the reads of the tensors that waited for it.
   */
  async start(device: string): Promise<DeviceReport[]> {
    await this.ready();
    if (typeof device !== 'string') throw new HearthError('E_ARG', `start() takes a device type or name such as "webgpu", got ${formatValue(device)}.`, { device });
    const type = device.split(':')[0]!;
    await this.#lazy.start(type);
    this.#device(device);
    return this.devices().filter((d) => d.name.startsWith(`${type}:`));
  }

  /**
   * A tensor on `dev`, a device that has not started: pending until its backend has started (this starts
   * it) and `make` has made the data there; it rejects with the start's error when the start fails.
   */
  #afterStart(dev: Device, shape: Shape, dtype: DType, createdBy: string, make: () => Tensor): Tensor {
    const job = this.#lazy.start(dev.type)!.then(async () => {
      if (this.#closed) throw this.#disposedError(); // disposed while it started: nothing lands
      const made = this.store.detached(make);
      const pending = tensorInternals.pending(made);
      if (pending) await pending.done;
      return made;
    });
    return this.store.pending(dev, shape, dtype, sizeOf(shape), createdBy, `${dev.name} to start`, job);
  }

  /** The backends that start on first use and have not started, for the report. */
  #notStarted(): { backend: string; plugin: string }[] {
    return this.#lazy.waiting().map(({ backend, plugin }) => ({ backend, plugin }));
  }

  /** Runs a factory's `create` within the time limit and checks every backend it gives. */
  async #createBackends(type: string, plugin: string, create: (o: BackendOptions) => unknown): Promise<Backend[]> {
    const ms = this.#options.timeouts?.create ?? DEFAULT_TIMEOUT_MS;
    const late = () => new HearthError('E_BACKEND_INIT', `The ${type} backend of ${plugin}: create() did not finish within ${ms} ms; it was skipped. Raise createHearth({ timeouts: { create } }) if it needs longer.`, { backend: type, plugin, timeoutMs: ms });
    // The factory gets a frozen copy of its options: it can change neither the user's object nor another runtime's.
    const options = Object.freeze({ ...(this.#options.backendOptions?.[type] ?? {}) });
    const made = await withTimeLimit(Promise.resolve().then(() => create(options)), ms, late);
    const list = Array.isArray(made) ? Array.from({ length: (made as unknown[]).length }, (_, i) => (made as unknown[])[i]) : [made];
    if (list.length === 0) throw new HearthError('E_BACKEND_INIT', `The ${type} backend found no device.`, { backend: type, plugin });
    if (list.length > MAX_DEVICES) {
      for (const b of list.slice(0, MAX_DEVICES)) await Promise.resolve((b as Partial<Backend> | null)?.dispose?.()).catch(() => undefined);
      throw new HearthError('E_BACKEND_INIT', `The ${type} backend of ${plugin} gave ${list.length} devices, more than the ${MAX_DEVICES} any machine has; it was refused. This is a plugin bug; report it to its vendor.`, { backend: type, plugin });
    }
    try {
      return list.map((b, i) => checkBackend(b, type, plugin, i));
    } catch (e) {
      for (const b of list) await Promise.resolve((b as Partial<Backend> | null)?.dispose?.()).catch(() => undefined);
      throw e;
    }
  }

  /** The backend types to try, in order, and where that order came from. */
  backendOrder(): { names: string[]; source: BackendChoice } {
    if (this.#options.backends) return { names: [...this.#options.backends], source: 'explicit' };
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['HEARTH_BACKENDS'];
    const types = [...new Set(this.#loader.factories.map((f) => f.factory.type))];
    if (env && env.trim()) {
      // Case-insensitive: "WebGPU, CPU" names the webgpu and cpu device types.
      const names = env.split(',').map((s) => s.trim()).filter(Boolean).map((n) => types.find((t) => t.toLowerCase() === n.toLowerCase()) ?? n.toLowerCase());
      return { names: [...new Set(names)], source: 'env' };
    }
    // Backends that start at ready() come first: a lazy one (WebGPU) is not started just to be weighed, so it
    // is the default by priority only when none of them is ready (name it to prefer it).
    const sorted = [...this.#loader.factories].sort((a, b) => Number(a.factory.lazy === true) - Number(b.factory.lazy === true) || b.priority - a.priority);
    return { names: [...new Set(sorted.map((f) => f.factory.type))], source: 'priority' };
  }

  /** Whether only the listed backends start: `exclusive`, or `HEARTH_BACKENDS_EXCLUSIVE=1` with a list from the environment. */
  #exclusive(source: BackendChoice): boolean {
    if (source === 'priority') return false;
    if (this.#options.exclusive !== undefined) return this.#options.exclusive;
    const env = envVar('HEARTH_BACKENDS_EXCLUSIVE');
    return env === '1' || env?.toLowerCase() === 'true';
  }

  /** The report of the last `ready()`, if it has finished. */
  get report(): ReadyReport | undefined {
    return this.#report;
  }

  /** Every plugin given to this instance, with its status and the reason of a failure. */
  plugins(): readonly PluginRecord[] {
    return this.#loader.records;
  }

  /**
   * Every device of the loaded backends, usable by name: those started, then the first device of each
   * backend that starts on first use and has not started (`started: false`; its `info` gives only its
   * type, and its `dtypes` are empty, until it starts). Listing starts nothing (`await hearth.start(type)`
   * does; `hearth backends` starts all).
   */
  devices(): DeviceReport[] {
    const waiting = this.#lazy.waiting().map(({ device: d }) => ({ name: d.name, plugin: d.plugin, info: { type: d.type, name: 'not started', vendor: '' }, dtypes: [], syncRead: false, started: false }));
    return [...this.#started(), ...waiting];
  }

  /** The started devices, as `devices()` lists them. */
  #started(): DeviceReport[] {
    return [...this.#devices.values()].map((d) => ({ name: d.name, plugin: d.plugin, info: d.backend.info, dtypes: d.backend.dtypes, syncRead: d.backend.syncRead, started: true }));
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

  /** The ready devices in the order a fallback tries them: the default device first, then creation order. */
  #fallbackOrder(): readonly Device[] {
    const all = [...this.#devices.values()];
    return this.#default ? [this.#default, ...all.filter((d) => d !== this.#default)] : all;
  }

  #device(name: string | undefined): Device {
    if (this.#closed) throw this.#disposedError();
    if (!this.#report) throw new HearthError('E_NOT_READY', 'The runtime is not ready: `await hearth.ready()` before making tensors.');
    if (name === undefined) return this.#default!;
    if (typeof name !== 'string') throw new HearthError('E_ARG', `A device is named by a string such as "cpu" or "webgpu:0", got ${formatValue(name)}.`, { device: name });
    const full = name.includes(':') ? name : `${name}:0`;
    const d = this.#devices.get(full);
    if (d) return d;
    const type = name.split(':')[0]!;
    const first = this.#lazy.device(type);
    if (first?.name === full) return first;
    if (first) {
      // How many devices a backend has is known only once it has started: its first one is usable before.
      throw new HearthError(
        'E_NOT_READY',
        `${name}: the ${type} backend starts on first use and has not started, so its devices beyond ${type}:0 are not known yet. Start it with \`await hearth.start("${type}")\` first.`,
        { device: name, backend: type },
      );
    }
    const failure = this.#lazy.failure(type);
    if (failure) throw failure;
    throw new HearthError('E_DEVICE', `No device "${name}" in this runtime; ready devices: ${[...this.#devices.keys()].join(', ')}.`, { device: name });
  }

  /** Runs any operator by name: `hearth.op("add", [a, b])`. Creation operators run on `options.device`. */
  op(name: string, inputs: readonly Tensor[], attrs?: Readonly<Record<string, unknown>>, options: { device?: string } = {}): Tensor {
    checkOpCall(name, inputs, attrs, options);
    const id = opId(name);
    const target = this.#creationTarget(id, options.device, inputs);
    if (target !== undefined && !target.started) {
      const p = this.dispatcher.plan(id, [], attrs, target); // checked now; made once the device has started
      return this.#afterStart(target, p.shape, p.outDtype, name, () => this.dispatcher.call(id, [], attrs, target));
    }
    return this.dispatcher.call(id, inputs.slice(), attrs, target);
  }

  /**
   * Where a creation operator (one without tensor inputs) runs; undefined for every other operator, which
   * runs where its inputs are. A `device` option is checked either way: an unknown one is `E_DEVICE`, and
   * one the inputs are not on is `E_DEVICE_MISMATCH` (it is never ignored).
   */
  #creationTarget(op: number, device: string | undefined, inputs: readonly unknown[]): Device | undefined {
    if (OPSET[op]!.inputs.length === 0) return this.#device(device);
    if (device === undefined) return undefined;
    const target = this.#device(device);
    const first = inputs[0];
    if (first instanceof Tensor && tensorInternals.device(first) !== target) {
      const name = OPSET[op]!.name;
      throw new HearthError(
        'E_DEVICE_MISMATCH',
        `${name}: options.device is ${target.name}, but the inputs are on ${first.device}; an op runs where its inputs are. Move them with \`await t.to("${target.name}")\` first, or leave device out.`,
        { op: name, device: target.name, inputs: first.device },
      );
    }
    return undefined;
  }

  /**
   * Makes a tensor from host data on a device (the default one unless named). TypeScript reads the dtype
   * and rank from the data and options: `hearth.tensor([[1, 2], [3, 4]])` is a `Tensor<'float32', 2>`.
   */
  tensor<T extends TensorData, D extends DType = DataDType<T>, const S extends readonly number[] = never>(
    data: T,
    options: TensorOptions<D, S> = {},
  ): Tensor<D, [S] extends [never] ? DataRank<T> : S['length']> {
    checkTensorOptions(options);
    const dev = this.#device(options.device);
    const host = toHost(data, options.dtype, options.shape);
    // On a device not started yet, made once it has (so its dtypes are known).
    const t = dev.started ? this.#fromHost(dev, host) : this.#afterStart(dev, host.shape, host.dtype, 'tensor', () => this.#fromHost(dev, host));
    return t as Tensor<D, [S] extends [never] ? DataRank<T> : S['length']>;
  }

  /** A tensor of converted host data on a started device; `E_DTYPE` (with where it would fit) when the device does not store it. */
  #fromHost(dev: Device, host: { data: HostArray; shape: Shape; dtype: DType }): Tensor {
    if (!dev.has(host.dtype)) {
      throw notStoredError(dev, host.dtype, this.#fallbackOrder(), {
        there: (d) => `make the tensor there with { device: "${d}" }`,
        here: `give a dtype ${dev.name} stores, e.g. { dtype: "${dev.backend.dtypes[0]}" }`,
      });
    }
    return this.store.fromHost(dev, host.data, host.shape, host.dtype);
  }

  /**
   * Whether an operator runs on a device for these input dtypes (after promotion), without fallback.
   * The device is a name (`"cpu:0"`) or a device type (`"cpu"`); the default device when left out.
   */
  supports(op: string, dtypes: readonly DType[], device?: string): boolean {
    const schema = OPSET[opId(op)]!;
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

  /**
   * What would run for `op(inputs, attrs)`: the kernel, its device, the casts, or why nothing would. Inputs
   * may be tensors, or `{ shape, dtype }` descriptions (then `options.device`, or the default device, is
   * where it would run): explaining never allocates and never runs a kernel.
   */
  explain(op: string, inputs: readonly (Tensor | TensorMeta)[], attrs?: Readonly<Record<string, unknown>>, options: { device?: string } = {}): Explanation {
    checkOpCall(op, inputs, attrs, options);
    const id = opId(op);
    const tensors = inputs.every((t) => t instanceof Tensor);
    const p = tensors
      ? this.dispatcher.plan(id, inputs as readonly Tensor[], attrs, this.#creationTarget(id, options.device, inputs))
      : this.dispatcher.planMeta(id, inputs, attrs, this.#device(options.device));
    const casts = inputs.filter((t, i) => t.dtype !== p.dtype && inputSpec(p.schema, i).promote).map((t) => `${t.dtype} -> ${p.dtype}`);
    const ok = p.kernel && p.device.has(p.dtype) && p.device.has(p.outDtype);
    const composite = p.schema.decompose !== undefined;
    const base = {
      op,
      dtype: p.dtype,
      outDtype: p.outDtype,
      shape: p.shape,
      device: p.device.name,
      casts,
      ...(p.device.started ? {} : { notStarted: `${p.device.name} has not started: the call waits for its start, and this assumes it stores ${p.dtype === p.outDtype ? p.dtype : `${p.dtype} and ${p.outDtype}`}.` }),
    };
    if (ok) return { ...base, runs: composite ? 'fused' : 'kernel', kernel: { plugin: p.kernel!.provenance.plugin, version: p.kernel!.provenance.version } };
    if (composite) {
      return { ...base, runs: 'decomposed', decomposition: this.#explainSteps(p.schema, inputs, p.attrs, p.dtype, p.device.name) };
    }
    return {
      ...base,
      runs: 'fallback',
      reason: this.#fallbackReason(id, p),
    };
  }

  /** Walks a composite's decomposition on shapes and dtypes alone, explaining each step. */
  #explainSteps(schema: OpSchema, inputs: readonly TensorMeta[], attrs: Readonly<Record<string, unknown>>, dtype: DType, device: string): string[] {
    const steps: string[] = [];
    const metas = inputs.map((t, i) => (inputSpec(schema, i).promote ? { shape: t.shape, dtype } : { shape: t.shape, dtype: t.dtype }));
    const builder: OpBuilder<TensorMeta> = {
      op: (name, xs, a) => {
        const e = this.explain(name, xs, a, { device });
        steps.push(`${name}(${e.dtype}) on ${e.device}: ${e.runs}${e.kernel ? ` by ${e.kernel.plugin}` : ''}`);
        return { shape: e.shape, dtype: e.outDtype };
      },
      scalar: (_v, dt = dtype) => ({ shape: [], dtype: dt }),
    };
    schema.decompose!(builder, metas, attrs, dtype);
    return steps;
  }

  /** What the fallback policy does with a call that has no kernel on its device: the dispatcher's own answer. */
  #fallbackReason(op: number, p: CallPlan): string {
    const missing = !p.device.has(p.dtype) || !p.device.has(p.outDtype) ? `${p.device.name} does not store ${p.device.has(p.dtype) ? p.outDtype : p.dtype}` : `no kernel for ${p.schema.name}(${p.dtype}) on ${p.device.name}`;
    if (!p.device.has(p.outDtype)) return `${missing}; no fallback can bring the result back, so the call fails with E_DTYPE: ${this.dispatcher.resultNotStored(p).message}`;
    if (this.fallback.policy === 'error') return `${missing}; fallback policy "error" refuses the call (E_NO_KERNEL).`;
    const target = this.dispatcher.fallbackTarget(op, p);
    if (!target && this.dispatcher.makesOnHost(p)) return `${missing}; fallback policy "${this.fallback.policy}" makes it through host memory on ${p.device.name}.`;
    if (!target) return `${missing}; no ready device with a kernel for it is a fallback target, so the call fails with E_NO_KERNEL.`;
    return `${missing}; fallback policy "${this.fallback.policy}" runs it on ${target.device.name} (${target.kernel.provenance.plugin}).`;
  }

  /** Runs `fn` in a scope that disposes the tensors made inside, except those returned or kept; async-safe. */
  scope<R>(fn: () => R): R {
    if (typeof fn !== 'function') throw new HearthError('E_ARG', `scope() takes a function to run, e.g. hearth.scope(() => a.add(b)); got ${fn === null ? 'null' : typeof fn}.`);
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
    const c = this.store.counters;
    return { ...c, fallbacksByOp: { ...c.fallbacksByOp } };
  }

  /** Listens to an event (`fallback`, `transfer`, `warning`); returns a function that stops listening. */
  on<K extends keyof HearthEvents>(name: K, listener: (e: HearthEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  /** Adds a hook before or after every kernel; returns a function that removes it. */
  hook(when: 'before' | 'after', fn: KernelHook): () => void {
    return this.dispatcher.hook(when, fn);
  }

  /**
   * Disposes every live tensor and releases the devices. Work still pending (fallbacks, copies, reads) is
   * settled first: it lands, or fails with `E_DISPOSED`; no backend is called after its release. Afterwards
   * every use of the runtime or its tensors is `E_DISPOSED`. A free or a backend `dispose` that fails is
   * reported as a `warning` event; the others are still released.
   */
  async dispose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#verifier?.close();
    this.store.closed = true;
    const devices = [...this.#devices.values()];
    const ms = this.#options.timeouts?.create ?? DEFAULT_TIMEOUT_MS;
    // First no new work anywhere: pending jobs then fail at their next step with E_DISPOSED, or land.
    await Promise.all(devices.map((d) => d.close(ms)));
    await withTimeLimit(this.store.settleJobs(), ms, () => new Error('pending jobs')).catch(() => undefined);
    this.store.reportCleanup('hearth.dispose()', this.store.disposeAll(this.store.ledger.liveTensors()));
    for (const d of devices) {
      try {
        await d.dispose();
      } catch (e) {
        this.store.reportCleanup('hearth.dispose()', [d.fault('dispose', e)]);
      }
    }
    this.#devices.clear();
    await Promise.all(this.#isolated.map((p) => p.close(ms)));
    this.container.dispose();
  }

  /**
   * Starts a lost device again: for an isolated plugin, a new process with the same plugin and devices
   * (every device of that plugin restarts: they share the process). Tensors made before stay unusable
   * (`E_DEVICE_LOST`); make them again. `E_DEVICE` for a device that runs in-process. A device that starts on
   * first use and has not started is started (there is nothing to restart).
   */
  async restartDevice(name: string): Promise<void> {
    const d = this.#device(name);
    if (!d.started) return void (await this.start(name)); // never started: starting it is all a restart can do
    const backend = (d.backend as Partial<CheckedBackend>).source ?? d.backend;
    if (!(backend instanceof IsolatedBackend)) {
      throw new HearthError('E_DEVICE', `${d.name} runs in this process and can't be restarted; only isolated devices can (createHearth({ isolate: ["${d.plugin}"] })).`, { device: d.name });
    }
    await backend.restart();
  }

  #disposedError(): HearthError {
    return new HearthError('E_DISPOSED', 'This Hearth runtime was disposed (hearth.dispose()); its devices and tensors are released. Create a new one with createHearth().');
  }
}

declare module './tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Tensor<D extends DType = DType, R extends number = number> {
    /** The runtime instance that made this tensor. */
    readonly hearth: Hearth;
  }
}

// tensor.ts sits below the runtime and can't name `Hearth`: the runtime gives tensors their `hearth` getter.
Object.defineProperty(Tensor.prototype, 'hearth', {
  get(this: Tensor): Hearth {
    return tensorInternals.runtime(this).owner as Hearth;
  },
  configurable: true,
});
