import { HearthError } from '@hearth/core';
import { elementType, int, readTensor, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from './proto.js';
import type { ElementType, HostValue } from './values.js';

/** An attribute of a node, decoded. */
export type Attribute = number | string | HostValue | readonly number[] | readonly string[] | Subgraph;

/**
 * A graph attribute (If's branches, Loop's body): its nodes in execution order, its own constants, and the
 * values it reads from the graphs around it (`outer`), which its node takes as extra inputs after its own.
 */
export interface Subgraph {
  readonly kind: 'subgraph';
  readonly nodes: readonly GraphNode[];
  /** Its formal inputs (a Loop body's iteration number and carried values; none for If's branches). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly constants: ReadonlyMap<string, HostValue>;
  readonly outer: readonly string[];
}

/** True for a graph attribute. */
export const isSubgraph = (a: Attribute | undefined): a is Subgraph => typeof a === 'object' && a !== null && (a as Subgraph).kind === 'subgraph';

/** One node of a graph. */
export interface GraphNode {
  /** Its name (ONNX names are optional: `#index` when it has none). */
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** Input value names; `''` is an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, Attribute>;
}

/** A graph input or output: its name, element type and shape (a string is a symbolic dimension). */
export interface ValueSpec {
  readonly name: string;
  readonly type: ElementType;
  readonly shape: readonly (number | string)[] | undefined;
}

/** A model's graph as Hearth runs it: nodes in execution order, constants on the host. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly constants: ReadonlyMap<string, HostValue>;
  /** The version of the default (`ai.onnx`) opset the model imports. */
  readonly opset: number;
}

function attribute(a: AttributeProto, where: string): Attribute {
  switch (a.type) {
    case 1: return a.f ?? 0;
    case 2: return int(a.i);
    case 3: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case 4: return readTensor(a.t ?? {}, `${where} attribute ${a.name}`);
    case 6: return a.floats ?? [];
    case 7: return (a.ints ?? []).map(int);
    case 8: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    case 5: return subgraph(a.g ?? {}, `${where} attribute "${a.name}"`);
    case 10:
      throw new HearthError('E_UNSUPPORTED', `${where}: attribute "${a.name}" is a list of subgraphs; Hearth runs If (one subgraph per branch) but no op that takes a list. Export the model with that control flow resolved.`, { attribute: a.name });
    default:
      throw new HearthError('E_UNSUPPORTED', `${where}: attribute "${a.name}" has type ${a.type} (a sparse tensor or type); Hearth reads numbers, strings, tensors and lists of them.`, { attribute: a.name });
  }
}

function valueSpec(v: ValueInfoProto, where: string): ValueSpec {
  const t = v.type?.tensorType;
  if (!t) {
    const kind = v.type?.sequenceType ? 'sequence' : v.type?.mapType ? 'map' : v.type?.optionalType ? 'optional' : 'unknown';
    throw new HearthError('E_UNSUPPORTED', `${where} "${v.name}" is not a tensor (a ${kind === 'unknown' ? 'sequence, map or optional' : kind}); Hearth runs tensor graphs.`, { value: v.name, valueType: kind });
  }
  const shape = t.shape ? (t.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? int(d.dimValue) : '?')) : undefined;
  return { name: v.name ?? '', type: elementType(t.elemType ?? 0, `${where} "${v.name}"`), shape };
}

/** A node decoded, taking the outer values its subgraphs read as extra inputs after its own. */
function nodeOf(n: NodeProto, i: number): GraphNode {
  const name = n.name || `#${i}`;
  const where = `node "${name}" (${n.opType})`;
  const attrs = new Map((n.attribute ?? []).map((a) => [a.name ?? '', attribute(a, where)]));
  const inputs = n.input ?? [];
  const outer = [...attrs.values()].filter(isSubgraph).flatMap((g) => g.outer);
  return { name, opType: n.opType ?? '', domain: n.domain ?? '', inputs: [...inputs, ...new Set(outer.filter((v) => !inputs.includes(v)))], outputs: n.output ?? [], attrs };
}

/** A graph attribute decoded: its nodes ordered with what it reads from outside taken as given. */
function subgraph(g: GraphProto, where: string): Subgraph {
  const constants = new Map<string, HostValue>();
  for (const t of g.initializer ?? []) constants.set(t.name ?? '', readTensor(t, `${where} initializer "${t.name}"`));
  const inputs = (g.input ?? []).map((v) => v.name ?? '');
  const outputs = (g.output ?? []).map((v) => v.name ?? '');
  const nodes = (g.node ?? []).map(nodeOf);
  const own = new Set([...constants.keys(), ...inputs, ...nodes.flatMap((n) => n.outputs)]);
  const outer = [...new Set([...nodes.flatMap((n) => n.inputs), ...outputs].filter((v) => v !== '' && !own.has(v)))];
  const specs = outputs.map((name) => ({ name, type: 'float32' as const, shape: undefined }));
  return { kind: 'subgraph', nodes: order(nodes, new Set([...constants.keys(), ...inputs, ...outer]), specs), inputs, outputs, constants, outer };
}

/**
 * Turns a decoded model into a {@link Graph}: constants read, nodes put in execution order (ONNX requires
 * topological order, but producers do not always keep it), every input of every node checked to exist.
 */
export function buildGraph(model: ModelProto, opset: number): Graph {
  const g = model.graph!;
  const constants = new Map<string, HostValue>();
  for (const t of g.initializer ?? []) constants.set(t.name ?? '', readTensor(t, `initializer "${t.name}"`));
  const inputs = (g.input ?? []).filter((v) => !constants.has(v.name ?? '')).map((v) => valueSpec(v, 'graph input'));
  const outputs = (g.output ?? []).map((v) => valueSpec(v, 'graph output'));
  const nodes = typeQuantizeOutputs((g.node ?? []).map(nodeOf), inputs, constants);
  return { nodes: order(nodes, new Set([...constants.keys(), ...inputs.map((v) => v.name)]), outputs), inputs, outputs, constants, opset };
}

/**
 * Gives each QuantizeLinear whose zero point the graph computes or takes as an input its output type as
 * `output_dtype` (opset 21's attribute for it): from a Cast's `to`, DynamicQuantizeLinear's uint8, or the
 * graph input's type. Devices hold uint8 and int8 alike as int32, so the type is known here or not at all;
 * a constant zero point says it itself.
 */
function typeQuantizeOutputs(nodes: GraphNode[], inputs: readonly ValueSpec[], constants: ReadonlyMap<string, HostValue>): GraphNode[] {
  const codes: Partial<Record<ElementType, number>> = { uint8: 2, int8: 3 };
  const known = new Map<string, number>();
  for (const i of inputs) if (codes[i.type]) known.set(i.name, codes[i.type]!);
  for (const n of nodes) {
    const to = n.attrs.get('to');
    if (n.opType === 'Cast' && typeof to === 'number' && n.outputs[0]) known.set(n.outputs[0], to);
    if (n.opType === 'DynamicQuantizeLinear' && n.outputs[2]) known.set(n.outputs[2], 2);
  }
  return nodes.map((n) => {
    const zp = n.inputs[2];
    if (n.opType !== 'QuantizeLinear' || !zp || constants.has(zp) || n.attrs.has('output_dtype') || !known.has(zp)) return n;
    return { ...n, attrs: new Map<string, Attribute>([...n.attrs, ['output_dtype', known.get(zp)!]]) };
  });
}

/** Kahn's order over value names; a value no one makes, or that two make, is `E_MODEL`. */
function order(nodes: readonly GraphNode[], given: Set<string>, outputs: readonly ValueSpec[]): GraphNode[] {
  const producer = new Map<string, string>([...given].map((v) => [v, 'an input or initializer']));
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      const first = producer.get(o);
      if (first) throw new HearthError('E_MODEL', `Value "${o}" is made twice, by ${first} and by node "${n.name}" (${n.opType}): an ONNX graph assigns each value once.`, { node: n.name, value: o });
      producer.set(o, `node "${n.name}" (${n.opType})`);
    }
  }
  const made = new Set(given);
  const done: GraphNode[] = [];
  let left = [...nodes];
  while (left.length) {
    const ready = left.filter((n) => n.inputs.every((i) => i === '' || made.has(i)));
    if (!ready.length) {
      const n = left[0]!;
      const missing = n.inputs.filter((i) => i !== '' && !made.has(i));
      const producers = new Set(nodes.flatMap((m) => m.outputs));
      const why = missing.some((m) => !producers.has(m)) ? 'which no node, input or initializer provides' : 'which form a cycle';
      throw new HearthError('E_MODEL', `Node "${n.name}" (${n.opType}) reads ${missing.map((m) => `"${m}"`).join(', ')}, ${why}: the graph is malformed.`, { node: n.name });
    }
    for (const n of ready) {
      done.push(n);
      for (const o of n.outputs) if (o) made.add(o);
    }
    left = left.filter((n) => !ready.includes(n));
  }
  for (const o of outputs) {
    if (!made.has(o.name)) throw new HearthError('E_MODEL', `Graph output "${o.name}" is made by no node, input or initializer: the graph is malformed.`, { output: o.name });
  }
  return done;
}
