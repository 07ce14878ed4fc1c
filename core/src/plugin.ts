import type { Backend } from './backend.js';
import type { KernelSpec } from './kernel.js';
import type { OpSchema } from './opset/schema.js';

/** What a plugin says about itself. Validated when the plugin is loaded. */
export interface PluginManifest {
  /** The package name, e.g. `"@acme/hearth-plugin-npu"`. */
  readonly name: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** Who publishes it. */
  readonly vendor: string;
  /** The device types it provides backends for. */
  readonly deviceTypes: readonly string[];
  /** The core API versions it supports, as a semver range, e.g. `"^1.0.0"`. */
  readonly coreApi: string;
  /**
   * The opset version whose primitives the plugin implements (1 when absent). A plugin of an older opset
   * still loads on a newer core: that opset's composites decompose into what it has, and its missing
   * primitives run elsewhere through the fallback. Certification judges it on its declared opset.
   */
  readonly opset?: number;
  /** Default preference when the user names no backends: higher is tried first (CPU is 0). */
  readonly priority?: number;
  /** One line on what it is. */
  readonly description?: string;
}

/** Options a user passes to a backend factory (from `createHearth({ backendOptions })`). */
export type BackendOptions = Readonly<Record<string, unknown>>;

/** How a plugin makes the devices of one device type. */
export interface BackendFactory {
  /** The device type, one of the manifest's `deviceTypes`. */
  readonly type: string;
  /**
   * Creates the devices (index 0, 1, ...). Throw a `HearthError` (or any error) with a clear reason when
   * the device can't be had; the runtime keeps it and shows it in `hearth backends`.
   */
  create(options: BackendOptions): Backend | readonly Backend[] | Promise<Backend | readonly Backend[]>;
  /**
   * Start on first use (false): `create` runs when a program first uses the device (`await t.to("gpu")`,
   * `await hearth.start("gpu")`) instead of at `ready()`, for a backend whose start is costly (a GPU driver,
   * a native library), so that a program that never uses it pays nothing. `ready()` still starts it when it
   * is needed to pick the default device, or when it is the named fallback device.
   */
  readonly lazy?: boolean;
}

/** What the core gives a plugin's `register`: the opset to implement and the two ways to contribute. */
export interface PluginHost {
  /** The core API version (semver). */
  readonly coreVersion: string;
  /** The core's opset version (a plugin may declare an older one in its manifest). */
  readonly opsetVersion: number;
  /** Every operator of the core's opset, to derive kernel lists from (`since` says which opset added each). */
  readonly ops: readonly OpSchema[];
  /** Registers how to make the devices of one device type. */
  registerBackend(factory: BackendFactory): void;
  /** Registers a kernel; throws `E_DUPLICATE_KERNEL` naming both owners if the key is taken (unless `override`). */
  registerKernel<B extends Backend>(spec: KernelSpec<B>): void;
}

/**
 * Where another process can import a plugin from, to run it isolated (`createHearth({ isolate })`): the
 * process imports `module` (a package name, resolved from the working directory, or a `file:` URL) and
 * takes its `export` (`default` when left out); a function there is called with `args` (JSON-like values)
 * and may return a promise of the plugin.
 */
export interface PluginOrigin {
  /** The module to import, e.g. `"@acme/hearth-plugin-npu"`. */
  readonly module: string;
  /** The export holding the plugin, or a function making it (`default` when left out). */
  readonly export?: string;
  /** Arguments of that function, e.g. a native library's path. */
  readonly args?: readonly unknown[];
}

/** A Hearth plugin: a manifest, and a `register` that adds backends and kernels through the host. */
export interface HearthPlugin {
  /** What the plugin is and which core it supports. */
  readonly manifest: PluginManifest;
  /** Where another process can import this plugin from; a plugin without it can't be isolated. */
  readonly origin?: PluginOrigin;
  /** Adds the plugin's backends and kernels. May be async (to load WASM or a native library). */
  register(host: PluginHost): void | Promise<void>;
}
