/**
 * @hearth/plugin-cpu: the reference CPU backend. Every opset v2 primitive for float32, int32, bool and
 * float64, in plain TypeScript (composites run as their decompositions); reads are synchronous.
 *
 * @packageDocumentation
 */
import { CORE_API_VERSION, type HearthPlugin, type KernelSpec, type PluginManifest } from '@hearth/core';
import { CpuBackend } from './backend.js';
import { CPU_KERNELS } from './kernels/index.js';

export { CpuBackend, type CpuStorage } from './backend.js';
export { CPU_KERNELS } from './kernels/index.js';

/** The CPU plugin's manifest. */
export const manifest: PluginManifest = {
  name: '@hearth/plugin-cpu',
  version: '1.0.0',
  vendor: 'Hearth',
  deviceTypes: ['cpu'],
  coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`,
  opset: 2,
  priority: 0,
  description: 'The reference CPU backend (TypeScript).',
};

/**
 * Makes a CPU plugin. `kernels` replaces the kernel list (the conformance suite uses this to build
 * deliberately broken variants); `name` renames the plugin.
 */
export function createCpuPlugin(options: { kernels?: readonly KernelSpec[]; name?: string } = {}): HearthPlugin {
  const m: PluginManifest = options.name ? { ...manifest, name: options.name } : manifest;
  return {
    manifest: m,
    // Another process can make the same plugin, unless its kernels are this process's own functions.
    ...(options.kernels ? {} : { origin: { module: '@hearth/plugin-cpu', export: 'createCpuPlugin', args: [options.name ? { name: options.name } : {}] } }),
    register(host) {
      host.registerBackend({ type: 'cpu', create: () => new CpuBackend() });
      for (const k of options.kernels ?? CPU_KERNELS) host.registerKernel(k);
    },
  };
}

/** The CPU plugin, ready to pass to `createHearth({ plugins: [cpuPlugin] })`. */
export const cpuPlugin: HearthPlugin = createCpuPlugin();

export default cpuPlugin;
