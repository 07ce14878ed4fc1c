import type { Graph, GraphNode } from '../graph.js';
import { hostEvaluable } from './host.js';

/**
 * The inputs each op needs as numbers before it runs (a shape, axes, pads, sizes), by ONNX opset: these must
 * be constants or shape computations, which Hearth evaluates on the host.
 */
const STATIC_INPUTS: Readonly<Record<string, (opset: number) => readonly number[]>> = {
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
};

/**
 * For each node, the inputs it needs before it runs that the graph computes on a device (so Hearth cannot
 * know them in time), found at load: a value is known on the host when it is a constant, or made by Shape or
 * Size, or by an op Hearth evaluates on the host from values known there.
 */
export function deviceOnlyStaticInputs(graph: Graph): Map<GraphNode, string[]> {
  const known = new Set(graph.constants.keys());
  const found = new Map<GraphNode, string[]>();
  for (const n of graph.nodes) {
    const needs = STATIC_INPUTS[n.opType]?.(graph.opset) ?? [];
    const missing = needs.map((i) => n.inputs[i] ?? '').filter((v) => v !== '' && !known.has(v));
    if (missing.length && (n.domain === '' || n.domain === 'ai.onnx')) found.set(n, missing);
    const onHost = n.opType === 'Shape' || n.opType === 'Size' || (hostEvaluable(n.opType) && n.inputs.every((v) => v === '' || known.has(v)));
    if (onHost) for (const o of n.outputs) if (o) known.add(o);
  }
  return found;
}
