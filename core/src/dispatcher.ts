import { HearthError, describeError } from './errors.js';
import { describeArg } from './arguments.js';
import { isThenable } from './time-limit.js';
import { dtypeBytes, dtypeCode, floatTypeFor, hostArray, isDType, isFloat, promoteTypes, type DType, type HostArray } from './dtype.js';
import { MAX_RANK, checkShape, sizeOf, type Shape } from './shape.js';
import { parseAttrs } from './opset/attrs.js';
import { OPSET, opId } from './opset/index.js';
import { runDecomposition } from './decompose.js';
import { inputSpec, type DTypeClass, type OpSchema, type TensorMeta } from './opset/schema.js';
import type { Device } from './device.js';
import type { Events, KernelEvent } from './events.js';
import type { KernelEntry, KernelTable } from './kernel-table.js';
import type { KernelTensor } from './kernel.js';
import type { TensorStore } from './memory.js';
import { Tensor, tensorInternals } from './tensor.js';
import type { FieldChecker } from './field-check.js';
import { notStoredError } from './not-stored.js';
import type { CallPlan } from './call-plan.js';
import { Recorder, type Recording, type RecordedCallRunner } from './recording.js';

export type { CallPlan } from './call-plan.js';

const { device: devOf, pending: pendingOf, runtime: runtimeOf, kernelView } = tensorInternals;

/** What to do when the inputs' device has no kernel, or inputs sit on different devices. */
export type FallbackPolicy = 'error' | 'warn' | 'allow';

/** The runtime's fallback settings. */
export interface FallbackOptions {
  /**
   * `warn` (default): move data, run where a kernel exists, and warn once per (op, device); `allow`: the same
   * silently; `error`: refuse (strict mode, what conformance runs use).
   */
  readonly policy: FallbackPolicy;
  /**
   * Where kernels missing elsewhere run: `"auto"` (default), the first ready device in the runtime's order
   * (the default device first) that has the kernel; or one device by name (`"cpu:0"`), and only that one.
   */
  readonly device: string;
}

/** Where a call with no kernel on its own device runs instead. */
export interface FallbackTarget {
  /** The device. */
  readonly device: Device;
  /** Its kernel for the call. */
  readonly kernel: KernelEntry;
}

/** A hook around kernels. Hooks cost nothing while none is installed. */
export type KernelHook = (event: KernelEvent) => void;

const EMPTY_ATTRS: Readonly<Record<string, unknown>> = Object.freeze({});
const CAST = OPSET.findIndex((o) => o.name === 'cast');
const RESHAPE = OPSET.find((o) => o.name === 'reshape');
const NO_ATTRS = OPSET.map((o) => o.inputs.length > 0 && Object.keys(o.attrs).length === 0);
// Ops whose every input takes part in promotion (the elementwise families, matmul...): inputs of one dtype compute in it.
const PROMOTES_ALL = OPSET.map((o) => o.compute !== 'attr' && o.inputs.length > 0 && o.inputs.every((i) => i.promote));

/** The dispatcher: validate → compute dtype → meta → device → kernel lookup → allocate → run. */
export class Dispatcher {
  #before: KernelHook[] = [];
  #after: KernelHook[] = [];
  #hooked = false;
  readonly #warned = new Set<string>();
  /** The runtime's field checker, when `verify` is on: it draws which calls to re-run on the reference. */
  verifier: FieldChecker | undefined;
  /** Set while a function is recorded (see {@link Dispatcher.record}). */
  #recorder: Recorder | undefined;
  /** What recordings of this dispatcher replay through. */
  readonly #runner: RecordedCallRunner;

  constructor(
    private readonly table: KernelTable,
    private readonly store: TensorStore,
    private readonly events: Events,
    private readonly fallback: FallbackOptions,
    private readonly readyDevices: () => readonly Device[],
  ) {
    this.#runner = {
      kernelFor: (op, p) => this.table.lookup(p.device.typeId, op, dtypeCode(p.dtype)),
      // A replayed reshape is a view of its input's storage (the same elements in the same order), where one may be made.
      runPlanned: (kernel, p, inputs) => (p.schema === RESHAPE && this.store.view(inputs[0]!, p.shape, 'reshape')) || this.#run(kernel, p, p.device, inputs),
      tableVersion: () => this.table.version,
      runtime: this.store,
      disposeTemps: (tensors, where) => this.store.disposeTemps(tensors, where),
    };
  }

  /**
   * Where a call whose device lacks the kernel (or a dtype) would run under the fallback policy, or
   * undefined when nowhere: the one answer both the dispatcher and `explain` give.
   */
  fallbackTarget(op: number, p: CallPlan): FallbackTarget | undefined {
    if (this.fallback.policy === 'error') return undefined;
    const named = this.fallback.device === 'auto' ? undefined : this.fallback.device;
    const candidates = named === undefined ? this.readyDevices() : this.readyDevices().filter((d) => d.name === named || `${d.type}` === named);
    for (const to of candidates) {
      if (to === p.device || !to.has(p.dtype) || !to.has(p.outDtype)) continue;
      const kernel = this.table.lookup(to.typeId, op, dtypeCode(p.dtype));
      if (kernel) return { device: to, kernel };
    }
    return undefined;
  }

  /** Adds a hook before or after every kernel; returns a function that removes it. */
  hook(when: 'before' | 'after', fn: KernelHook): () => void {
    const list = when === 'before' ? this.#before : this.#after;
    list.push(fn);
    this.#hooked = true;
    let removed = false;
    return () => {
      // Once only: a second call must not remove another hook (indexOf -1 would splice the last one).
      if (removed) return;
      removed = true;
      list.splice(list.indexOf(fn), 1);
      this.#hooked = this.#before.length + this.#after.length > 0;
    };
  }

  /** Validates a call and decides dtype, shape, device and kernel, without running anything. */
  plan(op: number, inputs: readonly Tensor[], userAttrs: Readonly<Record<string, unknown>> | undefined, target: Device | undefined): CallPlan {
    const schema = OPSET[op]!;
    const attrs = userAttrs === undefined && NO_ATTRS[op] ? EMPTY_ATTRS : parseAttrs(schema.name, schema.attrs, userAttrs);
    const n = inputs.length;
    checkCount(schema, n, op);
    const first = inputs[0];
    let wait = false;
    let together = true; // every input on the first one's device, in its dtype
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      if (!(t instanceof Tensor)) throw notATensor(schema, i, t);
      t.assertAlive();
      if (runtimeOf(t) !== this.store) throw otherRuntime(schema, i);
      if (pendingOf(t) !== undefined) wait = true;
      const dev = devOf(t);
      if (dev !== devOf(first!)) {
        together = false;
        if (!dev.backend.syncRead) wait = true;
      } else if (t.dtype !== first!.dtype) together = false;
    }
    const dtype = together && PROMOTES_ALL[op] ? computeFrom(schema, first!.dtype) : computeDtype(schema, inputs, attrs);
    const device = first !== undefined ? devOf(first) : target!;
    const shape = schema.meta(inputs, attrs);
    if (shape.length > MAX_RANK) throw tooManyAxes(schema, shape);
    // Tensors' shapes are frozen (kernels see them); one shared with the first input already is.
    if (first === undefined || shape !== first.shape) Object.freeze(shape);
    const outDtype = schema.output === 'compute' ? dtype : schema.output === 'attr' ? (attrs['dtype'] as DType) : schema.output;
    const kernel = this.table.lookup(device.typeId, op, dtypeCode(dtype));
    const direct = !wait && together && kernel !== undefined && (first === undefined || first.dtype === dtype) && device.has(dtype) && device.has(outDtype);
    return { schema, attrs, dtype, outDtype, shape, device, kernel, wait, direct };
  }

  /**
   * Plans a call from input shapes and dtypes alone, on `device`: what `explain` reports for inputs that
   * are not tensors. Nothing is allocated and no kernel runs; the same validation, promotion and `meta`.
   */
  planMeta(op: number, inputs: readonly TensorMeta[], userAttrs: Readonly<Record<string, unknown>> | undefined, device: Device): CallPlan {
    const schema = OPSET[op]!;
    const attrs = parseAttrs(schema.name, schema.attrs, userAttrs);
    checkCount(schema, inputs.length, op);
    const metas = inputs.map((t, i) => {
      if (typeof t !== 'object' || t === null || !isDType(t.dtype)) {
        throw new HearthError('E_ARG', `${schema.name}: input ${i} must be a Tensor or { shape, dtype } with a known dtype.`, { op: schema.name });
      }
      return { shape: checkShape(Array.isArray(t.shape) ? t.shape.slice() : (t.shape as never), `${schema.name}: input ${i} shape`), dtype: t.dtype };
    });
    const dtype = computeDtype(schema, metas, attrs);
    const shape = schema.meta(metas, attrs);
    if (shape.length > MAX_RANK) throw tooManyAxes(schema, shape);
    const outDtype = schema.output === 'compute' ? dtype : schema.output === 'attr' ? (attrs['dtype'] as DType) : schema.output;
    return { schema, attrs, dtype, outDtype, shape, device, kernel: this.table.lookup(device.typeId, op, dtypeCode(dtype)), wait: false, direct: false };
  }

  /** Runs operator `op` (its index in the opset) on `inputs`; creation operators run on `target`. */
  call(op: number, inputs: Tensor[], userAttrs?: Readonly<Record<string, unknown>>, target?: Device): Tensor {
    const p = this.plan(op, inputs, userAttrs, target);
    if (this.#recorder !== undefined && this.#recorder.depth === 0) return this.#recordCall(this.#recorder, op, p, inputs, userAttrs, target);
    if (p.direct) return this.#run(p.kernel!, p, p.device, inputs);
    return this.#arrange(op, p, inputs, userAttrs, target);
  }

  /**
   * Runs `fn`, recording the operator calls it makes on `inputs` (and on tensors made before it) for
   * replay; see `Hearth.record`. Inside another recording, `fn`'s calls are the outer one's.
   */
  record<R>(inputs: readonly Tensor[], fn: () => R): { result: R; recording: Recording | undefined; reason: string | undefined } {
    if (this.#recorder !== undefined) return { result: fn(), recording: undefined, reason: 'it ran inside another recording' };
    const recorder = new Recorder(inputs, this.store.nextId);
    this.#recorder = recorder;
    this.store.recorder = recorder;
    let result: R;
    try {
      result = fn();
    } finally {
      this.#recorder = undefined;
      this.store.recorder = undefined;
    }
    if (isThenable(result)) return { result, recording: undefined, reason: 'it returned a promise: only synchronous work is recorded' };
    const made = recorder.finish(this.#runner, result instanceof Tensor ? [result] : Array.isArray(result) ? result : [undefined as never]);
    return typeof made === 'string' ? { result, recording: undefined, reason: made } : { result, recording: made, reason: undefined };
  }

  /**
   * A top-level call while recording. A direct one is recorded. Casts before a call and a composite's
   * decomposition are calls too, recorded one by one (with the call's own kernel launch, see `#execute`);
   * what a replay could not repeat spoils the recording: waiting for data, and copies between devices and
   * fallbacks, which read data.
   */
  #recordCall(recorder: Recorder, op: number, p: CallPlan, inputs: Tensor[], userAttrs: Readonly<Record<string, unknown>> | undefined, target: Device | undefined): Tensor {
    if (p.direct) return this.#runRecorded(recorder, op, p, p.kernel!, inputs);
    if (!p.wait) return this.#arrange(op, p, inputs, userAttrs, target);
    recorder.spoil(`${p.schema.name} had to wait for data`);
    recorder.depth++;
    try {
      return this.#arrange(op, p, inputs, userAttrs, target);
    } finally {
      recorder.depth--;
    }
  }

  /** Launches a call's kernel and records it (calls that its hooks make are not recorded: they are the hooks'). */
  #runRecorded(recorder: Recorder, op: number, p: CallPlan, kernel: KernelEntry, inputs: readonly Tensor[]): Tensor {
    recorder.depth++;
    let out: Tensor;
    try {
      out = this.#run(kernel, p, p.device, inputs);
    } finally {
      recorder.depth--;
    }
    recorder.add(op, p, kernel, inputs, out);
    return out;
  }

  /** A call that is not direct: waits, copies between devices, casts, decomposes or falls back as it needs. */
  #arrange(op: number, p: CallPlan, inputs: Tensor[], userAttrs: Readonly<Record<string, unknown>> | undefined, target: Device | undefined): Tensor {
    const device = p.device;
    if (p.wait) return this.#callLater(op, p, inputs, userAttrs, target);
    let temps: Tensor[] | undefined;
    for (let i = 1; i < inputs.length; i++) {
      if (devOf(inputs[i]!) !== device) {
        this.#mixedDevices(p.schema, inputs);
        (temps ??= []).push((inputs[i] = this.store.copySync(inputs[i]!, device, 'mixed-devices')));
      }
    }
    let castPending = false;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i]!;
      if (t.dtype !== p.dtype && inputSpec(p.schema, i).promote) {
        (temps ??= []).push((inputs[i] = this.call(CAST, [t], { dtype: p.dtype })));
        if (pendingOf(inputs[i]!) !== undefined) castPending = true;
      }
    }
    try {
      if (castPending) return this.#later(p, device, inputs, 'a cast that fell back', (xs) => this.#execute(op, p, device, xs));
      return this.#execute(op, p, device, inputs);
    } finally {
      if (temps) this.store.disposeTemps(temps, `${p.schema.name}: freeing its temporaries`);
    }
  }

  #execute(op: number, p: CallPlan, device: Device, inputs: readonly Tensor[]): Tensor {
    if (p.kernel === undefined || !device.has(p.outDtype) || !device.has(p.dtype)) {
      // A composite without a (fused) kernel here runs as its decomposition, on this device: no fallback.
      if (p.schema.decompose) return runDecomposition(p.schema, inputs, p.attrs, p.dtype, p.outDtype, p.shape, (name, xs, a) => this.call(opId(name), xs, a, device));
      return this.#fallback(op, p, inputs);
    }
    const recorder = this.#recorder;
    if (recorder !== undefined && recorder.depth === 0 && device === p.device) return this.#runRecorded(recorder, op, p, p.kernel, inputs);
    return this.#run(p.kernel, p, device, inputs);
  }

  /** A call with a pending input, or one on a device that reads asynchronously: it returns a pending tensor. */
  #callLater(op: number, p: CallPlan, inputs: readonly Tensor[], userAttrs: Readonly<Record<string, unknown>> | undefined, target: Device | undefined): Tensor {
    const device = p.device;
    const away = inputs.filter((t) => devOf(t) !== device);
    if (away.length) this.#mixedDevices(p.schema, inputs);
    const waits = inputs.filter((t) => pendingOf(t) !== undefined);
    const what = [
      ...waits.map((t) => `the pending result #${t.id} (${pendingOf(t)!.waitingFor})`),
      ...away.map((t) => `a copy of #${t.id} from ${t.device} to ${device.name}`),
    ].join(' and ');
    return this.#later(p, device, inputs, what, async (xs) => {
      const moved = await Promise.all(xs.map((t) => (devOf(t) === device ? t : this.store.copy(t, device, 'mixed-devices'))));
      try {
        return this.store.detached(() => this.call(op, moved.slice(), userAttrs, target));
      } finally {
        this.store.disposeTemps(moved.filter((t) => !xs.includes(t)), `${p.schema.name}: freeing its copies`);
      }
    });
  }

  /**
   * The one mechanism for calls that must wait for data: returns at once a pending tensor (shape and dtype
   * known from the plan) on `device`; `work` runs once every input's data is there, on handles to the
   * inputs (held, so the user may dispose them meanwhile), and its result's storage becomes the tensor's.
   */
  #later(p: CallPlan, device: Device, inputs: readonly Tensor[], waitingFor: string, work: (inputs: Tensor[]) => Tensor | Promise<Tensor>): Tensor {
    this.#recorder?.spoil(`${p.schema.name} had to wait for ${waitingFor}`);
    const store = this.store;
    for (const t of inputs) store.hold(t);
    const job = (async () => {
      try {
        for (const t of inputs) {
          const pending = pendingOf(t);
          if (pending) await pending.done;
        }
        const handles = inputs.map((t) => store.alias(t));
        const result = await store.detached(() => work(handles));
        const pending = pendingOf(result);
        if (pending) await pending.done;
        return result;
      } finally {
        for (const t of inputs) store.unhold(t);
      }
    })();
    return store.pending(device, p.shape, p.outDtype, sizeOf(p.shape), p.schema.name, waitingFor, job);
  }

  #run(kernel: KernelEntry, p: CallPlan, device: Device, inputs: readonly Tensor[]): Tensor {
    const out = this.store.allocate(device, p.shape, p.outDtype, sizeOf(p.shape), p.schema.name);
    if (this.#hooked) return this.#runHooked(kernel, p, device, inputs, out);
    this.#launch(kernel, p, device, inputs, out);
    if (this.verifier !== undefined) this.verifier.sample(kernel.provenance, p.schema.name, p.dtype, p.attrs, device, inputs, out);
    return out;
  }

  #runHooked(kernel: KernelEntry, p: CallPlan, device: Device, inputs: readonly Tensor[], out: Tensor): Tensor {
    const event: KernelEvent = { op: p.schema.name, dtype: p.dtype, device: device.name, plugin: kernel.provenance.plugin, inputShapes: inputs.map((t) => t.shape), outputShape: p.shape };
    try {
      for (const h of this.#before) h(event);
      this.#launch(kernel, p, device, inputs, out);
      for (const h of this.#after) h(event);
    } catch (e) {
      out.dispose(); // a hook that throws must not leak the output (#launch disposed it on its own failure)
      throw e;
    }
    if (this.verifier !== undefined) this.verifier.sample(kernel.provenance, p.schema.name, p.dtype, p.attrs, device, inputs, out);
    return out;
  }

  /** Runs the kernel into `out`; on failure disposes `out` and throws a coded error naming the plugin. */
  #launch(kernel: KernelEntry, p: CallPlan, device: Device, inputs: readonly Tensor[], out: Tensor): void {
    let r: unknown;
    try {
      // Kernels see views of data made for this call, never the Tensors (which lead to the runtime). Pushed
      // into a literal, the array stays packed: `new Array(n)` makes a holey one, slower for every kernel to read.
      const views: KernelTensor[] = [];
      for (let i = 0; i < inputs.length; i++) views.push(kernelView(inputs[i]!));
      r = kernel.run(views, kernelView(out), p.attrs, device.ctx);
    } catch (e) {
      out.dispose();
      throw kernelFailed(e, p, device, kernel);
    }
    if (r !== undefined) {
      out.dispose();
      throw returned(r, p, device, kernel);
    }
  }

  #mixedDevices(schema: OpSchema, inputs: readonly Tensor[]): void {
    if (this.fallback.policy === 'error') {
      throw new HearthError(
        'E_DEVICE_MISMATCH',
        `${schema.name}: inputs are on different devices (${inputs.map((t) => t.device).join(', ')}). Move them with \`await t.to("${inputs[0]!.device}")\`, or create the runtime with fallback: { policy: "allow" } to copy automatically.`,
        { op: schema.name, devices: inputs.map((t) => t.device) },
      );
    }
    if (this.fallback.policy === 'warn') {
      this.#warn('E_DEVICE_MISMATCH', `${schema.name}: copied inputs to ${inputs[0]!.device} because they were on different devices.`, `${schema.name}@${inputs[0]!.device}`);
    }
  }

  #fallback(op: number, p: CallPlan, inputs: readonly Tensor[]): Tensor {
    const from = p.device;
    // A result its device can't hold can't come back from any fallback: say where that dtype lives instead.
    if (!from.has(p.outDtype)) throw this.resultNotStored(p);
    const where = `${p.schema.name}(${p.dtype}) on ${from.name}`;
    const why = !from.has(p.dtype) || !from.has(p.outDtype) ? `${from.name} does not store ${from.has(p.dtype) ? p.outDtype : p.dtype}` : `no kernel for ${where}`;
    const target = this.fallbackTarget(op, p);
    const onHost = !target && this.fallback.policy !== 'error' ? this.#onHost(p, inputs, why) : undefined;
    if (onHost) return onHost;
    if (!target) {
      const others = this.table.entries().filter((e) => e.op === p.schema.name && e.dtype === p.dtype).map((e) => e.device);
      // By name: two plugins may provide one device type, and only one of their devices may have the kernel.
      const readyWith = this.readyDevices().filter((d) => d !== from && d.has(p.dtype) && d.has(p.outDtype) && this.table.lookup(d.typeId, op, dtypeCode(p.dtype)) !== undefined).map((d) => d.name);
      const advice =
        this.fallback.policy === 'error'
          ? ', or create the runtime with fallback: "warn" (the default) to run it where a kernel exists.'
          : readyWith.length > 0
            ? `; the fallback device ${JSON.stringify(this.fallback.device)} has none (fallback: { device: "auto" } picks any ready device with the kernel).`
            : '; no ready device of this runtime has one, so nothing can run it (load a plugin that has it, e.g. the CPU plugin).';
      throw new HearthError(
        'E_NO_KERNEL',
        `${why}.` +
          (readyWith.length
            ? ` Ready devices with one: ${readyWith.join(', ')}; move the inputs there with \`await t.to("${readyWith[0]}")\``
            : others.length
              ? ` Device types with one: ${[...new Set(others)].join(', ')}; move the inputs there with \`await t.to(...)\``
              : ' No installed plugin has one; cast to a supported dtype') +
          advice,
        { op: p.schema.name, dtype: p.dtype, device: from.name },
      );
    }
    const { device: to, kernel } = target;
    if (this.fallback.policy === 'warn') this.#warn('E_NO_KERNEL', `${why}; ran on ${to.name} instead.`, `${p.schema.name}@${from.name}`);
    if (!from.backend.syncRead || !to.backend.syncRead) {
      return this.#later(p, from, inputs, `a fallback of ${p.schema.name} to ${to.name}`, async (xs) => {
        const moved = await Promise.all(xs.map((t) => this.store.copy(t, to, 'fallback')));
        try {
          const result = this.store.detached(() => this.#run(kernel, p, to, moved));
          try {
            return this.#fellBack(p, from, to, moved, await this.store.copy(result, from, 'fallback'));
          } finally {
            this.store.disposeTemps([result], `${p.schema.name}: freeing its fallback result on ${to.name}`);
          }
        } finally {
          this.store.disposeTemps(moved, `${p.schema.name}: freeing its inputs copied to ${to.name}`);
        }
      });
    }
    const moved = inputs.map((t) => this.store.copySync(t, to, 'fallback'));
    try {
      const result = this.#run(kernel, p, to, moved);
      try {
        return this.#fellBack(p, from, to, moved, this.store.copySync(result, from, 'fallback'));
      } finally {
        this.store.disposeTemps([result], `${p.schema.name}: freeing its fallback result on ${to.name}`);
      }
    } finally {
      this.store.disposeTemps(moved, `${p.schema.name}: freeing its inputs copied to ${to.name}`);
    }
  }

  /** The `E_DTYPE` of a call whose result dtype its device does not store, naming the devices that do. */
  resultNotStored(p: CallPlan): HearthError {
    const from = p.device;
    return notStoredError(from, p.outDtype, this.readyDevices(), {
      there: (d) => (p.schema.inputs.length === 0 ? `run ${p.schema.name} there with { device: "${d}" }` : `move the inputs there with \`await t.to("${d}")\``),
      here: `use a dtype ${from.name} stores (${from.backend.dtypes.join(', ')})`,
    });
  }

  /** Whether a call with no kernel anywhere is made through host memory instead (see `#onHost`). */
  makesOnHost(p: CallPlan): boolean {
    return this.fallback.policy !== 'error' && (p.schema.name === 'reshape' || p.schema.name === 'full') && p.device.has(p.outDtype);
  }

  /**
   * Ops whose result needs no kernel anywhere: `reshape` (the same elements in the same order) and `full`
   * (a constant), made through the host on the device itself, so that a device with a partial plugin and
   * no fallback device still creates and reshapes tensors. Undefined for every other op.
   */
  #onHost(p: CallPlan, inputs: readonly Tensor[], why: string): Tensor | undefined {
    const name = p.schema.name;
    if (!this.makesOnHost(p)) return undefined;
    if (this.fallback.policy === 'warn') this.#warn('E_NO_KERNEL', `${why}; made it through host memory instead.`, `${name}@${p.device.name}`);
    const make = (data: HostArray): Tensor => this.store.fromHost(p.device, data, p.shape, p.outDtype, name);
    if (name === 'full') {
      const value = p.attrs['value'] as number;
      return make(hostArray(p.outDtype, sizeOf(p.shape)).fill(p.outDtype === 'bool' ? (value !== 0 ? 1 : 0) : value));
    }
    const x = inputs[0]!;
    if (pendingOf(x) === undefined && devOf(x).backend.syncRead) return make(this.store.readSync(x));
    return this.#later(p, p.device, inputs, `a host copy for ${name}`, async ([h]) => make(await this.store.read(h!)));
  }

  /** Counts a fallback and emits its event; returns the result. */
  #fellBack(p: CallPlan, from: Device, to: Device, moved: readonly Tensor[], back: Tensor): Tensor {
    const bytes = moved.reduce((n, t) => n + t.size * dtypeBytes(t.dtype), 0) + back.size * dtypeBytes(back.dtype);
    const counters = this.store.counters;
    counters.fallbacks++;
    const site = `${p.schema.name}(${p.dtype}) ${from.name} -> ${to.name}`;
    counters.fallbacksByOp[site] = (counters.fallbacksByOp[site] ?? 0) + 1;
    this.events.emit('fallback', { op: p.schema.name, dtype: p.dtype, from: from.name, to: to.name, bytes });
    return back;
  }

  /**
   * The `warn` policy's warning: a `warning` event for listeners; with none, once per (op, device) on the
   * console's stderr, so the warning is seen without flooding.
   */
  #warn(code: string, message: string, key: string): void {
    if (this.events.has('warning')) this.events.emit('warning', { code, message });
    else if (!this.#warned.has(key)) {
      this.#warned.add(key);
      console.warn(`hearth warning [${code}]: ${message} (shown once; listen with hearth.on("warning", ...) to see each)`);
    }
  }
}

/** Arity facts per op, computed once: how many inputs are required, and whether the last is variadic. */
const ARITY = OPSET.map((schema) => ({
  required: schema.inputs.filter((s) => !s.optional).length,
  variadic: schema.inputs.length > 0 && schema.inputs[schema.inputs.length - 1]!.variadic === true,
}));

/** Throws `E_ARG` unless `n` inputs fit the operator's inputs. */
function checkCount(schema: OpSchema, n: number, op: number): void {
  const specs = schema.inputs;
  const { required, variadic } = ARITY[op]!;
  if (variadic ? n < 1 : n < required || n > specs.length) {
    throw new HearthError(
      'E_ARG',
      `${schema.name} takes ${variadic ? 'one or more tensors' : specs.map((s) => (s.optional ? `[${s.name}]` : s.name)).join(', ') || 'no tensor inputs'}, got ${n} input(s).`,
      { op: schema.name },
    );
  }
}

/**
 * The compute dtype of a call (the dtype that keys its kernel): the promoted dtype of the promoted inputs
 * (made float for float-only operators) or the `dtype` attribute. Throws `E_DTYPE` when an input or the
 * result is outside the dtypes the operator accepts.
 */
export function computeDtype(schema: OpSchema, inputs: readonly { readonly dtype: DType }[], attrs: Readonly<Record<string, unknown>>): DType {
  let dtype: DType | undefined = schema.compute === 'attr' ? (attrs['dtype'] as DType) : undefined;
  const specs = schema.inputs;
  const last = specs.length - 1;
  for (let i = 0; i < inputs.length; i++) {
    const d = inputs[i]!.dtype;
    const spec = specs[i < last ? i : last]!; // a variadic last input takes the rest
    if (spec.promote) dtype = dtype === undefined ? d : promoteTypes(dtype, d);
    else if (!inClass(d, spec.dtypes)) throw dtypeError(schema, `${spec.name} has dtype ${d}`, d, spec.dtypes);
  }
  return computeFrom(schema, dtype!);
}

/** The compute dtype from the promoted inputs' common dtype: made float for float-only operators, then checked. */
function computeFrom(schema: OpSchema, common: DType): DType {
  const dtype = schema.compute === 'float' ? floatTypeFor(common) : common;
  if (!inClass(dtype, schema.computeDtypes)) throw dtypeError(schema, `the inputs compute in ${dtype} (their common dtype)`, dtype, schema.computeDtypes);
  return dtype;
}

function notATensor(schema: OpSchema, i: number, t: unknown): HearthError {
  return new HearthError('E_ARG', `${schema.name}: input ${i} is not a Tensor (got ${describeArg(t)}); make one with hearth.tensor(...).`, { op: schema.name });
}

function otherRuntime(schema: OpSchema, i: number): HearthError {
  return new HearthError(
    'E_DEVICE_MISMATCH',
    `${schema.name}: input ${i} belongs to another Hearth runtime instance; instances share nothing. Copy it with this runtime's tensor(await t.data(), { shape: t.shape, dtype: t.dtype }).`,
    { op: schema.name },
  );
}

/** A kernel's failure as a coded error: a `HearthError` it threw passes through; anything else is `E_KERNEL`, a plugin bug. */
function kernelFailed(e: unknown, p: CallPlan, device: Device, kernel: KernelEntry): HearthError {
  if (e instanceof HearthError) return e;
  return new HearthError(
    'E_KERNEL',
    `${p.schema.name}(${p.dtype}) on ${device.name} failed inside ${kernel.provenance.plugin}@${kernel.provenance.version}: ${describeError(e)}. This is a plugin bug; report it to its vendor.`,
    { op: p.schema.name, device: device.name, plugin: kernel.provenance },
    { cause: e },
  );
}

function tooManyAxes(schema: OpSchema, shape: Shape): HearthError {
  return new HearthError('E_SHAPE', `${schema.name}: the result would have ${shape.length} axes; a tensor has at most ${MAX_RANK}.`, { op: schema.name, rank: shape.length });
}

/** The error for a kernel that returned something: kernels write their output and return `undefined`. */
function returned(r: unknown, p: CallPlan, device: Device, kernel: KernelEntry): HearthError {
  const what = isThenable(r) ? 'a promise, but kernels are synchronous' : `${describeArg(r)}, but kernels write their output's storage and return nothing`;
  if (isThenable(r)) Promise.resolve(r).then(undefined, () => undefined); // refused, so its rejection is nobody's
  return new HearthError(
    'E_KERNEL',
    `${p.schema.name}(${p.dtype}) on ${device.name}: the kernel of ${kernel.provenance.plugin}@${kernel.provenance.version} returned ${what} (the core reads the output as soon as run() returns). This is a plugin bug; report it to its vendor.`,
    { op: p.schema.name, device: device.name, plugin: kernel.provenance },
  );
}

/** True when a dtype belongs to a class. */
export function inClass(dtype: DType, cls: DTypeClass): boolean {
  switch (cls) {
    case 'any':
      return true;
    case 'numeric':
      return dtype !== 'bool';
    case 'float':
      return isFloat(dtype);
    default:
      return dtype === cls;
  }
}

function dtypeError(schema: OpSchema, found: string, dtype: DType, cls: DTypeClass): HearthError {
  const hint = dtype === 'bool' ? ' Cast bool tensors with cast(x, "int32") or cast(x, "float32") first.' : ' Cast the input to an accepted dtype first.';
  return new HearthError('E_DTYPE', `${schema.name}: ${found}, but ${schema.name} accepts ${cls === 'numeric' ? 'numeric (non-bool)' : cls} dtypes.${hint}`, {
    op: schema.name,
    dtype,
    accepts: cls,
  });
}
