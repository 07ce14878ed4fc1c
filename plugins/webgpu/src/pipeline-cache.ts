/**
 * Compute pipelines by key: (op, dtypes, shape class), e.g. `"add|float32|b3"`. The WGSL is generated only
 * on a miss, so a hit costs one Map lookup.
 */
export class PipelineCache {
  readonly #pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline for `key`, compiling `source()` on first use. */
  get(key: string, source: () => string): GPUComputePipeline {
    let p = this.#pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: source(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.#pipelines.set(key, p);
    }
    return p;
  }

  /** The keys compiled so far. */
  keys(): string[] {
    return [...this.#pipelines.keys()];
  }

  /** How many pipelines are compiled. */
  get size(): number {
    return this.#pipelines.size;
  }
}
