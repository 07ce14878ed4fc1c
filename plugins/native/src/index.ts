/**
 * @hearth/plugin-native: the stable C ABI of Hearth native plugins (`include/hearth_plugin.h`), the loader
 * that brings any conforming shared library in as a backend, and the reference native plugin in C (device
 * type `native`: host memory, every opset v2 primitive for float32, int32 and bool). See docs/native-plugins.md.
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import { CORE_API_VERSION, type HearthPlugin, type PluginManifest } from '@hearth/core';
import { createNativePlugin } from './plugin.js';

export { ABI_VERSION } from './abi.js';
export { openNativeLibrary, type NativeLibrary, type NativeIdentity, type NativeKernel, type NativeFunctions } from './library.js';
export { NativeBackend, SYNC_READ_MAX_BYTES } from './backend.js';
export type { NativeStorage } from './storage.js';
export { builtLibrary, createNativePlugin, loadNativePlugin, type NativePluginOptions } from './plugin.js';
export { nativePluginFromPackage } from './package-plugin.js';
export { nativePlatform, platformLibrary, type PlatformLibraryOptions } from './platform.js';
export { nativeKernelSpecs } from './kernels.js';
export { LaunchArena, type AttrSlot } from './arena.js';

/** Where `npm run build` puts the reference plugin's shared library. */
export const REFERENCE_LIBRARY: string = fileURLToPath(new URL('../build/libhearth_reference.so', import.meta.url));

/** The C ABI header, for vendors building a plugin (`-I` its folder). */
export const ABI_HEADER: string = fileURLToPath(new URL('../include/hearth_plugin.h', import.meta.url));

/** The reference plugin's C sources (plugin.c and the shared kernel headers): the template a vendor copies. */
export const REFERENCE_SOURCES: string = fileURLToPath(new URL('../reference/', import.meta.url));

/** The reference native plugin's manifest. Priority -10: never the default device when the CPU plugin is there. */
export const manifest: PluginManifest = {
  name: '@hearth/plugin-native',
  version: '1.0.0',
  vendor: 'Hearth',
  deviceTypes: ['native'],
  coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`,
  opset: 2,
  priority: -10,
  description: 'The reference native plugin: plain C on the Hearth C ABI, host memory as device memory.',
};

/** The reference native plugin (device type `native`), loaded through the C ABI like any vendor library. */
export const plugin: HearthPlugin = createNativePlugin({ library: REFERENCE_LIBRARY, manifest });

export default plugin;
