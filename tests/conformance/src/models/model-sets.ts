/**
 * Model sets: the reference models a model profile runs whole on a device. Each model ships in `models/`
 * beside its reference file: inputs drawn once and the outputs onnxruntime-node computed on them
 * (`scripts/make-model-references.mjs`), so a plugin is never compared with itself or with another Hearth
 * backend. A model profile is named after the Hearth opset its models need and the set: a new model or
 * a new reference makes a new set, never a changed one.
 */
export interface ModelSet {
  /** The set's name, e.g. `set1`. */
  readonly name: string;
  /** The Hearth opset the models need (their ops map to it). */
  readonly opset: number;
  /** The tolerance of every output element: |hearth - onnxruntime| <= atol + rtol * |onnxruntime|. */
  readonly tolerance: { readonly atol: number; readonly rtol: number };
  /** The models, each with what it exercises. */
  readonly models: readonly { readonly name: string; readonly covers: string }[];
}

/**
 * Tolerance: both runtimes compute in float32 but sum in different orders (convolutions, matmuls, softmax,
 * layer norms), and Hearth runs exact GELU where onnxruntime composes it from Erf: a few float32 ULP per op
 * grow over ~40 ops to about 1e-5 relative. The bound leaves room for that and nothing more; a wrong axis,
 * convention or kernel is off by O(1).
 */
export const MODEL_SETS: readonly ModelSet[] = [
  {
    name: 'set1',
    opset: 2,
    tolerance: { atol: 1e-4, rtol: 1e-3 },
    models: [
      { name: 'resnet', covers: 'a ResNet-style CNN: Conv with BatchNormalization folded or not, Relu, residual Add, pooling, Gemm' },
      { name: 'transformer', covers: 'a transformer encoder block: MatMul, LayerNormalization, Softmax attention, erf-GELU' },
      { name: 'conventions-opset13', covers: "ONNX opset 13's input conventions: Reduce axes as inputs, Softmax axis, Slice, Pad and Clip inputs" },
    ],
  },
];

/** The name of the model profile of a set: `models-opset<N>-<set>`. */
export function modelProfileName(set: ModelSet): string {
  return `models-opset${set.opset}-${set.name}`;
}

/** A model set by name; throws for an unknown one (a profile names only sets of this suite). */
export function getModelSet(name: string): ModelSet {
  const set = MODEL_SETS.find((s) => s.name === name);
  if (!set) throw new Error(`conformance: no model set "${name}"`);
  return set;
}
