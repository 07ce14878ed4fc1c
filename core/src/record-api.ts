import { HearthError } from './errors.js';
import { describeArg } from './arguments.js';
import { Hearth } from './runtime.js';
import { Tensor } from './tensor.js';
import type { Recording } from './recording.js';

/** What {@link Hearth.record} returns. */
export interface Recorded<R> {
  /** What the function returned. */
  readonly result: R;
  /** The recording, when the function's work can be replayed (see {@link Hearth.record}). */
  readonly recording: Recording | undefined;
  /** Why there is no recording, when there is none. */
  readonly reason: string | undefined;
}

declare module './runtime.js' {
  interface Hearth {
    /**
     * Runs `fn` (synchronous, returning a tensor or an array of tensors) and records the operator calls it
     * makes, each with its plan resolved: attributes parsed, dtypes, output shape, kernel. `recording.replay(xs)`
     * then runs the same kernels on new tensors `xs` in place of `inputs`, skipping the function, validation
     * and planning, as long as `xs` have the shapes, dtypes and devices `inputs` had (else it returns
     * undefined and nothing runs: call `fn` again). Tensors made before the recording (weights) are used as
     * they are; a replay checks they are still alive. A replayed `reshape` makes no copy: its result shares
     * its input's storage, which lives until the last tensor on it is disposed.
     *
     * For functions whose calls depend only on their inputs' shapes, dtypes and devices (and on values
     * fixed when recorded): a replay repeats the recorded attributes, and only the kernel calls (what else
     * the function did, such as disposing or keeping tensors, is not repeated; the calls' intermediate
     * results are freed). A function that reads tensor data,
     * makes tensors from host data that its calls use, or makes a call that must wait, copy, cast,
     * decompose or fall back gets no recording (`reason` says why); its result stands either way.
     */
    record<R extends Tensor | readonly Tensor[]>(inputs: readonly Tensor[], fn: () => R): Recorded<R>;
  }
}

Hearth.prototype.record = function <R extends Tensor | readonly Tensor[]>(this: Hearth, inputs: readonly Tensor[], fn: () => R): Recorded<R> {
  if (!Array.isArray(inputs)) throw new HearthError('E_ARG', `record() takes an array of input tensors and a function, e.g. hearth.record([x], () => x.relu()); got ${describeArg(inputs)}.`);
  if (typeof fn !== 'function') throw new HearthError('E_ARG', `record() takes a function to run as its second argument, got ${describeArg(fn)}.`);
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new HearthError('E_ARG', `record(): input ${i} is not a Tensor (got ${describeArg(t)}).`);
    t.assertAlive();
  });
  return this.dispatcher.record(inputs.slice(), fn);
};
