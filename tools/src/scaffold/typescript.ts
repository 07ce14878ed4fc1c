import type { ScaffoldPlan } from './options.js';

/** The `manifest` export of a plugin's `src/index.ts`. */
export function manifestTs(p: ScaffoldPlan, description: string): string {
  return `/** What the plugin says about itself; keep it in step with the \`hearth\` field of package.json. */
export const manifest: PluginManifest = {
  name: ${JSON.stringify(p.name)},
  version: '0.1.0',
  vendor: ${JSON.stringify(p.vendor)},
  deviceTypes: [${JSON.stringify(p.device)}],
  coreApi: ${JSON.stringify(p.hearthRange)},
  priority: 20,
  description: ${JSON.stringify(description)},
};
`;
}

/** `src/index.ts`: the manifest and `register`, which adds the backend and the kernels. */
export function indexTs(p: ScaffoldPlan): string {
  return `/**
 * ${p.name}: a Hearth backend plugin for ${p.device} devices.
 *
 * @packageDocumentation
 */
import type { HearthPlugin, PluginManifest } from '@hearth/core';
import { ${p.backendClass} } from './backend.js';
import { KERNELS } from './kernels.js';

export { ${p.backendClass} } from './backend.js';
export { KERNELS } from './kernels.js';

${manifestTs(p, `A Hearth backend for ${p.device} devices.`)}
/** The plugin: pass it to \`createHearth({ plugins: [plugin] })\`, or let discovery find the package. */
export const plugin: HearthPlugin = {
  manifest,
  register(host) {
    host.registerBackend({ type: ${JSON.stringify(p.device)}, create: () => new ${p.backendClass}() });
    for (const kernel of KERNELS) host.registerKernel(kernel);
  },
};

export default plugin;
`;
}

/** `src/backend.ts`: a working backend on host memory, for the vendor to move onto the device. */
export function backendTs(p: ScaffoldPlan): string {
  const storage = p.backendClass.replace(/Backend$/, 'Storage');
  return `import { HearthError, hostArray, type Backend, type BackendStats, type DType, type DeviceInfo, type DeviceStorage, type HostArray } from '@hearth/core';

/** One tensor's memory. Host memory to start with: replace \`data\` with your device's buffer handle. */
export interface ${storage} extends DeviceStorage {
  /** The elements. */
  readonly data: HostArray;
}

/**
 * The ${p.device} device. It keeps tensors in host memory so that the skeleton runs end to end; replace
 * allocate/write/read/free with your driver's calls. The conformance suite's life-cycle checks test it.
 */
export class ${p.backendClass} implements Backend {
  readonly info: DeviceInfo = { type: ${JSON.stringify(p.device)}, name: ${JSON.stringify(`${p.device} (skeleton on host memory)`)}, vendor: ${JSON.stringify(p.vendor)}, software: true };
  /** float32, int32 and bool are required; add float16 or float64 if the device stores them. */
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  readonly syncRead = false;
  #live = 0;
  #liveBytes = 0;

  allocate(dtype: DType, size: number): ${storage} {
    if (!this.dtypes.includes(dtype)) throw new HearthError('E_DTYPE', \`The ${p.device} backend does not store \${dtype}.\`);
    const data = hostArray(dtype, size);
    this.#live++;
    this.#liveBytes += data.byteLength;
    return { data, byteLength: data.byteLength };
  }

  write(storage: DeviceStorage, _dtype: DType, data: HostArray): void {
    (storage as ${storage}).data.set(data);
  }

  async read(storage: DeviceStorage, _dtype: DType, _size: number): Promise<HostArray> {
    return (storage as ${storage}).data.slice();
  }

  free(storage: DeviceStorage): void {
    this.#live--;
    this.#liveBytes -= storage.byteLength;
  }

  stats(): BackendStats {
    return { liveAllocations: this.#live, liveBytes: this.#liveBytes };
  }
}
`;
}

/** `src/kernels.ts`: the kernel list, empty, so the first conformance run lists everything missing. */
export function kernelsTs(p: ScaffoldPlan): string {
  return `import type { KernelSpec } from '@hearth/core';
import type { ${p.backendClass} } from './backend.js';

/**
 * One kernel per operator and compute dtype. Empty at first: \`npm test\` lists every (op, dtype) pair
 * still missing. A kernel looks like this (see "Write a backend plugin" in Hearth's docs):
 *
 *   { op: 'add', device: ${JSON.stringify(p.device)}, dtypes: ['float32', 'int32'], run([a, b], out) { ... } }
 */
export const KERNELS: KernelSpec<${p.backendClass}>[] = [];
`;
}

/** `tsconfig.json` for a plugin compiled to dist/ with declarations. */
export function tsconfigJson(types: string[] = []): string {
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022', 'ESNext.Disposable'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    declaration: true,
    sourceMap: true,
    rootDir: 'src',
    outDir: 'dist',
    skipLibCheck: true,
    types,
  };
  return `${JSON.stringify({ compilerOptions, include: ['src'] }, null, 2)}\n`;
}
