/**
 * @hearth/plugin-webgpu: every opset v2 primitive as WGSL kernels on WebGPU. In browsers it uses
 * `navigator.gpu`; in Node it loads Dawn (the `webgpu` package) on demand and takes the default adapter, or
 * Dawn's OpenGL ES compatibility adapter (Mesa's software rasteriser) on machines without a GPU.
 *
 * @packageDocumentation
 */
import { CORE_API_VERSION, type HearthPlugin, type KernelSpec, type PluginManifest } from '@hearth/core';
import { WebGPUBackend } from './backend.js';
import type { WebGPUOptions } from './adapter.js';
import { WEBGPU_KERNELS } from './kernels/index.js';

export { WebGPUBackend, type WebGPUStats, type WebGPUStorage } from './backend.js';
export { acquireGPU, describeAdapter, type AdapterDescription, type AcquiredGPU, type WebGPUOptions } from './adapter.js';
export { BufferPool } from './buffer-pool.js';
export { PipelineCache } from './pipeline-cache.js';
export { WEBGPU_KERNELS } from './kernels/index.js';

/** The WebGPU plugin's manifest: preferred over the CPU when a device comes up. */
export const manifest: PluginManifest = {
  name: '@hearth/plugin-webgpu',
  version: '1.0.0',
  vendor: 'Hearth',
  deviceTypes: ['webgpu'],
  coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`,
  opset: 2,
  priority: 10,
  description: 'WGSL kernels on WebGPU (navigator.gpu in browsers, Dawn in Node).',
};

/**
 * Makes a WebGPU plugin. `kernels` replaces the kernel list; `name` renames the plugin; `backend` sets
 * defaults for the backend's options (the runtime's `backendOptions.webgpu` wins over them).
 */
export function createWebGPUPlugin(options: { kernels?: readonly KernelSpec<WebGPUBackend>[]; name?: string; backend?: WebGPUOptions } = {}): HearthPlugin {
  const m: PluginManifest = options.name ? { ...manifest, name: options.name } : manifest;
  return {
    manifest: m,
    register(host) {
      // Lazy: Dawn loads, and its device (with its warnings and ~100 ms) is made, only for programs that use webgpu.
      host.registerBackend({ type: 'webgpu', lazy: true, create: (opts) => WebGPUBackend.create({ ...options.backend, ...(opts as WebGPUOptions) }) });
      for (const k of options.kernels ?? WEBGPU_KERNELS) host.registerKernel(k);
    },
  };
}

/** The WebGPU plugin, ready to pass to `createHearth({ plugins: [webgpuPlugin] })`. */
export const webgpuPlugin: HearthPlugin = createWebGPUPlugin();

export default webgpuPlugin;
