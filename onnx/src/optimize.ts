import { sizeOf } from '@hearth/core';
import type { Graph, GraphNode } from './graph.js';
import { constantOf, evalOnHost } from './ops/index.js';
import { hasOp } from './ops/elementwise.js';
import { FUSED_DOMAIN } from './fuse.js';
import { hostValue, type HostValue } from './values.js';

/** The graph optimisations, each optional (all on by default). Each gives the same results on or off. */
export interface OptimizeOptions {
  /** Evaluate, once at load, the nodes whose inputs are all constants (on the host). */
  readonly constantFolding?: boolean;
  /** Drop nodes no graph output depends on. */
  readonly deadNodes?: boolean;
  /** Fold an inference BatchNormalization into the Conv before it (its weights and bias rescaled). */
  readonly foldBatchNorm?: boolean;
  /**
   * Hand patterns with a Hearth op of their own to that op: PyTorch's erf-GELU to `gelu`, MatMul + bias to
   * `linear`, a layer norm written out in ReduceMean, Sub, Pow, Sqrt and Div to `layer_norm` and a hard swish
   * written out as x * Clip(x + 3, 0, 6) / 6 to `hard_swish` (opset v2).
   */
  readonly fuse?: boolean;
}

/** What the optimiser did, by pass. */
export interface OptimizeReport {
  readonly constantsFolded: number;
  readonly deadNodesRemoved: number;
  readonly batchNormsFolded: number;
  readonly fused: number;
}

type Mutable = { nodes: GraphNode[]; constants: Map<string, HostValue> };

/** Constant nodes become constants: they are data, not work. */
export function readConstants(graph: Graph): Graph {
  const constants = new Map(graph.constants);
  const nodes = graph.nodes.filter((n) => {
    const value = constantOf(n);
    if (value) constants.set(n.outputs[0]!, value);
    return !value;
  });
  return { ...graph, nodes, constants };
}

/** Runs the passes `options` turn on, in an order where each helps the next. */
export function optimize(graph: Graph, options: OptimizeOptions = {}): { graph: Graph; report: OptimizeReport } {
  const g: Mutable = { nodes: [...graph.nodes], constants: new Map(graph.constants) };
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const report = { constantsFolded: 0, deadNodesRemoved: 0, batchNormsFolded: 0, fused: 0 };
  if (options.constantFolding ?? true) report.constantsFolded = foldConstants(g, graph.opset, outputs, staticShapes(graph)) + transposeGemmWeights(g);
  if (options.foldBatchNorm ?? true) report.batchNormsFolded = foldBatchNorm(g, outputs);
  if (options.fuse ?? true) report.fused = fuseGelu(g, outputs) + fuseHardSwish(g, outputs) + fuseLinear(g, outputs) + fuseLayerNorm(g, outputs);
  if (options.deadNodes ?? true) report.deadNodesRemoved = removeDead(g, outputs);
  return { graph: { ...graph, nodes: g.nodes, constants: g.constants }, report };
}

/** The graph inputs whose declared shape has no symbolic dimension: what Shape and Size of them give is known at load. */
function staticShapes(graph: Graph): Map<string, HostValue> {
  const known = new Map<string, HostValue>();
  for (const i of graph.inputs) {
    if (i.shape && i.shape.every((d) => typeof d === 'number' && d > 0)) known.set(i.name, { kind: 'host', type: i.type, shape: i.shape as number[], data: new Float32Array(0) });
  }
  return known;
}

/**
 * Evaluates once, at load, every node whose inputs are constants, and Shape/Size of inputs whose shape is
 * static; what depends on a symbolic dimension stays in the graph and is evaluated per run.
 */
function foldConstants(g: Mutable, opset: number, outputs: Set<string>, shapes: Map<string, HostValue>): number {
  let folded = 0;
  const shapeOnly = (n: GraphNode) => (n.opType === 'Shape' || n.opType === 'Size') && shapes.has(n.inputs[0]!);
  g.nodes = g.nodes.filter((n) => {
    if (!(shapeOnly(n) || n.inputs.every((i) => i === '' || g.constants.has(i))) || n.outputs.some((o) => outputs.has(o))) return true;
    const values = evalOnHost(n, n.inputs.map((i) => (i === '' ? undefined : (g.constants.get(i) ?? shapes.get(i)))), opset, true);
    if (!values) return true;
    n.outputs.forEach((o, i) => values[i] && g.constants.set(o, values[i]));
    folded++;
    return false;
  });
  return folded;
}

/**
 * Gemm with a constant B and transB = 1 (how PyTorch exports nn.Linear) gets B transposed once, here, instead
 * of at every run.
 */
function transposeGemmWeights(g: Mutable): number {
  let folded = 0;
  g.nodes = g.nodes.map((n) => {
    const b = g.constants.get(n.inputs[1] ?? '');
    if (n.opType !== 'Gemm' || n.domain !== '' || !n.attrs.get('transB') || !b || b.shape.length !== 2) return n;
    const [rows, cols] = b.shape as [number, number];
    const name = `${n.inputs[1]}/transposed`;
    if (!g.constants.has(name)) g.constants.set(name, hostValue(b.type, [cols, rows], Array.from({ length: rows * cols }, (_, i) => b.data[(i % rows) * cols + Math.floor(i / rows)]!)));
    const attrs = new Map(n.attrs);
    attrs.delete('transB');
    folded++;
    return { ...n, inputs: [n.inputs[0]!, name, ...n.inputs.slice(2)], attrs };
  });
  return folded;
}

function consumers(g: Mutable): Map<string, GraphNode[]> {
  const by = new Map<string, GraphNode[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) by.set(i, [...(by.get(i) ?? []), n]);
  return by;
}

/** The one node reading `value`, when exactly one does and it is not a graph output. */
function onlyConsumer(by: Map<string, GraphNode[]>, value: string, outputs: Set<string>): GraphNode | undefined {
  const c = by.get(value);
  return c && c.length === 1 && !outputs.has(value) ? c[0] : undefined;
}

/** Conv -> BatchNormalization with constant weights: W' = W * k, B' = (B - mean) * k + beta, k = scale / sqrt(var + eps). */
function foldBatchNorm(g: Mutable, outputs: Set<string>): number {
  const by = consumers(g);
  let folded = 0;
  for (const conv of [...g.nodes]) {
    if (conv.opType !== 'Conv' || conv.domain !== '') continue;
    const bn = onlyConsumer(by, conv.outputs[0]!, outputs);
    if (!bn || bn.opType !== 'BatchNormalization' || bn.outputs.filter(Boolean).length !== 1 || bn.attrs.get('training_mode')) continue;
    const [w, b] = [g.constants.get(conv.inputs[1]!), conv.inputs[2] ? g.constants.get(conv.inputs[2]) : undefined];
    const params = bn.inputs.slice(1, 5).map((i) => g.constants.get(i));
    if (!w || (conv.inputs[2] && !b) || params.some((p) => !p)) continue;
    const [scale, beta, mean, variance] = params as HostValue[];
    const eps = (bn.attrs.get('epsilon') as number | undefined) ?? 1e-5;
    const cout = w.shape[0]!;
    const per = sizeOf(w.shape) / cout;
    const k = Array.from({ length: cout }, (_, o) => scale!.data[o]! / Math.sqrt(variance!.data[o]! + eps));
    const w2 = hostValue(w.type, w.shape, Array.from(w.data, (v, i) => v * k[Math.floor(i / per)]!));
    const b2 = hostValue(w.type, [cout], k.map((ko, o) => ((b?.data[o] ?? 0) - mean!.data[o]!) * ko + beta!.data[o]!));
    const [wName, bName] = [`${conv.name}/bn_folded_weight`, `${conv.name}/bn_folded_bias`];
    g.constants.set(wName, w2);
    g.constants.set(bName, b2);
    const fusedConv: GraphNode = { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!] };
    g.nodes = g.nodes.filter((n) => n !== bn).map((n) => (n === conv ? fusedConv : n));
    folded++;
  }
  return folded;
}

/** True when `name` is a constant scalar within float32 rounding of `v`. */
function isScalar(g: Mutable, name: string | undefined, v: number): boolean {
  const c = name === undefined ? undefined : g.constants.get(name);
  return !!c && c.data.length === 1 && Math.abs(c.data[0]! - v) <= 1e-6 * Math.abs(v);
}

/** The other input of a binary node, when one of its inputs is `value`. */
const other = (n: GraphNode, value: string) => (n.inputs[0] === value ? n.inputs[1] : n.inputs[1] === value ? n.inputs[0] : undefined);

/**
 * PyTorch's exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)) (the 0.5 on either side), becomes one Hearth `gelu`.
 */
function fuseGelu(g: Mutable, outputs: Set<string>): number {
  let fused = 0;
  for (const scaleNode of [...g.nodes]) {
    if (!g.nodes.includes(scaleNode)) continue;
    const by = consumers(g);
    const isDiv = scaleNode.opType === 'Div' && isScalar(g, scaleNode.inputs[1], Math.SQRT2);
    const isMul = scaleNode.opType === 'Mul' && isScalar(g, scaleNode.inputs[1], Math.SQRT1_2);
    if (!isDiv && !isMul) continue;
    const x = scaleNode.inputs[0]!;
    const erf = onlyConsumer(by, scaleNode.outputs[0]!, outputs);
    if (erf?.opType !== 'Erf') continue;
    const add = onlyConsumer(by, erf.outputs[0]!, outputs);
    if (add?.opType !== 'Add' || !isScalar(g, other(add, erf.outputs[0]!), 1)) continue;
    const m1 = onlyConsumer(by, add.outputs[0]!, outputs);
    if (m1?.opType !== 'Mul') continue;
    const m1Other = other(m1, add.outputs[0]!);
    let chain: GraphNode[];
    let out: string;
    if (m1Other === x) {
      // (x * (1 + erf)) * 0.5
      const m2 = onlyConsumer(by, m1.outputs[0]!, outputs);
      if (m2?.opType !== 'Mul' || !isScalar(g, other(m2, m1.outputs[0]!), 0.5)) continue;
      chain = [scaleNode, erf, add, m1, m2];
      out = m2.outputs[0]!;
    } else {
      // (x * 0.5) * (1 + erf)
      const half = g.nodes.find((n) => n.outputs[0] === m1Other && n.opType === 'Mul' && other(n, x) !== undefined && isScalar(g, other(n, x), 0.5));
      if (!half || (by.get(half.outputs[0]!)?.length ?? 0) !== 1 || outputs.has(half.outputs[0]!)) continue;
      chain = [half, scaleNode, erf, add, m1];
      out = m1.outputs[0]!;
    }
    const gelu: GraphNode = { name: `${erf.name}/gelu`, opType: 'Gelu', domain: FUSED_DOMAIN, inputs: [x], outputs: [out], attrs: new Map() };
    const last = chain.reduce((i, n) => Math.max(i, g.nodes.indexOf(n)), 0);
    g.nodes = g.nodes.flatMap((n, i) => (i === last ? [gelu] : chain.includes(n) ? [] : [n]));
    fused++;
  }
  return fused;
}

/** True when `clip` bounds its input to [lo, hi] with constants: attributes before opset 11, inputs from it. */
function clipsTo(g: Mutable, clip: GraphNode, lo: number, hi: number): boolean {
  const bound = (attr: string, input: number, v: number) => (clip.attrs.has(attr) ? clip.attrs.get(attr) === v : isScalar(g, clip.inputs[input], v));
  return clip.opType === 'Clip' && bound('min', 1, lo) && bound('max', 2, hi);
}

/** True when `n` divides `value` by 6 or multiplies it by 1/6. */
const sixth = (g: Mutable, n: GraphNode | undefined, value: string) =>
  !!n && ((n.opType === 'Div' && n.inputs[0] === value && isScalar(g, n.inputs[1], 6)) || (n.opType === 'Mul' && isScalar(g, other(n, value), 1 / 6)));

/**
 * A hard swish written out, x * Clip(x + 3, 0, 6) / 6 (the division before or after the product), as
 * PaddlePaddle and TensorFlow export it, becomes one Hearth `hard_swish` (opset v2).
 */
function fuseHardSwish(g: Mutable, outputs: Set<string>): number {
  if (!hasOp('hard_swish')) return 0;
  let fused = 0;
  for (const add of [...g.nodes]) {
    if (add.opType !== 'Add' || add.domain !== '' || !g.nodes.includes(add)) continue;
    const x = isScalar(g, add.inputs[1], 3) ? add.inputs[0] : isScalar(g, add.inputs[0], 3) ? add.inputs[1] : undefined;
    const by = consumers(g);
    const clip = onlyConsumer(by, add.outputs[0]!, outputs);
    if (x === undefined || !clip || !clipsTo(g, clip, 0, 6)) continue;
    const next = onlyConsumer(by, clip.outputs[0]!, outputs);
    const then = next && onlyConsumer(by, next.outputs[0]!, outputs);
    const productFirst = next?.opType === 'Mul' && other(next, clip.outputs[0]!) === x && sixth(g, then, next.outputs[0]!);
    const sixthFirst = sixth(g, next, clip.outputs[0]!) && then?.opType === 'Mul' && other(then, next!.outputs[0]!) === x;
    if (!productFirst && !sixthFirst) continue;
    const chain = [add, clip, next!, then!];
    const node: GraphNode = { name: `${clip.name}/hard_swish`, opType: 'HardSwish', domain: FUSED_DOMAIN, inputs: [x], outputs: [then!.outputs[0]!], attrs: new Map() };
    const last = chain.reduce((i, n) => Math.max(i, g.nodes.indexOf(n)), 0);
    g.nodes = g.nodes.flatMap((n, i) => (i === last ? [node] : chain.includes(n) ? [] : [n]));
    fused++;
  }
  return fused;
}

/**
 * MatMul by a constant [K, N] weight followed by Add of a constant [N] bias becomes one `linear` (opset v2),
 * where the core has it: one op a device may run as a fused kernel.
 */
function fuseLinear(g: Mutable, outputs: Set<string>): number {
  if (!hasOp('linear')) return 0;
  let fused = 0;
  for (const mm of [...g.nodes]) {
    const w = g.constants.get(mm.inputs[1] ?? '');
    if (mm.opType !== 'MatMul' || mm.domain !== '' || !w || w.shape.length !== 2) continue;
    const add = onlyConsumer(consumers(g), mm.outputs[0]!, outputs);
    const biasName = add && add.opType === 'Add' ? other(add, mm.outputs[0]!) : undefined;
    const bias = biasName === undefined ? undefined : g.constants.get(biasName);
    if (!add || !bias || bias.shape.length !== 1 || bias.shape[0] !== w.shape[1]) continue;
    const node: GraphNode = { name: `${mm.name}/linear`, opType: 'Linear', domain: FUSED_DOMAIN, inputs: [mm.inputs[0]!, mm.inputs[1]!, biasName!], outputs: [add.outputs[0]!], attrs: new Map() };
    g.nodes = g.nodes.filter((n) => n !== mm).map((n) => (n === add ? node : n));
    fused++;
  }
  return fused;
}

/** The axes of a ReduceMean that keeps its dimensions, from its attribute or (opset 18) its constant input. */
function meanAxes(g: Mutable, n: GraphNode | undefined): number[] | undefined {
  if (n?.opType !== 'ReduceMean' || n.domain !== '' || n.attrs.get('keepdims') === 0) return undefined;
  const fromInput = n.inputs[1] ? g.constants.get(n.inputs[1]) : undefined;
  if (n.inputs[1] && !fromInput) return undefined;
  const axes = fromInput ? Array.from(fromInput.data, Number) : (n.attrs.get('axes') as readonly number[] | undefined);
  return axes ? [...axes] : undefined;
}

/**
 * A layer norm written out as ops (PyTorch's exports of hand-written ones): m = ReduceMean(x), d = x - m,
 * v = ReduceMean(d^2), y = d / Sqrt(v + eps), optionally times a constant scale and plus a constant bias,
 * over trailing axes given as negative numbers, becomes one `layer_norm` (opset v2).
 */
function fuseLayerNorm(g: Mutable, outputs: Set<string>): number {
  if (!hasOp('layer_norm')) return 0;
  let fused = 0;
  for (const mean of [...g.nodes]) {
    const axes = meanAxes(g, mean);
    // Negative, distinct and ending at -1 (-k..-1): the normalized axes are the trailing ones whatever the rank.
    const sorted = axes ? [...axes].sort((a, b) => a - b) : [];
    if (!axes || !sorted.length || sorted.some((a, i) => a !== -sorted.length + i)) continue;
    const by = consumers(g);
    const x = mean.inputs[0]!;
    const sub = onlyConsumer(by, mean.outputs[0]!, outputs);
    if (sub?.opType !== 'Sub' || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) continue;
    const d = sub.outputs[0]!;
    const users = [...new Set(by.get(d) ?? [])]; // Mul(d, d) reads d twice
    const square = users.find((n) => (n.opType === 'Pow' && n.inputs[0] === d && isScalar(g, n.inputs[1], 2)) || (n.opType === 'Mul' && n.inputs[0] === d && n.inputs[1] === d));
    const div = users.find((n) => n.opType === 'Div' && n.inputs[0] === d);
    if (users.length !== 2 || !square || !div || outputs.has(d)) continue;
    const variance = onlyConsumer(by, square.outputs[0]!, outputs);
    const vAxes = meanAxes(g, variance);
    if (!vAxes || [...vAxes].sort((a, b) => a - b).join() !== sorted.join()) continue;
    const addEps = onlyConsumer(by, variance!.outputs[0]!, outputs);
    const epsName = addEps?.opType === 'Add' ? other(addEps, variance!.outputs[0]!) : undefined;
    const eps = epsName === undefined ? undefined : g.constants.get(epsName);
    if (!eps || eps.data.length !== 1) continue;
    const sqrt = onlyConsumer(by, addEps!.outputs[0]!, outputs);
    if (sqrt?.opType !== 'Sqrt' || div.inputs[1] !== sqrt.outputs[0] || onlyConsumer(by, sqrt.outputs[0]!, outputs) !== div) continue;
    // A constant 1-D scale, then a constant 1-D bias, join the op (layer_norm broadcasts them over the trailing axes).
    const affine = (n: GraphNode | undefined, op: string, from: string) => {
      const name = n?.opType === op ? other(n, from) : undefined;
      const c = name === undefined ? undefined : g.constants.get(name);
      return c && c.shape.length === 1 && sorted.length === 1 ? name : undefined;
    };
    const chain = [mean, sub, square, variance!, addEps!, sqrt, div];
    const inputs = [x];
    let out = div.outputs[0]!;
    const mul = onlyConsumer(by, out, outputs);
    const scale = affine(mul, 'Mul', out);
    if (scale) {
      chain.push(mul!);
      inputs.push(scale);
      out = mul!.outputs[0]!;
      const add = onlyConsumer(by, out, outputs);
      const bias = affine(add, 'Add', out);
      if (bias) {
        chain.push(add!);
        inputs.push(bias);
        out = add!.outputs[0]!;
      }
    }
    const attrs = new Map<string, number>([['axis', sorted[0]!], ['epsilon', eps.data[0]!]]);
    const node: GraphNode = { name: `${mean.name}/layer_norm`, opType: 'LayerNorm', domain: FUSED_DOMAIN, inputs, outputs: [out], attrs };
    const last = chain.reduce((i, n) => Math.max(i, g.nodes.indexOf(n)), 0);
    g.nodes = g.nodes.flatMap((n, i) => (i === last ? [node] : chain.includes(n) ? [] : [n]));
    fused++;
  }
  return fused;
}

/** Drops nodes no graph output depends on. */
function removeDead(g: Mutable, outputs: Set<string>): number {
  const needed = new Set(outputs);
  const keep = new Set<GraphNode>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (n.outputs.some((o) => needed.has(o))) {
      keep.add(n);
      for (const v of n.inputs) if (v) needed.add(v);
    }
  }
  const before = g.nodes.length;
  g.nodes = g.nodes.filter((n) => keep.has(n));
  for (const name of [...g.constants.keys()]) if (!needed.has(name)) g.constants.delete(name);
  return before - g.nodes.length;
}
