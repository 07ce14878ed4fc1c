import { HearthError, type Backend, type BackendStats, type DType, type DeviceInfo, type DeviceStorage, type HostArray } from '@hearth/core';
import { acquireGPU, type AdapterDescription, type AcquiredGPU, type WebGPUOptions } from './adapter.js';
import { BufferPool, USAGE } from './buffer-pool.js';
import { PipelineCache } from './pipeline-cache.js';
import { deviceLostError, gpuError } from './gpu-errors.js';
import { fromGpuBytes, storageBytes, toGpuBytes } from './dtypes.js';
import { PARAM_WORDS } from './wgsl/common.js';

/** A tensor's GPU storage: a pooled storage buffer of `bucket` bytes. */
export interface WebGPUStorage extends DeviceStorage {
  /** The buffer (shared with no other live tensor). */
  readonly buffer: GPUBuffer;
  /** The pool bucket it came from (its size in bytes). */
  readonly bucket: number;
}

/** The backend's counters: the core's, plus batching and pipeline-cache figures. */
export interface WebGPUStats extends BackendStats {
  /** Command submissions so far (one per flushed batch). */
  readonly submits: number;
  /** Compiled pipelines in the cache. */
  readonly pipelines: number;
}

const SCOPES: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];
const STAGING_FLUSH_BYTES = 64 * 1024 * 1024;

/**
 * A WebGPU device as a Hearth backend. Kernels encode compute passes into one command encoder; `flush()`
 * submits it (the core flushes before every read, and the batch is sent early once `maxBatch` dispatches
 * wait). Kernel parameters go to one uniform arena written just before each submit. Every device call runs
 * inside open error scopes, so a GPU error reaches the next `read()` as a HearthError, never a hang.
 */
export class WebGPUBackend implements Backend {
  readonly info: DeviceInfo;
  readonly dtypes: readonly DType[];
  readonly syncRead = false;
  /** The GPU device. */
  readonly device: GPUDevice;
  /** The device's limits (the adapter's own, requested explicitly). */
  readonly limits: GPUSupportedLimits;
  /** Which adapter was taken. */
  readonly adapter: AdapterDescription;
  /** Compiled pipelines. */
  readonly pipelines: PipelineCache;
  /** Idle storage buffers for reuse. */
  readonly pool: BufferPool;
  readonly #owned: boolean;
  readonly #instance: unknown;
  readonly #maxBatch: number;
  readonly #slotBytes: number;
  readonly #params: Uint32Array;
  readonly #paramBuffer: GPUBuffer;
  #encoder: GPUCommandEncoder | undefined;
  #slots = 0;
  #staging: GPUBuffer[] = [];
  #stagingBytes = 0;
  #scopeResults: Promise<GPUError | null>[] = [];
  #lost: GPUDeviceLostInfo | undefined;
  #disposed = false;
  #live = 0;
  #liveBytes = 0;
  #submits = 0;

  /** Requests a device (see {@link acquireGPU}) and wraps it. */
  static async create(options: WebGPUOptions = {}): Promise<WebGPUBackend> {
    return new WebGPUBackend(await acquireGPU(options), options);
  }

  constructor(gpu: AcquiredGPU, options: WebGPUOptions = {}) {
    this.device = gpu.device;
    this.#owned = gpu.adapter !== undefined;
    this.#instance = gpu.instance;
    this.adapter = gpu.description;
    this.limits = gpu.device.limits;
    this.dtypes = gpu.description.f16 ? ['float32', 'int32', 'bool', 'float16'] : ['float32', 'int32', 'bool'];
    const d = gpu.description;
    this.info = {
      type: 'webgpu',
      name: d.device || d.description || 'WebGPU adapter',
      vendor: d.vendor || 'unknown',
      software: d.software,
      architecture: d.architecture,
      backend: d.backend,
      description: d.description,
      featureLevel: d.featureLevel,
      f16: d.f16,
      maxStorageBufferBindingSize: this.limits.maxStorageBufferBindingSize,
      maxBufferSize: this.limits.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: this.limits.maxComputeInvocationsPerWorkgroup,
    };
    this.pipelines = new PipelineCache(this.device);
    this.pool = new BufferPool(this.device, options.maxPooledBytes ?? 256 * 1024 * 1024);
    this.#maxBatch = options.maxBatch ?? 64;
    this.#slotBytes = Math.max(PARAM_WORDS * 4, this.limits.minUniformBufferOffsetAlignment);
    this.#params = new Uint32Array((this.#maxBatch * this.#slotBytes) / 4);
    for (const f of SCOPES) this.device.pushErrorScope(f);
    this.#paramBuffer = this.device.createBuffer({ size: this.#params.byteLength, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    void this.device.lost.then((info) => {
      this.#lost = info;
    });
  }

  /** Throws `E_DEVICE_LOST` once the device is gone. */
  assertUsable(): void {
    if (this.#lost || this.#disposed) throw deviceLostError(this.#lost ?? { reason: 'destroyed', message: 'the backend was disposed' });
  }

  allocate(dtype: DType, size: number): WebGPUStorage {
    this.assertUsable();
    if (!this.dtypes.includes(dtype)) {
      throw new HearthError('E_DTYPE', `webgpu does not store ${dtype}; it has ${this.dtypes.join(', ')}. Cast to one of them first.`, { dtype });
    }
    const bytes = storageBytes(dtype, size);
    const maxBinding = this.limits.maxStorageBufferBindingSize;
    const maxBuffer = this.limits.maxBufferSize;
    if (bytes > maxBinding || bytes > maxBuffer) {
      const [limit, value] = bytes > maxBinding ? ['maxStorageBufferBindingSize', maxBinding] : ['maxBufferSize', maxBuffer];
      throw new HearthError(
        'E_OUT_OF_MEMORY',
        `webgpu: ${size} x ${dtype} needs ${bytes} bytes, over this adapter's ${limit} of ${value} bytes. Split the tensor into smaller ones.`,
        { size, dtype, bytes, limit, value },
      );
    }
    // Clamped to the limits (rounded down to whole words): near the limit a bucket's slack would not fit.
    const maxBytes = Math.min(maxBinding, maxBuffer);
    const bucket = Math.min(BufferPool.bucket(bytes), maxBytes - (maxBytes % 4));
    const buffer = this.pool.acquire(bucket);
    this.#live++;
    this.#liveBytes += bytes;
    return { buffer, bucket, byteLength: bytes };
  }

  write(storage: DeviceStorage, dtype: DType, data: HostArray): void {
    this.upload(storage as WebGPUStorage, toGpuBytes(dtype, data));
  }

  /** Copies host bytes into storage, in order with the encoded kernels (through a staging buffer). */
  upload(storage: WebGPUStorage, bytes: Uint8Array): void {
    this.assertUsable();
    const n = Math.ceil(bytes.byteLength / 4) * 4;
    if (n === 0) return;
    const staging = this.device.createBuffer({ size: n, usage: USAGE.COPY_SRC | USAGE.MAP_WRITE, mappedAtCreation: true });
    new Uint8Array(staging.getMappedRange()).set(bytes);
    staging.unmap();
    this.encoder().copyBufferToBuffer(staging, 0, storage.buffer, 0, n);
    this.#staging.push(staging);
    this.#stagingBytes += n;
    if (this.#stagingBytes > STAGING_FLUSH_BYTES) this.flush();
  }

  /** Encodes a buffer-to-buffer copy of `bytes` (a multiple of 4). */
  copy(src: WebGPUStorage, dst: WebGPUStorage, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.assertUsable();
    if (bytes > 0) this.encoder().copyBufferToBuffer(src.buffer, srcOffset, dst.buffer, dstOffset, bytes);
  }

  async read(storage: DeviceStorage, dtype: DType, size: number): Promise<HostArray> {
    this.assertUsable();
    const s = storage as WebGPUStorage;
    const bytes = storageBytes(dtype, size);
    let staging: GPUBuffer | undefined;
    if (bytes > 0) {
      staging = this.device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
      this.encoder().copyBufferToBuffer(s.buffer, 0, staging, 0, bytes);
    }
    this.flush();
    const errors = this.#scopeResults;
    this.#scopeResults = [];
    try {
      const lost = this.device.lost.then((info) => {
        throw deviceLostError(info);
      });
      lost.catch(() => undefined); // observed through the races below; never unhandled
      if (staging) await Promise.race([staging.mapAsync(1), lost]);
      for (const e of await Promise.race([Promise.all(errors), lost])) if (e) throw gpuError(e);
      return fromGpuBytes(dtype, staging ? staging.getMappedRange().slice(0) : new ArrayBuffer(0), size);
    } catch (e) {
      if (e instanceof HearthError) throw e;
      if (this.#lost) throw deviceLostError(this.#lost);
      throw new HearthError('E_DEVICE', `webgpu: reading back failed: ${(e as Error)?.message ?? e}.`, {}, { cause: e });
    } finally {
      staging?.destroy();
    }
  }

  free(storage: DeviceStorage): void {
    const s = storage as WebGPUStorage;
    this.#live--;
    this.#liveBytes -= s.byteLength;
    if (this.#disposed || this.#lost) return;
    this.pool.release(s.buffer, s.bucket);
  }

  /** The current command encoder, begun on first use after a submit. */
  encoder(): GPUCommandEncoder {
    return (this.#encoder ??= this.device.createCommandEncoder());
  }

  /**
   * Encodes one compute dispatch: `buffers` bind to 0..n-1 in order, the parameter words to binding n.
   * Sends the batch first when it is full.
   */
  dispatch(pipeline: GPUComputePipeline, buffers: readonly WebGPUStorage[], params: ArrayLike<number>, groups: readonly [number, number, number]): void {
    this.assertUsable();
    if (groups[0] * groups[1] * groups[2] === 0) return;
    if (this.#slots >= this.#maxBatch) this.flush();
    const offset = this.#slots * this.#slotBytes;
    this.#params.set(params, offset / 4);
    const entries: GPUBindGroupEntry[] = buffers.map((b, i) => ({ binding: i, resource: { buffer: b.buffer } }));
    entries.push({ binding: buffers.length, resource: { buffer: this.#paramBuffer, offset, size: PARAM_WORDS * 4 } });
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.encoder().beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    pass.end();
    this.#slots++;
  }

  flush(): void {
    if (!this.#encoder || this.#disposed || this.#lost) return;
    if (this.#slots > 0) this.device.queue.writeBuffer(this.#paramBuffer, 0, this.#params.buffer, 0, this.#slots * this.#slotBytes);
    this.device.queue.submit([this.#encoder.finish()]);
    this.#submits++;
    this.#encoder = undefined;
    this.#slots = 0;
    // Destroying after submit is deferred by WebGPU until the submitted copies have run.
    for (const b of this.#staging) b.destroy();
    this.#staging = [];
    this.#stagingBytes = 0;
    // Close this batch's error scopes (innermost first) and open the next ones.
    for (let i = SCOPES.length - 1; i >= 0; i--) this.#scopeResults.push(this.device.popErrorScope().catch(() => null));
    for (const f of SCOPES) this.device.pushErrorScope(f);
  }

  stats(): WebGPUStats {
    return { liveAllocations: this.#live, liveBytes: this.#liveBytes, pooledBytes: this.pool.pooledBytes, submits: this.#submits, pipelines: this.pipelines.size };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.flush();
    // Let submitted work drain first: destroying a device under running work can crash Dawn at exit.
    if (!this.#lost) await Promise.race([this.device.queue.onSubmittedWorkDone(), this.device.lost]).catch(() => undefined);
    this.#disposed = true;
    this.pool.clear();
    this.#paramBuffer.destroy();
    if (this.#owned) this.device.destroy();
    // Read once so the compiler keeps the field whose only job is to hold Dawn's instance until here.
    void this.#instance;
  }
}
