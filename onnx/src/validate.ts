import { HearthError } from '@hearth/core';
import { isSubgraph, type Graph, type GraphNode } from './graph.js';
import { ONNX_OPS } from './ops/index.js';
import { deviceOnlyStaticInputs } from './ops/static-inputs.js';
import { FUSED_DOMAIN, FUSED_OPS } from './fuse.js';
import type { ModelProto } from './proto.js';
import { int } from './proto.js';

/** The `ai.onnx` opset versions Hearth maps. */
export const OPSET_RANGE = { min: 7, max: 21 } as const;

/** A node Hearth cannot run, and why. */
export interface Unsupported {
  /** The node's name (`#index` when it has none). */
  readonly node: string;
  /** Its op type, with its domain when not the default one. */
  readonly opType: string;
  /** The model's opset version for the node's domain. */
  readonly opset: number;
  /** What is missing: the op, an attribute, an attribute value. */
  readonly missing: string;
  /** Its kind, for tallies: {@link UnsupportedReason}. */
  readonly reason: UnsupportedReason;
}

/**
 * Why a node cannot run: `op`, no mapping for its op type (or domain, or not in the model's opset);
 * `attribute`, an attribute the mapping does not honour; `variant`, an attribute value, mode or extra output
 * of a mapped op; `static-input`, an input the op needs before it runs that the graph computes on a device.
 */
export type UnsupportedReason = 'op' | 'attribute' | 'variant' | 'static-input';

/** The model's `ai.onnx` opset version, refusing a model outside {@link OPSET_RANGE}. */
export function defaultOpset(model: ModelProto): number {
  const imp = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!imp) {
    const domains = (model.opsetImport ?? []).map((o) => o.domain ?? '');
    throw new HearthError('E_MODEL', `The model imports no ai.onnx opset (ModelProto.opset_import has no entry for the default domain${domains.length ? `, only ${domains.map((d) => `"${d}"`).join(', ')}` : ''}): Hearth maps ai.onnx ops only.`, { domains });
  }
  const v = int(imp.version);
  if (v < OPSET_RANGE.min || v > OPSET_RANGE.max) {
    throw new HearthError('E_UNSUPPORTED', `The model uses ai.onnx opset ${v}; Hearth maps opsets ${OPSET_RANGE.min} to ${OPSET_RANGE.max}. Convert it with onnx.version_converter.convert_version(model, 17).`, { opset: v });
  }
  return v;
}

/** What of one node Hearth cannot run, and why, or undefined when it can. */
export function problemOf(node: GraphNode, opset: number): { missing: string; reason: UnsupportedReason } | undefined {
  const fused = node.domain === FUSED_DOMAIN;
  if (!fused && node.domain !== '' && node.domain !== 'ai.onnx') return { missing: `the op (domain "${node.domain}" is not mapped)`, reason: 'op' };
  const op = (fused ? FUSED_OPS : ONNX_OPS)[node.opType];
  if (!op) return { missing: 'the op (no mapping)', reason: 'op' };
  if (op.since !== undefined && opset < op.since) return { missing: `the op (it exists from opset ${op.since})`, reason: 'op' };
  const unknown = [...node.attrs.keys()].filter((a) => !op.attrs.includes(a));
  if (unknown.length) return { missing: `attribute${unknown.length > 1 ? 's' : ''} ${unknown.map((a) => `"${a}"`).join(', ')}`, reason: 'attribute' };
  const variant = op.check?.(node, opset);
  if (variant !== undefined) return { missing: variant, reason: 'variant' };
  // A subgraph's nodes are checked with their node: the first one Hearth cannot run is the node's problem.
  for (const [name, a] of node.attrs) {
    if (!isSubgraph(a)) continue;
    for (const inner of a.nodes) {
      const p = problemOf(inner, opset);
      if (p) return { missing: `${p.missing}, in node "${inner.name}" (${inner.opType}) of its ${name}`, reason: p.reason };
    }
  }
  return undefined;
}

/** Every node of the graph Hearth cannot run. */
export function unsupportedNodes(graph: Graph): Unsupported[] {
  const deviceOnly = deviceOnlyStaticInputs(graph);
  return graph.nodes.flatMap((n) => {
    const late = deviceOnly.get(n);
    const problem =
      problemOf(n, graph.opset) ??
      (late && { missing: `${late.map((v) => `input "${v}"`).join(', ')} computed on the device (it must be known before the node runs: a constant or a shape computation)`, reason: 'static-input' as const });
    return problem ? [{ node: n.name, opType: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType, opset: graph.opset, ...problem }] : [];
  });
}

/** Throws `E_UNSUPPORTED` listing every node Hearth cannot run, before anything runs. */
export function checkSupported(graph: Graph): void {
  const found = unsupportedNodes(graph);
  if (!found.length) return;
  const lines = found.map((u) => `node "${u.node}" (${u.opType}, opset ${u.opset}): unsupported ${u.missing}`);
  throw new HearthError('E_UNSUPPORTED', `The model has ${found.length} node${found.length > 1 ? 's' : ''} Hearth cannot run:\n  ${lines.join('\n  ')}\n\`hearth run --check model.onnx\` lists them per backend.`, { unsupported: found });
}
