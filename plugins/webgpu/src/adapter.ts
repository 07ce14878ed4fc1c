import { describeError, HearthError } from '@hearth/core';

/** Which adapter the plugin took, as `hearth backends` and conformance reports print it. */
export interface AdapterDescription {
  /** The GPU or driver vendor ("" when the adapter does not say). */
  readonly vendor: string;
  /** The GPU architecture ("" when the adapter does not say). */
  readonly architecture: string;
  /** The device name the adapter reports. */
  readonly device: string;
  /** The driver's description. */
  readonly description: string;
  /** The native API under WebGPU: `vulkan`, `metal`, `d3d12`, `opengles`, or `browser` (the page's own choice). */
  readonly backend: string;
  /** True for a software rasteriser (llvmpipe, SwiftShader, WARP, lavapipe). */
  readonly software: boolean;
  /** `core` or `compatibility`. */
  readonly featureLevel: 'core' | 'compatibility';
  /** Whether float16 kernels can run (the `shader-f16` feature). */
  readonly f16: boolean;
}

/** Options of the WebGPU backend (from `createHearth({ backendOptions: { webgpu: {...} } })`). */
export interface WebGPUOptions {
  /** Use this device instead of requesting one (the caller keeps ownership of its lifetime). */
  readonly device?: GPUDevice;
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: 'low-power' | 'high-performance';
  /** Node only: skip the default adapter and take Dawn's OpenGL ES compatibility adapter. */
  readonly forceCompatibility?: boolean;
  /** Most bytes the buffer pool keeps idle (default 256 MiB). */
  readonly maxPooledBytes?: number;
  /** Dispatches batched into one command submission before it is sent (default 64). */
  readonly maxBatch?: number;
}

/** A device and what was taken to get it. */
export interface AcquiredGPU {
  /** The device. */
  readonly device: GPUDevice;
  /** The adapter it came from (undefined when the caller passed a device). */
  readonly adapter: GPUAdapter | undefined;
  /** What the adapter is. */
  readonly description: AdapterDescription;
  /** Keeps Dawn's instance alive as long as the device (Dawn loses the device when it is collected). */
  readonly instance: unknown;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|warp|microsoft basic/i;

/**
 * Describes an adapter. WebGPU does not name the native API, so it is the one the plugin asked for in Node
 * (`backend`), or `browser` when the page chose.
 */
export function describeAdapter(adapter: GPUAdapter, backend: string, featureLevel: 'core' | 'compatibility'): AdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    backend,
    software: info.isFallbackAdapter === true || SOFTWARE.test(text),
    featureLevel,
    f16: adapter.features.has('shader-f16'),
  };
}

function nativeBackend(): string {
  const p = (globalThis as { process?: { platform?: string } }).process?.platform;
  return p === 'darwin' ? 'metal' : p === 'win32' ? 'd3d12' : 'vulkan';
}

interface DawnModule {
  create(flags: string[]): GPU;
}

/** Asks for an adapter: `navigator.gpu` in browsers; in Node the default Dawn adapter, then OpenGL ES compat. */
async function requestAdapter(options: WebGPUOptions): Promise<{ adapter: GPUAdapter; backend: string; level: 'core' | 'compatibility'; instance: unknown }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  const base: GPURequestAdapterOptions = options.powerPreference ? { powerPreference: options.powerPreference } : {};
  if (nav?.gpu) {
    const a = (await nav.gpu.requestAdapter(base)) ?? (await nav.gpu.requestAdapter({ ...base, featureLevel: 'compatibility' }));
    if (!a) throw new HearthError('E_BACKEND_INIT', 'navigator.gpu gave no adapter: this browser has WebGPU but no usable GPU. Enable hardware acceleration, or use the cpu backend.');
    return { adapter: a, backend: 'browser', level: a.features.has('core-features-and-limits') ? 'core' : 'compatibility', instance: nav.gpu };
  }
  let dawn: DawnModule;
  try {
    // Only reached without navigator.gpu; browser bundles mark `webgpu` external and never get here.
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new HearthError('E_BACKEND_INIT', `No navigator.gpu and the "webgpu" package (Dawn for Node) did not load: ${describeError(e)}. Install it with \`npm install webgpu\`.`, {}, { cause: e });
  }
  if (!options.forceCompatibility) {
    const gpu = dawn.create([]);
    const a = await gpu.requestAdapter(base);
    if (a) return { adapter: a, backend: nativeBackend(), level: 'core', instance: gpu };
  }
  // Without a GPU, Dawn's OpenGL ES backend on Mesa's software rasteriser; EGL needs a display-less platform.
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  if (env && env['EGL_PLATFORM'] === undefined) env['EGL_PLATFORM'] = 'surfaceless';
  const gpu = dawn.create(['backend=opengles']);
  const a = await gpu.requestAdapter({ ...base, featureLevel: 'compatibility' });
  if (!a) {
    throw new HearthError('E_BACKEND_INIT', 'Dawn found no GPU adapter, not even the OpenGL ES software one. Install a Vulkan driver, or Mesa (libegl1, libgles2, libgl1-mesa-dri) for software rendering.');
  }
  return { adapter: a, backend: 'opengles', level: 'compatibility', instance: gpu };
}

/**
 * Gets a device with the adapter's own limits (the defaults are far lower: 128 invocations per workgroup in
 * compatibility mode) and `shader-f16` when the adapter has it.
 */
export async function acquireGPU(options: WebGPUOptions = {}): Promise<AcquiredGPU> {
  if (options.device) {
    const d = options.device;
    const description: AdapterDescription = {
      vendor: d.adapterInfo?.vendor ?? '',
      architecture: d.adapterInfo?.architecture ?? '',
      device: d.adapterInfo?.device ?? '',
      description: d.adapterInfo?.description ?? '',
      backend: 'external',
      software: SOFTWARE.test(`${d.adapterInfo?.device} ${d.adapterInfo?.description}`),
      featureLevel: 'core',
      f16: d.features.has('shader-f16'),
    };
    return { device: d, adapter: undefined, description, instance: undefined };
  }
  const { adapter, backend, level, instance } = await requestAdapter(options);
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('shader-f16') ? ['shader-f16'] : [];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (e) {
    throw new HearthError('E_BACKEND_INIT', `The WebGPU adapter refused a device: ${describeError(e)}.`, {}, { cause: e });
  }
  return { device, adapter, description: describeAdapter(adapter, backend, level), instance };
}
