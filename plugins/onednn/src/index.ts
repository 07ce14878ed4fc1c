/**
 * @hearth/plugin-onednn: oneDNN as a Hearth backend. A native plugin on the Hearth C ABI: matmul, conv2d,
 * conv_transpose2d, pooling, softmax, element-wise, binary and reduction operators, and fused linear and
 * normalization composites, run through oneDNN (the CPU library PyTorch and ONNX Runtime's DNNL provider
 * use) where it meets the opset's bounds; every other kernel comes from the reference native kernels built
 * into the same library. Tensors live in host memory, so nothing is copied between kernels. Without oneDNN
 * on the machine the device is unavailable and says what to install.
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import { CORE_API_VERSION, HearthError, type BackendOptions, type HearthPlugin, type PluginHost, type PluginManifest } from '@hearth/core';
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

/**
 * The `onednn` device's options (`createHearth({ backendOptions: { onednn: { threads: 2 } } })`).
 */
export interface OnednnOptions {
  /**
   * oneDNN's thread count (its OpenMP pool; default HEARTH_ONEDNN_THREADS, else OMP_NUM_THREADS, else every
   * core). The library has one pool per process: the last runtime to start the device sets it.
   */
  readonly threads?: number;
}

/** The environment variable through which the library's `init` learns the thread count. */
const THREADS_VARIABLE = 'HEARTH_ONEDNN_THREADS';

/** The variable as the user's environment set it, if at all: what a runtime without the option gets. */
const USER_THREADS = process.env[THREADS_VARIABLE];

/** Checks the `threads` option and hands it to the library, which reads it when the device starts. */
function applyThreads(options: BackendOptions): void {
  const threads = (options as OnednnOptions).threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new HearthError('E_BACKEND_INIT', `onednn backend option "threads" must be a positive integer, got ${JSON.stringify(threads)}.`, { threads });
  }
  const value = threads === undefined ? USER_THREADS : String(threads);
  if (value === undefined) delete process.env[THREADS_VARIABLE];
  else process.env[THREADS_VARIABLE] = value;
}

const native = createNativePlugin({
  library: builtLibrary(ONEDNN_LIBRARY, 'The oneDNN plugin', `oneDNN's headers were not found when \`npm run build\` ran. Install them (Debian/Ubuntu: apt-get install libdnnl-dev) and build again.`),
  manifest,
});

/** The oneDNN plugin, ready to pass to `createHearth({ plugins: [onednnPlugin] })`. */
export const plugin: HearthPlugin = {
  manifest,
  /** An isolated runtime imports this same plugin, so its `threads` option applies there too. */
  origin: { module: '@hearth/plugin-onednn', export: 'plugin' },
  register(host: PluginHost) {
    native.register({
      coreVersion: host.coreVersion,
      opsetVersion: host.opsetVersion,
      ops: host.ops,
      registerKernel: (spec) => host.registerKernel(spec),
      registerBackend: (factory) =>
        host.registerBackend({
          type: factory.type,
          create(options) {
            applyThreads(options);
            return factory.create(options);
          },
        }),
    });
  },
};

/** The same plugin under a descriptive name. */
export const onednnPlugin: HearthPlugin = plugin;

export default plugin;
