/**
 * @hearth/plugin-wasm: the fast CPU backend (device type `wasm`). Tensors live in WebAssembly memory;
 * matmul, conv2d, conv_transpose2d, the pools, resize, the elementwise families (special functions
 * included), sum/mean, softmax, strided copies and the fused composites layer_norm, linear, gelu_tanh and
 * silu run as WebAssembly (SIMD) kernels in float32, split over worker threads for large tensors where the
 * platform allows (Node's worker_threads); every other opset v2 primitive runs in TypeScript over the same
 * memory. float32, int32 and bool; reads are synchronous.
 *
 * @packageDocumentation
 */
import { CORE_API_VERSION, HearthError, type BackendOptions, type HearthPlugin, type PluginManifest } from '@hearth/core';
import { WasmBackend } from './backend.js';
import { loadKernels } from './module.js';
import { ThreadPool } from './threads.js';
import { WASM_KERNELS } from './kernels/index.js';

export { WasmBackend } from './backend.js';
export { WasmStorage, WasmHeap, type HeapViews } from './heap.js';
export { WASM_KERNELS } from './kernels/index.js';

/** The wasm plugin's manifest: priority 5, above the reference CPU (0) and below GPUs. */
export const manifest: PluginManifest = {
  name: '@hearth/plugin-wasm',
  version: '1.0.0',
  vendor: 'Hearth',
  deviceTypes: ['wasm'],
  coreApi: `^${CORE_API_VERSION.split('.')[0]}.0.0`,
  opset: 2,
  priority: 5,
  description: 'The fast CPU backend: WebAssembly SIMD kernels on worker threads.',
};

/** What `createHearth({ backendOptions: { wasm: {...} } })` may set. */
export interface WasmBackendOptions {
  /**
   * Threads large kernels are split over, the calling one included. Default: the machine's cores in Node;
   * 1 in browsers (a page's main thread may not block to wait for workers).
   */
  readonly threads?: number;
}

interface NodeProcess {
  versions?: { node?: string };
}

/** The worker start-up function of Node's worker_threads, or undefined elsewhere. */
async function nodeWorkers(): Promise<{ spawn: (source: string, data: unknown) => { unref(): void; terminate(): Promise<number> }; cores: number } | undefined> {
  if (!(globalThis as { process?: NodeProcess }).process?.versions?.node) return undefined;
  // Specifiers in variables, so a bundler for browsers leaves these Node-only modules alone.
  const workerThreads = 'node:worker_threads';
  const nodeOs = 'node:os';
  const wt = (await import(workerThreads)) as typeof import('node:worker_threads');
  const os = (await import(nodeOs)) as typeof import('node:os');
  return { spawn: (source, workerData) => new wt.Worker(source, { eval: true, workerData }), cores: os.availableParallelism() };
}

async function createBackend(options: BackendOptions): Promise<WasmBackend> {
  const requested = options['threads'];
  if (requested !== undefined && (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1)) {
    throw new HearthError('E_BACKEND_INIT', `wasm backend option "threads" must be a positive integer, got ${JSON.stringify(requested)}.`, { threads: requested });
  }
  const node = await nodeWorkers();
  const threads = node ? (requested ?? node.cores) : 1;
  const shared = threads > 1 && typeof SharedArrayBuffer !== 'undefined';
  const loaded = await loadKernels(shared);
  return new WasmBackend(loaded, new ThreadPool(loaded, shared ? threads : 1, shared ? node?.spawn : undefined));
}

/** Makes the wasm plugin. */
export function createWasmPlugin(): HearthPlugin {
  return {
    manifest,
    origin: { module: '@hearth/plugin-wasm', export: 'createWasmPlugin' },
    register(host) {
      host.registerBackend({ type: 'wasm', create: createBackend });
      for (const k of WASM_KERNELS) host.registerKernel(k);
    },
  };
}

/** The wasm plugin, ready to pass to `createHearth({ plugins: [wasmPlugin] })`. */
export const wasmPlugin: HearthPlugin = createWasmPlugin();

export default wasmPlugin;
