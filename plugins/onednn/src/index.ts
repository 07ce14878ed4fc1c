/**
 * @hearth/plugin-onednn: oneDNN as a Hearth backend. A native plugin on the Hearth C ABI: matmul runs
 * through oneDNN (the CPU library PyTorch and ONNX Runtime's DNNL provider use), every other kernel comes
 * from the reference native kernels built into the same library. Tensors live in host memory, so nothing is
 * copied between kernels. Without oneDNN on the machine the plugin says what to install.
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import { CORE_API_VERSION, type HearthPlugin, type PluginManifest } from '@hearth/core';
import { builtLibrary, createNativePlugin } from '@hearth/plugin-native';

/** Where `npm run build` puts the plugin's shared library (when oneDNN's headers were found). */
export const ONEDNN_LIBRARY: string = fileURLToPath(new URL('../build/libhearth_onednn.so', import.meta.url));

/**
 * The oneDNN plugin's manifest. Priority 6: on Node with oneDNN present it is the default CPU device, ahead
 * of the wasm plugin (5, no FMA in WebAssembly) and the reference CPU plugin (0), and below GPUs.
 */
export const manifest: PluginManifest = {
  name: '@hearth/plugin-onednn',
  version: '1.0.0',
  vendor: 'Hearth',
  deviceTypes: ['onednn'],
  coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`,
  opset: 2,
  priority: 6,
  description: 'oneDNN on the host CPU, through the Hearth C ABI.',
};

/** The oneDNN plugin, ready to pass to `createHearth({ plugins: [onednnPlugin] })`. */
export const plugin: HearthPlugin = createNativePlugin({ library: builtLibrary(ONEDNN_LIBRARY, 'The oneDNN plugin', `oneDNN was not found when \`npm run build\` ran. Install it (Debian/Ubuntu: apt-get install libdnnl-dev) and build again.`), manifest });

/** The same plugin under a descriptive name. */
export const onednnPlugin: HearthPlugin = plugin;

export default plugin;
