import type { CallPlan } from './call-plan.js';
import type { DType } from './dtype.js';
import type { Device } from './device.js';
import type { KernelEntry } from './kernel-table.js';
import { sameShape, type Shape } from './shape.js';
import { Tensor, tensorInternals } from './tensor.js';

const { device: devOf, pending: pendingOf, runtime: runtimeOf } = tensorInternals;

/** What a recording needs of the dispatcher that made it. */
export interface RecordedCallRunner {
  /** The kernel the call's device has now for its plan (the kernel table may change between runs). */
  kernelFor(op: number, plan: CallPlan): KernelEntry | undefined;
  /** The kernel table's version: kernels looked up at the same version are still the ones it has. */
  tableVersion(): number;
  /** Runs a direct call as planned: allocates its output and launches the kernel (hooks and verification included). */
  runPlanned(kernel: KernelEntry, plan: CallPlan, inputs: readonly Tensor[]): Tensor;
  /** The runtime's tensor store: the tensors of this runtime are its. */
  readonly runtime: object;
  /** Disposes temporaries, reporting (never throwing) a failure to free one. */
  disposeTemps(tensors: readonly Tensor[], where: string): void;
}

/**
 * Where a recorded call's input comes from: recording input `s` (0 <= s < inputs), the result of call
 * `s - inputs`, or captured tensor `-s - 1` (one made before the recording, such as a model's weights).
 */
type Source = number;

interface RecordedCall {
  readonly op: number;
  readonly plan: CallPlan;
  readonly kernel: KernelEntry;
  readonly from: readonly Source[];
}

interface InputMeta {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly device: Device;
  /** The first input position holding the same tensor (its own position when none before does). */
  readonly same: number;
}

/**
 * The operator calls a function made, recorded by {@link Hearth.record}: each with its plan (attributes
 * parsed, dtypes, output shape and kernel resolved) and where its inputs came from. Replaying runs the
 * same kernels on new inputs of the same shapes, dtypes and devices, without the function, validation or
 * planning: what a model's run does for each node once the shapes of its inputs are known.
 */
export class Recording {
  readonly #runner: RecordedCallRunner;
  readonly #inputs: readonly InputMeta[];
  readonly #calls: readonly RecordedCall[];
  readonly #captured: readonly Tensor[];
  readonly #outputs: readonly Source[];
  /** The kernel table's version when the kernels were last found to be the recorded ones. */
  #checked: number;
  /** Per call, whether its result is an output (the others are freed when the replay ends). */
  readonly #isOutput: readonly boolean[];
  /** Whether any call's result is an intermediate one. */
  readonly #temps: boolean;

  /** @internal Made by {@link Hearth.record}. */
  constructor(runner: RecordedCallRunner, inputs: readonly InputMeta[], calls: readonly RecordedCall[], captured: readonly Tensor[], outputs: readonly Source[]) {
    this.#runner = runner;
    this.#inputs = inputs;
    this.#calls = calls;
    this.#captured = captured;
    this.#outputs = outputs;
    this.#isOutput = calls.map((_, k) => outputs.includes(inputs.length + k));
    this.#temps = this.#isOutput.includes(false);
    this.#checked = runner.tableVersion();
  }

  /** The operators of the recorded calls, in order. */
  get ops(): readonly string[] {
    return this.#calls.map((c) => c.plan.schema.name);
  }

  /**
   * True when a replay on `inputs` runs what the function would: the same number of tensors, each alive,
   * ready, of this runtime, with the recorded shape, dtype and device (and the same tensor where the
   * recording had one tensor twice); every captured tensor alive; every kernel still the one recorded.
   */
  applies(inputs: readonly Tensor[]): boolean {
    const want = this.#inputs;
    if (inputs.length !== want.length) return false;
    const runtime = this.#runner.runtime;
    for (let i = 0; i < want.length; i++) {
      const t = inputs[i]!;
      const m = want[i]!;
      if (!(t instanceof Tensor) || t.disposed || t.dtype !== m.dtype || runtimeOf(t) !== runtime || devOf(t) !== m.device || pendingOf(t) !== undefined || !sameShape(t.shape, m.shape)) return false;
      if (firstOf(inputs, i) !== m.same) return false;
    }
    const captured = this.#captured;
    for (let i = 0; i < captured.length; i++) if (captured[i]!.disposed) return false;
    const version = this.#runner.tableVersion();
    if (version !== this.#checked) {
      for (const c of this.#calls) if (this.#runner.kernelFor(c.op, c.plan) !== c.kernel) return false;
      this.#checked = version;
    }
    return true;
  }

  /**
   * Runs the recorded calls on `inputs` and returns the function's tensors, made anew; undefined (and
   * nothing run) when the recording does not apply to them (see {@link Recording.applies}): run the
   * function instead. A reshape is a view of its input's storage, not a copy. The intermediate results
   * are freed before it returns; a failing kernel frees
   * everything the replay made and throws the error the call would have.
   */
  replay(inputs: readonly Tensor[]): Tensor[] | undefined {
    if (!this.applies(inputs)) return undefined;
    const n = inputs.length;
    const calls = this.#calls;
    const made: Tensor[] = [];
    try {
      for (let k = 0; k < calls.length; k++) {
        const c = calls[k]!;
        const from = c.from;
        const xs: Tensor[] = [];
        for (let j = 0; j < from.length; j++) {
          const s = from[j]!;
          xs.push(s >= n ? made[s - n]! : s >= 0 ? inputs[s]! : this.#captured[-s - 1]!);
        }
        made.push(this.#runner.runPlanned(c.kernel, c.plan, xs));
      }
    } catch (e) {
      this.#runner.disposeTemps(made, 'a replay that failed: freeing what it made');
      throw e;
    }
    const out: Tensor[] = [];
    const outputs = this.#outputs;
    for (let j = 0; j < outputs.length; j++) {
      const s = outputs[j]!;
      out.push(s >= n ? made[s - n]! : s >= 0 ? inputs[s]! : this.#captured[-s - 1]!);
    }
    if (this.#temps) {
      const temps: Tensor[] = [];
      for (let k = 0; k < made.length; k++) if (!this.#isOutput[k]) temps.push(made[k]!);
      this.#runner.disposeTemps(temps, 'a replay: freeing its intermediate results');
    }
    return out;
  }
}

/** The first position of `xs` holding the same tensor as position `i`. */
function firstOf(xs: readonly Tensor[], i: number): number {
  const t = xs[i];
  for (let j = 0; j < i; j++) if (xs[j] === t) return j;
  return i;
}

/**
 * The dispatcher's state while a function is recorded: the top-level calls it makes (calls made inside
 * one, such as a decomposition's, are part of it) and why, if so, the recording can't be replayed.
 */
export class Recorder {
  /** Calls under way inside a recorded call (a cast, a decomposition, a hook): not recorded themselves. */
  depth = 0;
  #spoiled: string | undefined;
  readonly #inputs: readonly Tensor[];
  readonly #firstId: number;
  readonly #captured: Tensor[] = [];
  readonly #calls: RecordedCall[] = [];
  // Results by their id's offset from `firstId` (ids grow with each tensor made): found without a map keyed by
  // tensor, which would hash every result.
  readonly #results: { readonly t: Tensor; readonly s: Source }[] = [];

  /** `firstId`: the id the next tensor of the runtime gets; tensors from it on were made during the recording. */
  constructor(inputs: readonly Tensor[], firstId: number) {
    this.#inputs = inputs;
    this.#firstId = firstId;
  }

  /** Why the recording can't be replayed, once something made it so. */
  get spoiled(): string | undefined {
    return this.#spoiled;
  }

  /** Marks the recording as not replayable, for the first reason given. */
  spoil(why: string): void {
    this.#spoiled ??= why;
  }

  /** Adds a direct call that ran: operator `op`, its plan and kernel, its inputs, its result. */
  add(op: number, plan: CallPlan, kernel: KernelEntry, inputs: readonly Tensor[], result: Tensor): void {
    if (this.#spoiled !== undefined) return;
    const from: Source[] = [];
    for (const t of inputs) {
      const s = this.#source(t);
      if (s === undefined) return;
      from.push(s);
    }
    this.#results[result.id - this.#firstId] = { t: result, s: this.#inputs.length + this.#calls.length };
    this.#calls.push({ op, plan, kernel, from });
  }

  /** Where `t` comes from: an input, a recorded call's result or a tensor made before (captured). */
  #source(t: Tensor): Source | undefined {
    const inputs = this.#inputs;
    for (let i = 0; i < inputs.length; i++) if (inputs[i] === t) return i;
    if (t.id >= this.#firstId) {
      const r = this.#results[t.id - this.#firstId];
      if (r !== undefined && r.t === t) return r.s;
      this.spoil(`it used tensor #${t.id} (made by ${t.createdBy}), made during the recording other than by an operator call`);
      return undefined;
    }
    const captured = this.#captured;
    for (let i = 0; i < captured.length; i++) if (captured[i] === t) return -i - 1;
    captured.push(t);
    return -captured.length;
  }

  /** The recording of a function that returned `outputs`, or the reason there is none. */
  finish(runner: RecordedCallRunner, outputs: readonly Tensor[]): Recording | string {
    const to: Source[] = [];
    for (const t of outputs) {
      if (!(t instanceof Tensor)) return 'it returned something other than tensors';
      const s = this.#source(t);
      if (s === undefined) break;
      to.push(s);
    }
    if (this.#spoiled !== undefined) return this.#spoiled;
    const inputs = this.#inputs.map((t, i) => ({ shape: t.shape, dtype: t.dtype, device: devOf(t), same: firstOf(this.#inputs, i) }));
    return new Recording(runner, inputs, this.#calls, this.#captured, to);
  }
}
