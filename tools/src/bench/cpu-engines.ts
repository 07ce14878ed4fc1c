import { createHearth, type BackendOptions, type HearthPlugin, type Tensor } from '@hearth/core';
import type { Work } from './cpu-work.js';
import { onnxModel, type OnnxAttr } from './onnx-model.js';

/** One op of one row, ready to run: `run` does it once (the result is complete when it returns). */
export interface Prepared {
  /** Makes this engine current before it is timed (tfjs has one active backend at a time). */
  activate?(): Promise<void>;
  run(): void | Promise<void>;
  /** Runs once more and returns the output, NCHW / row-major, for the reference check. */
  result(): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

/** A library the benchmark times. */
export interface Engine {
  readonly name: string;
  /** What it ran on, e.g. the thread count. */
  readonly detail?: string;
  prepare(work: Work): Promise<Prepared>;
  dispose(): Promise<void>;
}

/** Hearth on one backend. */
export async function hearthEngine(name: string, plugin: HearthPlugin, backend: string, options: BackendOptions = {}): Promise<Engine> {
  const h = createHearth({ plugins: [plugin], backends: [backend], backendOptions: { [backend]: options } });
  const report = await h.ready();
  return {
    name,
    detail: `${String(report.devices[0]!.info['threads'] ?? 1)} thread(s)`,
    async prepare(work) {
      const inputs = work.inputs.map((d, i) => h.tensor(d, { shape: work.shapes[i] }));
      const [a, b] = inputs as [Tensor, Tensor];
      const call =
        work.op === 'add' ? () => h.add(a, b) : work.op === 'matmul' ? () => h.matmul(a, b) : work.op === 'sum' ? () => h.sum(a) : work.op === 'softmax' ? () => h.softmax(a, -1) : () => h.op('conv2d', [a, b], { padding: 1 });
      return {
        run: () => call().dispose(),
        async result() {
          const t = call();
          const d = (await t.data()) as Float32Array;
          t.dispose();
          return d;
        },
        dispose: () => inputs.forEach((t) => t.dispose()),
      };
    },
    dispose: () => h.dispose(),
  };
}

type Tf = typeof import('@tensorflow/tfjs-core');

/** NCHW / OIHW data to tfjs's NHWC / HWIO, and NHWC results back. */
function permute(d: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(d.length);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((p) => shape[p]!);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < d.length; o++) {
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += idx[k]! * strides[perm[k]!]!;
    out[o] = d[src]!;
    for (let k = perm.length - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** TensorFlow.js on one of its backends (`cpu` or `wasm`). */
export async function tfjsEngine(name: string, backend: 'cpu' | 'wasm'): Promise<Engine> {
  const tf: Tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-wasm');
  return {
    name,
    async prepare(work) {
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
      const conv = work.op === 'conv2d';
      const inputs = work.inputs.map((d, i) => {
        const s = work.shapes[i]!;
        if (!conv) return tf.tensor(d, [...s]);
        return i === 0 ? tf.tensor4d(permute(d, s, [0, 2, 3, 1]), [s[0]!, s[2]!, s[3]!, s[1]!]) : tf.tensor4d(permute(d, s, [2, 3, 1, 0]), [s[2]!, s[3]!, s[1]!, s[0]!]);
      });
      const [a, b] = inputs as [import('@tensorflow/tfjs-core').Tensor, import('@tensorflow/tfjs-core').Tensor];
      const call =
        work.op === 'add'
          ? () => tf.add(a, b)
          : work.op === 'matmul'
            ? () => tf.matMul(a as import('@tensorflow/tfjs-core').Tensor2D, b as import('@tensorflow/tfjs-core').Tensor2D)
            : work.op === 'sum'
              ? () => tf.sum(a)
              : work.op === 'softmax'
                ? () => tf.softmax(a)
                : () => tf.conv2d(a as import('@tensorflow/tfjs-core').Tensor4D, b as import('@tensorflow/tfjs-core').Tensor4D, 1, 'same');
      return {
        async activate() {
          await tf.setBackend(backend);
        },
        // Both backends compute eagerly inside the call; dataSync() is not needed to finish the work.
        run: () => call().dispose(),
        async result() {
          await tf.setBackend(backend);
          const t = call();
          const d = t.dataSync() as Float32Array;
          const s = t.shape;
          t.dispose();
          return conv ? permute(d, s, [0, 3, 1, 2]) : d;
        },
        dispose: () => inputs.forEach((t) => t.dispose()),
      };
    },
    dispose: async () => undefined,
  };
}

const ONNX: Record<Work['op'], [string, Readonly<Record<string, OnnxAttr>>]> = {
  add: ['Add', {}],
  matmul: ['MatMul', {}],
  sum: ['ReduceSum', { keepdims: 0 }],
  softmax: ['Softmax', { axis: -1 }],
  conv2d: ['Conv', { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }],
};

/**
 * onnxruntime-node (native, no spin-waiting), one single-node model per row: `threads` intra-op threads, or
 * its default (the machine's cores).
 */
export async function onnxEngine(name: string, threads?: number): Promise<Engine> {
  const ort = (await import('onnxruntime-node')).default;
  return {
    name,
    async prepare(work) {
      const [opType, attrs] = ONNX[work.op];
      const s = work.shapes;
      const outShape = work.op === 'sum' ? [] : work.op === 'matmul' ? [s[0]![0]!, s[1]![1]!] : work.op === 'conv2d' ? [1, s[1]![0]!, s[0]![2]!, s[0]![3]!] : s[0]!;
      // No spin-waiting between runs: its threads would otherwise burn the cores the next engine is timed on.
      const session = await ort.InferenceSession.create(onnxModel(opType, s, outShape, attrs), {
        ...(threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: 1 }),
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      const feeds = Object.fromEntries(work.inputs.map((d, i) => [`x${i}`, new ort.Tensor('float32', d, [...s[i]!])]));
      return {
        async run() {
          await session.run(feeds);
        },
        async result() {
          return (await session.run(feeds))['y']!.data as Float32Array;
        },
        dispose: () => session.release(),
      };
    },
    dispose: async () => undefined,
  };
}
