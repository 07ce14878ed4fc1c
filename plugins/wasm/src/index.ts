/**
 * @hearth/plugin-wasm: the fast CPU backend (device type `wasm`). Tensors live in WebAssembly memory;
 * matmul, conv2d, conv_transpose2d, the pools, resize, the elementwise families (special functions
 * included), sum/mean, softmax, strided copies and the fused composites layer_norm, linear, gelu_tanh,
 * silu, hard_sigmoid and hard_swish run as WebAssembly (SIMD) kernels in float32, split over worker threads for large tensors where the
 * platform allows (Node's worker_threads; in a browser, Web Workers, from a Web Worker of a cross-origin
 * isolated page); every other opset v2 primitive runs in TypeScript over the same memory. float32, int32
 * and bool; reads are synchronous.
 *
 * @packageDocumentation
 */
import { CORE_API_VERSION, HearthError, type BackendOptions, type HearthPlugin, type PluginManifest } from '@hearth/core';
import { WasmBackend } from './backend.js';
import { loadKernels } from './module.js';
import { ThreadPool, type SpawnWorker } from './threads.js';
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
   * in a browser, `navigator.hardwareConcurrency` inside a Web Worker of a cross-origin isolated page, else
   * 1 (threads share memory, which browsers allow only under cross-origin isolation, and a page's main
   * thread may not block to wait for them).
   */
  readonly threads?: number;
}

/** Where worker threads can run: how to start one, and how many cores there are. */
interface WorkerHost {
  readonly spawn: SpawnWorker;
  readonly cores: number;
  /** Whether workers must be started before the first job (browsers: see ThreadPool.prestart). */
  readonly prestart: boolean;
}

interface BrowserGlobals {
  process?: { versions?: { node?: string } };
  crossOriginIsolated?: boolean;
  WorkerGlobalScope?: unknown;
  Worker?: new (url: string) => { postMessage(data: unknown): void; terminate(): void };
  navigator?: { hardwareConcurrency?: number };
}

/** Node's worker_threads, Web Workers where a browser allows threads, or undefined. */
async function workerHost(): Promise<WorkerHost | undefined> {
  const g = globalThis as BrowserGlobals;
  if (g.process?.versions?.node) {
    // Specifiers in variables, so a bundler for browsers leaves these Node-only modules alone.
    const workerThreads = 'node:worker_threads';
    const nodeOs = 'node:os';
    const wt = (await import(workerThreads)) as typeof import('node:worker_threads');
    const os = (await import(nodeOs)) as typeof import('node:os');
    return { spawn: (source, workerData) => new wt.Worker(source, { eval: true, workerData }), cores: os.availableParallelism(), prestart: false };
  }
  // Shared memory needs a cross-origin isolated page; waiting for workers needs a thread that may block.
  const Worker = g.Worker;
  if (g.crossOriginIsolated !== true || g.WorkerGlobalScope === undefined || Worker === undefined) return undefined;
  const spawn: SpawnWorker = (source, data) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.postMessage(data);
    setTimeout(() => URL.revokeObjectURL(url), 10_000); // once the worker has surely loaded it
    return { unref() {}, terminate: () => w.terminate() };
  };
  return { spawn, cores: g.navigator?.hardwareConcurrency ?? 1, prestart: true };
}

async function createBackend(options: BackendOptions): Promise<WasmBackend> {
  const requested = options['threads'];
  if (requested !== undefined && (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1)) {
    throw new HearthError('E_BACKEND_INIT', `wasm backend option "threads" must be a positive integer, got ${JSON.stringify(requested)}.`, { threads: requested });
  }
  const host = await workerHost();
  const threads = host ? (requested ?? host.cores) : 1;
  const shared = threads > 1 && typeof SharedArrayBuffer !== 'undefined';
  const loaded = await loadKernels(shared);
  const pool = new ThreadPool(loaded, shared ? threads : 1, shared ? host?.spawn : undefined);
  if (host?.prestart) await pool.prestart();
  return new WasmBackend(loaded, pool);
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
