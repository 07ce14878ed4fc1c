import { existsSync } from 'node:fs';
import { CORE_API_VERSION, HearthError, MAX_DEVICES, type HearthPlugin, type PluginManifest } from '@hearth/core';
import { NativeBackend } from './backend.js';
import { nativeKernelSpecs } from './kernels.js';
import { openNativeLibrary, type NativeLibrary } from './library.js';

/** Options of {@link createNativePlugin}. */
export interface NativePluginOptions {
  /** The shared library's path, or a function giving it (called when the plugin registers). */
  readonly library: string | (() => string);
  /** The plugin's manifest. Its `deviceTypes` must hold the device type the library reports. */
  readonly manifest: PluginManifest;
}

/**
 * A Hearth plugin over a native library, opened when the plugin registers: every check of
 * {@link openNativeLibrary} runs then, and a failure marks the plugin failed with its reason (importing
 * never fails). The backend's factory calls the library's `init`; "no device" and driver failures make the
 * backend unavailable with the library's own message (E_BACKEND_INIT).
 */
/**
 * The `library` option of a plugin whose shared library is built only where its toolchain or vendor library
 * is present: gives `path`, or fails the plugin's registration with `E_PLUGIN` saying why it was not built
 * (`notBuilt`, e.g. "nvcc was not found when `npm run build` ran. Install the CUDA toolkit and build again.").
 */
export function builtLibrary(path: string, plugin: string, notBuilt: string): () => string {
  return () => {
    if (!existsSync(path)) throw new HearthError('E_PLUGIN', `${plugin}'s library (${path}) was not built: ${notBuilt}`, { library: path });
    return path;
  };
}

export function createNativePlugin(options: NativePluginOptions): HearthPlugin {
  const { manifest } = options;
  return {
    manifest,
    /** Another process makes the same plugin over the same library (for `createHearth({ isolate })`). */
    get origin() {
      const library = typeof options.library === 'function' ? options.library() : options.library;
      return { module: '@hearth/plugin-native', export: 'createNativePlugin', args: [{ library, manifest }] };
    },
    register(host) {
      const lib = openNativeLibrary(typeof options.library === 'function' ? options.library() : options.library);
      const type = lib.identity.deviceType;
      if (!manifest.deviceTypes.includes(type)) {
        throw new HearthError('E_PLUGIN', `${lib.path} reports device type "${type}", which ${manifest.name}'s manifest does not list (${manifest.deviceTypes.join(', ')}).`, { library: lib.path });
      }
      host.registerBackend({ type, create: () => createDevices(lib) });
      for (const spec of nativeKernelSpecs(lib, host.ops)) host.registerKernel(spec);
    },
  };
}

/**
 * Opens a native library now and makes a plugin whose manifest comes from the library's identity (name,
 * vendor, version, device type). Throws the library's HearthError at once; use it for a vendor's `.so` at
 * hand, {@link createNativePlugin} for a package.
 */
export function loadNativePlugin(path: string, manifest: Partial<PluginManifest> = {}): HearthPlugin {
  const lib = openNativeLibrary(path);
  const id = lib.identity;
  return createNativePlugin({
    library: lib.path,
    manifest: { name: id.name, version: id.version, vendor: id.vendor, deviceTypes: [id.deviceType], coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`, ...manifest },
  });
}

/** Starts the library and makes one backend per device; `shutdown` runs once the last of them is disposed. */
function createDevices(lib: NativeLibrary): NativeBackend[] {
  const count = [0];
  lib.check(lib.fn.init(count) as number, 'init', 'E_BACKEND_INIT');
  let live = count[0]!;
  if (live <= 0) {
    lib.fn.shutdown();
    throw new HearthError('E_BACKEND_INIT', `${lib.identity.name}: init found no device.`, { library: lib.path });
  }
  if (live > MAX_DEVICES) {
    lib.fn.shutdown();
    throw new HearthError('E_BACKEND_INIT', `${lib.identity.name}: init claims ${live} devices, more than the ${MAX_DEVICES} any machine has; it was refused. This is a plugin bug; report it to its vendor.`, { library: lib.path, devices: live });
  }
  const release = () => {
    if (--live === 0) lib.fn.shutdown();
  };
  const made: NativeBackend[] = [];
  try {
    for (let i = 0; i < count[0]!; i++) made.push(new NativeBackend(lib, i, release));
  } catch (e) {
    live = -1;
    lib.fn.shutdown();
    throw e;
  }
  return made;
}
