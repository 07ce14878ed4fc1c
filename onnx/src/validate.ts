import { HearthError } from '@hearth/core';
import type { Graph, GraphNode } from './graph.js';
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
}

/** The model's `ai.onnx` opset version, refusing a model outside {@link OPSET_RANGE}. */
export function defaultOpset(model: ModelProto): number {
  const imp = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!imp) throw new HearthError('E_MODEL', 'The model imports no ai.onnx opset (ModelProto.opset_import has no entry for the default domain): the file is malformed.');
  const v = int(imp.version);
  if (v < OPSET_RANGE.min || v > OPSET_RANGE.max) {
    throw new HearthError('E_UNSUPPORTED', `The model uses ai.onnx opset ${v}; Hearth maps opsets ${OPSET_RANGE.min} to ${OPSET_RANGE.max}. Convert it with onnx.version_converter.convert_version(model, 17).`, { opset: v });
  }
  return v;
}

/** What of one node Hearth cannot run, or undefined when it can. */
export function problemOf(node: GraphNode, opset: number): string | undefined {
  const fused = node.domain === FUSED_DOMAIN;
  if (!fused && node.domain !== '' && node.domain !== 'ai.onnx') return `the op (domain "${node.domain}" is not mapped)`;
  const op = (fused ? FUSED_OPS : ONNX_OPS)[node.opType];
  if (!op) return 'the op (no mapping)';
  if (op.since !== undefined && opset < op.since) return `the op (it exists from opset ${op.since})`;
  const unknown = [...node.attrs.keys()].filter((a) => !op.attrs.includes(a));
  if (unknown.length) return `attribute${unknown.length > 1 ? 's' : ''} ${unknown.map((a) => `"${a}"`).join(', ')}`;
  return op.check?.(node, opset);
}

/** Every node of the graph Hearth cannot run. */
export function unsupportedNodes(graph: Graph): Unsupported[] {
  const deviceOnly = deviceOnlyStaticInputs(graph);
  return graph.nodes.flatMap((n) => {
    const late = deviceOnly.get(n);
    const missing = problemOf(n, graph.opset) ?? (late && `${late.map((v) => `input "${v}"`).join(', ')} computed on the device (it must be known before the node runs: a constant or a shape computation)`);
    return missing ? [{ node: n.name, opType: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType, opset: graph.opset, missing }] : [];
  });
}

/** Throws `E_UNSUPPORTED` listing every node Hearth cannot run, before anything runs. */
export function checkSupported(graph: Graph): void {
  const found = unsupportedNodes(graph);
  if (!found.length) return;
  const lines = found.map((u) => `node "${u.node}" (${u.opType}, opset ${u.opset}): unsupported ${u.missing}`);
  throw new HearthError('E_UNSUPPORTED', `The model has ${found.length} node${found.length > 1 ? 's' : ''} Hearth cannot run:\n  ${lines.join('\n  ')}\n\`hearth run --check model.onnx\` lists them per backend.`, { unsupported: found });
}
