import { HearthError, Tensor, dtypeBytes, sameShape, sizeOf, type Hearth, type KernelEvent, type Recording } from '@hearth/core';
import type { Graph, GraphNode, ValueSpec } from './graph.js';
import { FUSED_DOMAIN, FUSED_OPS } from './fuse.js';
import { ONNX_OPS, OpContext, evalOnHost, hostEvaluable, type OnnxOp } from './ops/index.js';
import { hostGraphInputs } from './ops/static-inputs.js';
import type { OptimizeReport } from './optimize.js';
import { planMemory, type MemoryPlan } from './plan.js';
import { checkInt8Range, deviceData, deviceDtype, hostValue, isHost, type HostValue, type Value } from './values.js';

/** How a node ran: one Hearth op, several, one fused op for several ONNX nodes, or on the host. */
export type NodeRunKind = 'primitive' | 'decomposed' | 'fused' | 'host';

/** One node of a profiled run. */
export interface NodeProfile {
  /** The node's name. */
  readonly node: string;
  /** Its op type. */
  readonly opType: string;
  /** How it ran. */
  readonly kind: NodeRunKind;
  /** The Hearth kernels it ran, with their device and plugin. */
  readonly kernels: readonly KernelEvent[];
  /** Kernels that ran on the fallback device. */
  readonly fallbacks: number;
  /** Wall time of the node's dispatch, in ms (for asynchronous devices, the time to enqueue its work). */
  readonly ms: number;
}

/** What one run did. */
export interface RunReport {
  /** The most bytes the run's intermediate device tensors held at once (a view counted as a copy: an upper bound). */
  readonly peakBytes: number;
  /** Per node, when the run was profiled. */
  readonly profile?: readonly NodeProfile[];
}

/** Options of {@link OnnxModel.run}. */
export interface RunOptions {
  /** Record, per node, its kernels, devices, plugins, fallbacks and time (slower). */
  readonly profile?: boolean;
}

/** What a node needs each run, worked out once at load: nothing in it depends on the run's values. */
interface Step {
  readonly node: GraphNode;
  /** Its mapping. */
  readonly op: OnnxOp;
  /** How it runs when not on the host. */
  readonly kind: NodeRunKind;
  /** Whether the host may evaluate it (a host function for its op); the run's values still decide. */
  readonly hostCandidate: boolean;
  /** Its inputs' slots in a run's values, omitted trailing ones dropped; -1 for one omitted. */
  readonly inputs: readonly number[];
  /** Its outputs' slots; -1 for one omitted. */
  readonly outputs: readonly number[];
  /** The slots of the values whose last reader it is. */
  readonly freeAfter: readonly number[];
}

/**
 * What a node did with the inputs it was last given, kept between runs: a run that gives it the same host
 * values and tensors of the same shapes does the same again without working it out.
 */
interface StepMemo {
  /** Its inputs when it was last evaluated on the host (or found not to be): host values, tensors' shapes. */
  hostKey: readonly InputKey[] | undefined;
  /** The host results for `hostKey`, or undefined when it runs on the device. */
  hostOuts: readonly HostValue[] | undefined;
  /** Its kernel calls for inputs like each key, replayed instead of running the mapping; the latest first. */
  recordings: { readonly key: readonly InputKey[]; readonly recording: Recording }[];
  /** Recordings that failed (the mapping did something that can't be replayed): after a few, none is tried. */
  failed: number;
  /** Recordings made since one was last replayed: inputs whose shapes keep changing. */
  unused: number;
  /** Runs of its mapping since it last tried a recording, while recordings go unused. */
  plain: number;
}

/** An input as a memo keeps it: a host value, a tensor's shape, or undefined when omitted. */
type InputKey = HostValue | readonly number[] | undefined;

/** After this many recordings of a node fail, its mapping just runs. */
const MAX_FAILED_RECORDINGS = 3;
/** The recordings a node keeps, for as many input shapes (a few batch sizes a server alternates between). */
const MAX_RECORDINGS = 4;
/**
 * After this many recordings that were never replayed (shapes that keep changing, as a sequence grows), a
 * node records only one run in {@link RETRY_EVERY}: recording costs a little on top of running the mapping.
 */
const MAX_UNUSED_RECORDINGS = 8;
const RETRY_EVERY = 64;

/** A loaded ONNX model bound to a Hearth runtime. Make one with `loadOnnx`. */
export class OnnxModel {
  readonly #hearth: Hearth;
  readonly #graph: Graph;
  readonly #steps: readonly Step[];
  readonly #memos: StepMemo[];
  /** Each value's slot in a run's values, by name. */
  readonly #slots: ReadonlyMap<string, number>;
  /** A run's values before it starts: the constants in their slots. */
  readonly #initial: readonly (Value | undefined)[];
  readonly #constants = new Map<string, Tensor>();
  readonly #constantTensors = new Set<Tensor>();
  /** Graph inputs whose values a node needs before it runs: read back to the host each run. */
  readonly #hostInputs: ReadonlySet<string>;
  /** The graph inputs' slots, in order. */
  readonly #inputSlots: readonly number[];
  /** The graph outputs' slots, in order. */
  readonly #outputSlots: readonly number[];
  /** The device the model runs on. */
  readonly device: string;
  /** What the optimiser did at load. */
  readonly optimizations: OptimizeReport;
  /** What the last run did (undefined before the first). */
  lastRun: RunReport | undefined;
  #disposed = false;

  /** @internal Use `loadOnnx`. */
  constructor(hearth: Hearth, graph: Graph, device: string, optimizations: OptimizeReport) {
    this.#hearth = hearth;
    this.#graph = graph;
    this.#slots = slots(graph);
    this.#steps = steps(graph, planMemory(graph), this.#slots);
    this.#memos = this.#steps.map(() => ({ hostKey: undefined, hostOuts: undefined, recordings: [], failed: 0, unused: 0, plain: 0 }));
    const initial = new Array<Value | undefined>(this.#slots.size).fill(undefined);
    for (const [name, v] of graph.constants) initial[this.#slots.get(name)!] = v;
    this.#initial = initial;
    this.#hostInputs = hostGraphInputs(graph);
    this.#inputSlots = graph.inputs.map((i) => this.#slots.get(i.name)!);
    this.#outputSlots = graph.outputs.map((o) => this.#slots.get(o.name)!);
    this.device = device;
    this.optimizations = optimizations;
  }

  /** The graph inputs the caller feeds, with their ONNX element type and shape (strings are symbolic dimensions). */
  get inputs(): readonly ValueSpec[] {
    return this.#graph.inputs;
  }

  /** The graph outputs. */
  get outputs(): readonly ValueSpec[] {
    return this.#graph.outputs;
  }

  /** The model's `ai.onnx` opset version. */
  get opset(): number {
    return this.#graph.opset;
  }

  /** The nodes as they run after optimisation: name, op type, and how each maps (`fused` for the optimiser's). */
  get nodes(): readonly { readonly name: string; readonly opType: string; readonly kind: NodeRunKind }[] {
    return this.#graph.nodes.map((n) => ({ name: n.name, opType: n.opType, kind: n.domain === FUSED_DOMAIN ? 'fused' : mapping(n).kind }));
  }

  /**
   * Runs the model. `feeds` maps each graph input's name to a tensor of its dtype (ONNX int64, uint8 and int8
   * inputs take int32 tensors; uint8 and int8 ones are checked to hold values of their range) and shape. Returns one tensor per graph output, on the model's device; the caller owns
   * (and disposes) them. Intermediate tensors are freed as soon as their last reader ran.
   */
  async run(feeds: Readonly<Record<string, Tensor>>, options: RunOptions = {}): Promise<Record<string, Tensor>> {
    if (this.#disposed) throw new HearthError('E_DISPOSED', 'This model was disposed: load it again.');
    const env = this.#initial.slice();
    const owned = new Set<Tensor>();
    let live = 0;
    let peak = 0;
    const hold = (t: Tensor) => {
      owned.add(t);
      live += t.size * dtypeBytes(t.dtype);
      peak = Math.max(peak, live);
    };
    const free = (at: number) => {
      const v = env[at];
      if (v instanceof Tensor && owned.has(v)) {
        live -= v.size * dtypeBytes(v.dtype);
        owned.delete(v);
        v.dispose();
      }
      env[at] = undefined;
    };
    const specs = this.#graph.inputs;
    const given = this.#checkFeeds(feeds);
    // Devices hold uint8 and int8 as int32, which takes any value: a feed's range is checked here.
    for (let i = 0; i < specs.length; i++) {
      const type = specs[i]!.type;
      if (type === 'uint8' || type === 'int8') checkInt8Range(type, (await given[i]!.data()) as ArrayLike<number>, `Input "${specs[i]!.name}"`);
    }
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      let t = given[i]!;
      if (t.device !== this.device) hold((t = await t.to(this.device)));
      env[this.#inputSlots[i]!] = this.#hostInputs.has(spec.name) ? hostValue(spec.type, t.shape, (await t.data()) as ArrayLike<number>) : t;
    }
    const profile: NodeProfile[] | undefined = options.profile ? [] : undefined;
    const h = this.#hearth;
    let kernels: KernelEvent[] = [];
    let fallbacks = 0;
    const unhook = profile ? [h.hook('after', (e) => kernels.push(e)), h.on('fallback', () => fallbacks++)] : [];
    try {
      const opset = this.#graph.opset;
      // Uploads of per-run host values are made inside the node's scope, which frees them after it.
      const upload = (v: HostValue, node: GraphNode, input: number) => {
        const name = node.inputs[input]!;
        const what = () => `node "${node.name}" (${node.opType}, opset ${opset}) input "${name}"`;
        return this.#graph.constants.has(name) ? this.#constant(name, v, what) : this.#upload(v, what);
      };
      for (let s = 0; s < this.#steps.length; s++) {
        const step = this.#steps[s]!;
        const memo = this.#memos[s]!;
        const { node, op } = step;
        const start = profile ? performance.now() : 0;
        if (profile) {
          kernels = [];
          fallbacks = 0;
        }
        // The node's inputs as a list are made only when it must be worked out: a memo reads them in place.
        const slots = step.inputs;
        let inputs: (Value | undefined)[] | undefined;
        let outs: readonly Value[] | undefined;
        if (step.hostCandidate) {
          if (memo.hostKey === undefined || !matches(memo.hostKey, slots, env)) {
            inputs = gather(slots, env);
            memo.hostOuts = evalOnHost(node, inputs, opset);
            memo.hostKey = keyOf(inputs);
          }
          outs = memo.hostOuts;
        }
        const kind: NodeRunKind = outs ? 'host' : step.kind;
        if (!outs) {
          let made: readonly Tensor[] | undefined;
          try {
            const recorded = memo.recordings;
            for (let r = 0; r < recorded.length && made === undefined; r++) {
              if (matches(recorded[r]!.key, slots, env)) made = recorded[r]!.recording.replay(tensorsAt(slots, env));
            }
            if (made !== undefined) memo.unused = 0;
            made ??= this.#runNode(step, memo, inputs ?? gather(slots, env), upload);
          } catch (e) {
            throw withNode(e, node, opset);
          }
          for (let j = 0; j < made.length; j++) hold(made[j]!);
          outs = made;
        }
        for (let j = 0; j < step.outputs.length; j++) {
          const at = step.outputs[j]!;
          if (at >= 0 && outs[j] !== undefined) env[at] = outs[j];
        }
        if (profile) {
          // A composite runs fused where the device has its kernel, else the core decomposes it.
          const composite = kind === 'primitive' ? op.composite : undefined;
          const how: NodeRunKind = composite ? (kernels.some((e) => e.op === composite) ? 'fused' : 'decomposed') : kind;
          profile.push({ node: node.name, opType: node.opType, kind: how, kernels, fallbacks, ms: performance.now() - start });
        }
        for (const v of step.freeAfter) free(v);
      }
      const result: Record<string, Tensor> = {};
      const outputs = this.#graph.outputs;
      for (let i = 0; i < outputs.length; i++) {
        const name = outputs[i]!.name;
        const v = env[this.#outputSlots[i]!]!;
        // The caller owns what it gets: a value the run does not own (a feed, a constant) is handed over as a copy.
        const t = isHost(v) ? this.#upload(v, () => `output "${name}"`) : owned.has(v) ? v : h.reshape(v, v.shape);
        owned.delete(t);
        result[name] = t;
      }
      this.lastRun = { peakBytes: peak, ...(profile ? { profile } : {}) };
      return result;
    } finally {
      for (const u of unhook) u();
      for (const t of owned) t.dispose();
    }
  }

  /** Runs a node's mapping, recording its kernel calls for the next runs while recordings of it succeed. */
  #runNode(step: Step, memo: StepMemo, inputs: readonly (Value | undefined)[], upload: (v: HostValue, node: GraphNode, input: number) => Tensor): readonly Tensor[] {
    const h = this.#hearth;
    const ctx = new OpContext(h, step.node, this.#graph.opset, this.device, inputs, upload);
    const run = () =>
      h.scope(() => {
        const r = step.op.run(ctx);
        // A mapping that hands back an input (a no-op) gets a copy: inputs keep their own lifetimes.
        return r instanceof Tensor ? [this.#own(r, inputs)] : r.map((t) => this.#own(t, inputs));
      });
    if (memo.failed >= MAX_FAILED_RECORDINGS) return run();
    if (memo.unused >= MAX_UNUSED_RECORDINGS && ++memo.plain % RETRY_EVERY !== 0) return run();
    const { result, recording } = h.record(inputs.filter((v): v is Tensor => v instanceof Tensor), run);
    if (recording) {
      const key = keyOf(inputs);
      // A recording for the same key (one that no longer applied: a weight or kernel changed) is replaced.
      memo.recordings = [{ key, recording }, ...memo.recordings.filter((r) => !matchesKey(r.key, key))].slice(0, MAX_RECORDINGS);
      memo.unused++;
    } else {
      memo.failed++;
    }
    return result;
  }

  /** Frees the model's constants on the device. */
  dispose(): void {
    for (const t of this.#constants.values()) t.dispose();
    this.#constants.clear();
    this.#constantTensors.clear();
    // The recordings hold the constants they read: let both go.
    for (const memo of this.#memos) Object.assign(memo, { hostKey: undefined, hostOuts: undefined, recordings: [] });
    this.#disposed = true;
  }

  /** `t`, or a copy of it when it is one of the node's inputs or a constant (which keep their own lifetimes). */
  #own(t: Tensor, inputs: readonly (Value | undefined)[]): Tensor {
    return inputs.includes(t) || this.#constantTensors.has(t) ? this.#hearth.reshape(t, t.shape) : t;
  }

  /** A constant on the device: uploaded at first use, kept for the model's life. */
  #constant(name: string, v: HostValue, what: () => string): Tensor {
    let t = this.#constants.get(name);
    if (!t) {
      t = this.#upload(v, what).keep();
      this.#constants.set(name, t);
      this.#constantTensors.add(t);
    }
    return t;
  }

  #upload(v: HostValue, what: () => string): Tensor {
    return this.#hearth.tensor(deviceData(v, what), { dtype: deviceDtype(v.type), shape: v.shape, device: this.device });
  }

  /** Checks the feeds against the graph inputs (names, dtypes, shapes, symbolic dimensions agreeing); returns them in the inputs' order. */
  #checkFeeds(feeds: Readonly<Record<string, Tensor>>): Tensor[] {
    if (typeof feeds !== 'object' || feeds === null) throw new HearthError('E_ARG', 'run() takes an object of input tensors by name, e.g. model.run({ input: tensor }).');
    const specs = this.#graph.inputs;
    const names = () => specs.map((i) => i.name);
    let count = 0;
    for (const k in feeds) if (Object.hasOwn(feeds, k)) count++;
    if (count !== specs.length || specs.some((i) => !Object.hasOwn(feeds, i.name))) {
      const unknown = Object.keys(feeds).filter((k) => !names().includes(k));
      if (unknown.length) throw new HearthError('E_ARG', `The model has no input ${unknown.map((u) => `"${u}"`).join(', ')}; its inputs are ${names().map((n) => `"${n}"`).join(', ')}.`, { inputs: names() });
    }
    let dims: Map<string, number> | undefined;
    const out: Tensor[] = [];
    for (const spec of specs) {
      const t = feeds[spec.name];
      if (t === undefined) throw new HearthError('E_ARG', `Input "${spec.name}" is missing; the model needs ${names().map((n) => `"${n}"`).join(', ')}.`, { input: spec.name });
      if (!(t instanceof Tensor)) throw new HearthError('E_ARG', `Input "${spec.name}" must be a Hearth tensor (hearth.tensor(data, { shape, dtype })).`, { input: spec.name });
      const want = deviceDtype(spec.type);
      if (t.dtype !== want) throw new HearthError('E_DTYPE', `Input "${spec.name}" must be ${want}${spec.type !== want ? ` (the model's ${spec.type}, held as int32)` : ''}, got ${t.dtype}.`, { input: spec.name, expected: want, actual: t.dtype });
      if (spec.shape) checkShape(spec, t.shape, spec.shape.some((d) => typeof d === 'string') ? (dims ??= new Map()) : undefined);
      out.push(t);
    }
    return out;
  }
}

/** The mapping of a node (validated at load). */
const mapping = (n: GraphNode) => (n.domain === FUSED_DOMAIN ? FUSED_OPS : ONNX_OPS)[n.opType]!;

/** A slot for each value of the graph: its inputs, constants and every node's inputs and outputs. */
function slots(graph: Graph): Map<string, number> {
  const at = new Map<string, number>();
  const add = (name: string) => name !== '' && !at.has(name) && at.set(name, at.size);
  for (const i of graph.inputs) add(i.name);
  for (const name of graph.constants.keys()) add(name);
  for (const n of graph.nodes) for (const name of [...n.inputs, ...n.outputs]) add(name);
  for (const o of graph.outputs) add(o.name);
  return at;
}

/** Each node's per-run needs, worked out once. */
function steps(graph: Graph, plan: MemoryPlan, slot: ReadonlyMap<string, number>): Step[] {
  const of = (name: string) => (name === '' ? -1 : slot.get(name)!);
  return graph.nodes.map((node, i) => {
    const op = mapping(node);
    let n = node.inputs.length;
    while (n > 0 && node.inputs[n - 1] === '') n--;
    return {
      node,
      op,
      kind: node.domain === FUSED_DOMAIN ? 'fused' : op.kind,
      hostCandidate: (node.domain === '' || node.domain === 'ai.onnx') && hostEvaluable(node.opType),
      inputs: node.inputs.slice(0, n).map(of),
      outputs: node.outputs.map(of),
      freeAfter: plan.freeAfter[i]!.map(of),
    };
  });
}

/** Checks a feed's shape against its input's; `dims` (given when the input has symbolic dimensions) collects their sizes. */
function checkShape(spec: ValueSpec, shape: readonly number[], dims: Map<string, number> | undefined): void {
  const want = spec.shape!;
  const bad = () => new HearthError('E_SHAPE', `Input "${spec.name}" must have shape [${want.join(', ')}], got [${shape.join(', ')}].`, { input: spec.name, expected: want, actual: shape });
  if (shape.length !== want.length) throw bad();
  want.forEach((d, i) => {
    if (typeof d === 'number') {
      if (d > 0 && shape[i] !== d) throw bad();
    } else if (d !== '?') {
      const seen = dims!.get(d);
      if (seen !== undefined && seen !== shape[i]) {
        throw new HearthError('E_SHAPE', `Input "${spec.name}" has ${shape[i]} for dimension "${d}", which another input gave as ${seen}.`, { input: spec.name, dim: d });
      }
      dims!.set(d, shape[i]!);
    }
  });
}

/** A node's inputs from a run's values, trailing omitted ones dropped (so `inputCount` is what the node was given). */
function gather(slots: readonly number[], env: readonly (Value | undefined)[]): (Value | undefined)[] {
  const inputs: (Value | undefined)[] = [];
  for (let j = 0; j < slots.length; j++) inputs.push(slots[j]! < 0 ? undefined : env[slots[j]!]);
  while (inputs.length > 0 && inputs[inputs.length - 1] === undefined) inputs.length--;
  return inputs;
}

/** The device tensors among a node's inputs, in order: what its recording replays on. */
function tensorsAt(slots: readonly number[], env: readonly (Value | undefined)[]): Tensor[] {
  const out: Tensor[] = [];
  for (let j = 0; j < slots.length; j++) {
    const v = slots[j]! < 0 ? undefined : env[slots[j]!];
    if (v instanceof Tensor) out.push(v);
  }
  return out;
}

function keyOf(inputs: readonly (Value | undefined)[]): InputKey[] {
  return inputs.map((v) => (v instanceof Tensor ? v.shape : v));
}

/**
 * True when a node's inputs in a run's values match a memo's key: the same host values (by content),
 * tensors of the same shapes, the same omitted inputs.
 */
function matches(key: readonly InputKey[], slots: readonly number[], env: readonly (Value | undefined)[]): boolean {
  for (let j = 0; j < slots.length; j++) {
    const v = slots[j]! < 0 ? undefined : env[slots[j]!];
    const k = key[j]; // past the key's end: an omitted trailing input, which must still be omitted
    if (k === v) continue;
    if (k === undefined || v === undefined) return false;
    if (v instanceof Tensor) {
      if (!Array.isArray(k) || !sameShape(k, v.shape)) return false;
    } else if (Array.isArray(k) || !sameHostValue(k as HostValue, v)) return false;
  }
  return key.length <= slots.length;
}

/** True when two memo keys are the same inputs. */
function matchesKey(a: readonly InputKey[], b: readonly InputKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) {
    const x = a[j];
    const y = b[j];
    if (x === y) continue;
    if (x === undefined || y === undefined || Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x) ? !sameShape(x, y as readonly number[]) : !sameHostValue(x as HostValue, y as HostValue)) return false;
  }
  return true;
}

function sameHostValue(a: HostValue, b: HostValue): boolean {
  if (a.type !== b.type || !sameShape(a.shape, b.shape)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i] && !(Number.isNaN(a.data[i]) && Number.isNaN(b.data[i]))) return false;
  return true;
}

/** Adds the node to an error raised while it ran (the message names it; the code stays). */
function withNode(e: unknown, node: GraphNode, opset: number): unknown {
  if (!(e instanceof HearthError) || e.details['node'] !== undefined) return e;
  return new HearthError(e.code, `node "${node.name}" (${node.opType}, opset ${opset}): ${e.message}`, { ...e.details, node: node.name, opType: node.opType }, { cause: e });
}
