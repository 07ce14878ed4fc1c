import type { Graph, GraphNode } from '../graph.js';
import { hostEvaluable } from './host.js';

/**
 * The inputs each op needs as numbers before it runs (a shape, axes, pads, sizes), by ONNX opset: these must
 * be constants or shape computations, which Hearth evaluates on the host.
 */
const STATIC_INPUTS: Readonly<Record<string, (opset: number, node: GraphNode) => readonly number[]>> = {
  Reshape: () => [1],
  Expand: () => [1],
  Tile: () => [1],
  ConstantOfShape: () => [0],
  Range: () => [0, 1, 2],
  Slice: (v) => (v >= 10 ? [1, 2, 3, 4] : []),
  Pad: (v) => (v >= 11 ? [1, 2, 3] : []),
  Squeeze: (v) => (v >= 13 ? [1] : []),
  Unsqueeze: (v) => (v >= 13 ? [1] : []),
  Split: (v) => (v >= 13 ? [1] : []),
  ReduceSum: (v) => (v >= 13 ? [1] : []),
  ...Object.fromEntries(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp'].map((op) => [op, (v: number) => (v >= 18 ? [1] : [])])),
  TopK: (v) => (v >= 10 ? [1] : []),
  CumSum: () => [1],
  Resize: (v) => (v >= 11 ? [2, 3] : [1]),
  Upsample: (v) => (v >= 9 ? [1] : []),
  Dropout: (v) => (v >= 12 ? [1, 2] : []),
  Trilu: () => [1],
  // The zero point's type is the output's: known from the constant, or set at load as output_dtype.
  QuantizeLinear: (_v, node) => (node.attrs.has('output_dtype') ? [] : [2]),
  OneHot: () => [1],
  If: () => [0],
  Loop: () => [0, 1],
  DFT: (v) => (v >= 20 ? [1, 2] : [1]),
  STFT: () => [1, 3],
  HannWindow: () => [0],
  HammingWindow: () => [0],
  BlackmanWindow: () => [0],
  MelWeightMatrix: () => [0, 1, 2, 3, 4],
};

/** Only the shape of these ops' input is read: the values behind it are not needed on the host. */
const SHAPE_ONLY = new Set(['Shape', 'Size']);

/**
 * The graph inputs whose values some node needs before it runs, directly (a Reshape's shape given at run
 * time) or through nodes Hearth evaluates on the host (a Concat of them): the model reads these feeds back to
 * the host at each run, so what they set resolves per run.
 */
export function hostGraphInputs(graph: Graph): Set<string> {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (v: string | undefined): void => {
    if (!v || seen.has(v)) return;
    seen.add(v);
    if (inputs.has(v)) found.add(v);
    const p = producer.get(v);
    if (p && hostEvaluable(p.opType) && !SHAPE_ONLY.has(p.opType)) p.inputs.forEach(visit);
  };
  for (const n of graph.nodes) for (const i of STATIC_INPUTS[n.opType]?.(graph.opset, n) ?? []) visit(n.inputs[i]);
  return found;
}

/**
 * For each node, the inputs it needs before it runs that the graph computes on a device (so Hearth cannot
 * know them in time), found at load: a value is known on the host when it is a constant, a graph input read
 * back per run ({@link hostGraphInputs}), or made by Shape or Size, or by an op Hearth evaluates on the host
 * from values known there.
 */
export function deviceOnlyStaticInputs(graph: Graph): Map<GraphNode, string[]> {
  const known = new Set([...graph.constants.keys(), ...hostGraphInputs(graph)]);
  const found = new Map<GraphNode, string[]>();
  for (const n of graph.nodes) {
    const needs = STATIC_INPUTS[n.opType]?.(graph.opset, n) ?? [];
    const missing = needs.map((i) => n.inputs[i] ?? '').filter((v) => v !== '' && !known.has(v));
    if (missing.length && (n.domain === '' || n.domain === 'ai.onnx')) found.set(n, missing);
    const onHost = SHAPE_ONLY.has(n.opType) || (hostEvaluable(n.opType) && n.inputs.every((v) => v === '' || known.has(v)));
    if (onHost) for (const o of n.outputs) if (o) known.add(o);
  }
  return found;
}
