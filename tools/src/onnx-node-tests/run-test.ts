import { HearthError, type Hearth, type Tensor } from '@hearth/core';
import { loadOnnx, type OnnxModel, type OnnxTensor } from '@hearth/onnx';
import { compareTensor, deviceDtypeOf } from './compare.js';
import type { NodeTestDataSet } from './data.js';

/**
 * How a mapped node test went on one device: `passed` when every output of every data set agreed with ONNX's;
 * `unstored` when its inputs or outputs have a dtype the device does not store (float16 and float64 are
 * optional capabilities of a backend), so it was not run there; `failed` otherwise.
 */
export interface NodeTestOutcome {
  readonly status: 'passed' | 'failed' | 'unstored';
  /** What went wrong (the first data set and output that differed, or the error), or the dtype not stored. */
  readonly detail?: string;
  /** Kernels that ran on the runtime's fallback device instead of this one. */
  readonly fallbacks: number;
}

/** A feed as the model takes it: int64 narrowed to int32, as @hearth/onnx holds it on devices. */
function feed(h: Hearth, t: OnnxTensor, device: string): Tensor {
  return h.tensor(t.data, { dtype: deviceDtypeOf(t.type), shape: t.shape, device });
}

/** Runs one data set; what differs, or undefined. */
async function runDataSet(h: Hearth, model: OnnxModel, set: NodeTestDataSet): Promise<string | undefined> {
  const names = model.inputs.map((i) => i.name);
  if (set.inputs.length !== names.length) return `the data set has ${set.inputs.length} inputs, the model ${names.length}`;
  // ONNX names each .pb after its graph input; the order is the graph's.
  const feeds: Record<string, Tensor> = {};
  let outputs: Record<string, Tensor> = {};
  try {
    set.inputs.forEach((t, i) => (feeds[names.includes(t.name) ? t.name : names[i]!] = feed(h, t, model.device)));
    outputs = await model.run(feeds);
    for (const [i, spec] of model.outputs.entries()) {
      const t = outputs[spec.name]!;
      const differs = compareTensor({ dtype: t.dtype, shape: t.shape, data: (await t.data()) as ArrayLike<number> }, set.outputs[i]!);
      if (differs) return `output "${spec.name}": ${differs}`;
    }
    return undefined;
  } finally {
    for (const t of [...Object.values(feeds), ...Object.values(outputs)]) t.dispose();
  }
}

/**
 * Runs a mapped node test on `device` of `h` (loaded with `loadOnnx`, fed each data set's inputs) and
 * compares every output with ONNX's expected one ({@link compareTensor}). An error while loading or running is
 * a failure with its message and code, not a throw.
 */
export async function runNodeTest(h: Hearth, device: string, model: Uint8Array, dataSets: readonly NodeTestDataSet[]): Promise<NodeTestOutcome> {
  const stores = h.devices().find((d) => d.name === device)?.dtypes ?? [];
  let fallbacks = 0;
  const off = h.on('fallback', () => fallbacks++);
  let loaded: OnnxModel | undefined;
  try {
    loaded = await loadOnnx(model, { hearth: h, device });
    const unstored = [...new Set([...loaded.inputs, ...loaded.outputs].map((v) => deviceDtypeOf(v.type)).filter((d) => !stores.includes(d)))];
    if (unstored.length) return { status: 'unstored', detail: `${device} stores no ${unstored.join(', ')}`, fallbacks };
    for (const [i, set] of dataSets.entries()) {
      const differs = await runDataSet(h, loaded, set);
      if (differs) return { status: 'failed', detail: `data set ${i}: ${differs}`, fallbacks };
    }
    return { status: 'passed', fallbacks };
  } catch (e) {
    const code = e instanceof HearthError ? ` [${e.code}]` : '';
    return { status: 'failed', detail: `${(e as Error).message}${code}`, fallbacks };
  } finally {
    loaded?.dispose();
    off();
  }
}
