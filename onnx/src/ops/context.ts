import { HearthError, type DType, type Hearth, type Tensor } from '@hearth/core';
import type { Attribute, GraphNode } from '../graph.js';
import { deviceDtype, elementTypeOf, isHost, numbers, type HostValue, type Value } from '../values.js';

/** Each node's fixed Hearth attributes (see {@link OpContext.fixedAttrs}). */
const fixed = new WeakMap<GraphNode, Map<string, Readonly<Record<string, unknown>>>>();

/** What a node's mapping reads while it runs: its inputs (host or device), its attributes, the opset. */
export class OpContext {
  constructor(
    /** The runtime the model runs on. */
    readonly hearth: Hearth,
    /** The node. */
    readonly node: GraphNode,
    /** The model's `ai.onnx` opset version. */
    readonly opset: number,
    /** The device the model runs on (creation ops make their tensors there). */
    readonly device: string,
    private readonly values: readonly (Value | undefined)[],
    /** Uploads host value `v`, input `i` of `node` (the model caches constants). */
    private readonly upload: (v: HostValue, node: GraphNode, i: number) => Tensor,
  ) {}

  /** How many inputs the node was given (omitted trailing ones excluded). */
  get inputCount(): number {
    return this.values.length;
  }

  /** True when input `i` is given. */
  has(i: number): boolean {
    return this.values[i] !== undefined;
  }

  /** Input `i` as it is, on the host or a device; undefined when omitted. */
  value(i: number): Value | undefined {
    return this.values[i];
  }

  /** Input `i` as a device tensor (a host value is uploaded once per run). */
  tensor(i: number): Tensor {
    const v = this.values[i];
    if (v === undefined) throw new HearthError('E_MODEL', `${this.where}: input ${i} is required.`, { node: this.node.name });
    return isHost(v) ? this.upload(v, this.node, i) : v;
  }

  /** Input `i` as a device tensor, or undefined when omitted. */
  optTensor(i: number): Tensor | undefined {
    return this.has(i) ? this.tensor(i) : undefined;
  }

  /** The Hearth dtype input `i` has (or would have) on a device. */
  dtype(i: number): DType {
    const v = this.values[i];
    if (v === undefined) throw new HearthError('E_MODEL', `${this.where}: input ${i} is required.`, { node: this.node.name });
    return deviceDtype(elementTypeOf(v));
  }

  /** The shape of input `i`, wherever it lives. */
  shape(i: number): readonly number[] {
    const v = this.values[i];
    if (v === undefined) throw new HearthError('E_MODEL', `${this.where}: input ${i} is required.`, { node: this.node.name });
    return v.shape;
  }

  /**
   * Input `i`'s numbers (a shape, axes, pads), which must be known on the host: a constant or a shape
   * computation. Undefined when omitted.
   */
  numbers(i: number): number[] | undefined {
    const v = this.values[i];
    if (v === undefined) return undefined;
    if (!isHost(v)) {
      throw new HearthError('E_UNSUPPORTED', `${this.where}: input "${this.node.inputs[i]}" must be known before the node runs (a constant or a shape computation); here it is computed on the device.`, { node: this.node.name, opType: this.node.opType });
    }
    return numbers(v);
  }

  /** Input `i` as one number, when known on the host. */
  scalar(i: number): number | undefined {
    const n = this.numbers(i);
    return n === undefined ? undefined : n[0];
  }

  /** An attribute, or the default. */
  attr(name: string, dflt: number): number;
  attr(name: string, dflt: string): string;
  attr<T extends Attribute>(name: string, dflt: T): T;
  attr(name: string, dflt: Attribute): Attribute {
    return this.node.attrs.get(name) ?? dflt;
  }

  /**
   * Hearth attributes made from the node's attributes alone (never from its inputs): built at the node's
   * first run and frozen, then the same object every run, so the core parses them once. `key` tells apart
   * several such objects of one node.
   */
  fixedAttrs(key: string, build: () => Record<string, unknown>): Readonly<Record<string, unknown>> {
    let mine = fixed.get(this.node);
    if (mine === undefined) fixed.set(this.node, (mine = new Map()));
    let attrs = mine.get(key);
    if (attrs === undefined) {
      const made = build();
      for (const v of Object.values(made)) if (Array.isArray(v)) Object.freeze(v);
      mine.set(key, (attrs = Object.freeze(made)));
    }
    return attrs;
  }

  /** A description of the node for messages. */
  get where(): string {
    return `node "${this.node.name}" (${this.node.opType}, opset ${this.opset})`;
  }
}

/** How a mapping runs: one Hearth op, or several (a decomposition). */
export type MappingKind = 'primitive' | 'decomposed';

/** One ONNX op as Hearth runs it. */
export interface OnnxOp {
  /** One Hearth op, or a decomposition into several. */
  readonly kind: MappingKind;
  /** The attributes it honours; any other is refused before the model runs. */
  readonly attrs: readonly string[];
  /** The first `ai.onnx` opset that has the op (1 when left out). */
  readonly since?: number;
  /** The opset v2 composite the node is handed to, when it is: it runs fused or decomposed by the device. */
  readonly composite?: string;
  /** What of this node it cannot run (an attribute value, an extra output), or undefined. */
  check?(node: GraphNode, opset: number): string | undefined;
  /** Runs the node; one tensor per output. */
  run(ctx: OpContext): Tensor | readonly Tensor[];
}

/** A table of mappings by ONNX op type. */
export type OpTable = Readonly<Record<string, OnnxOp>>;

/** Refuses more outputs than the first `n`. */
export const outputsAtMost = (n: number) => (node: GraphNode) =>
  node.outputs.filter((o) => o !== '').length > n || node.outputs.slice(n).some((o) => o !== '') ? `only its first ${n === 1 ? 'output' : `${n} outputs`} (the others are training outputs)` : undefined;
