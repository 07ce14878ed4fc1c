/**
 * @hearth/plugin-cuda: the CUDA-native Hearth plugin. CUDA C++ kernels on the Hearth C ABI (built with nvcc,
 * cudart linked statically), loaded through @hearth/plugin-native. With no NVIDIA driver or no GPU, the
 * `cuda` backend is unavailable and says why ("no CUDA device: ..."); where nvcc was missing at build time,
 * the plugin fails to register and says that instead.
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import { CORE_API_VERSION, type HearthPlugin, type PluginManifest } from '@hearth/core';
import { builtLibrary, createNativePlugin } from '@hearth/plugin-native';

/** Where `npm run build` puts the CUDA plugin's shared library (when nvcc was found). */
export const CUDA_LIBRARY: string = fileURLToPath(new URL('../build/libhearth_cuda.so', import.meta.url));

/** The CUDA plugin's manifest. Priority 20: preferred over WebGPU (10) and the CPU (0) when a GPU is there. */
export const manifest: PluginManifest = {
  name: '@hearth/plugin-cuda',
  version: '1.0.0',
  vendor: 'Hearth',
  deviceTypes: ['cuda'],
  coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`,
  opset: 2,
  priority: 20,
  description: 'CUDA C++ kernels on the Hearth C ABI (NVIDIA GPUs).',
};

/** The CUDA plugin, ready to pass to `createHearth({ plugins: [cudaPlugin] })`. */
export const plugin: HearthPlugin = createNativePlugin({ library: builtLibrary(CUDA_LIBRARY, 'The CUDA plugin', `nvcc was not found when \`npm run build\` ran. Install the CUDA toolkit (or set NVCC) and build again.`), manifest });

export default plugin;
