import { HearthError } from './errors.js';
import { sameShape } from './shape.js';
import type { DType } from './dtype.js';
import type { OpBuilder, OpSchema } from './opset/schema.js';
import type { Tensor } from './tensor.js';

/** How a decomposition reaches the dispatcher: an ordinary op call by name, on the composite's device. */
export type CallByName = (name: string, inputs: Tensor[], attrs: Readonly<Record<string, unknown>> | undefined) => Tensor;

/**
 * Runs a composite operator's decomposition: each step an ordinary op call (validated, dispatched, and
 * falling back like a user's), every intermediate freed at the end, the result checked against `meta`.
 */
export function runDecomposition(schema: OpSchema, inputs: readonly Tensor[], attrs: Readonly<Record<string, unknown>>, dtype: DType, outDtype: DType, shape: readonly number[], call: CallByName): Tensor {
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  const builder: OpBuilder<Tensor> = {
    op: (name, xs, a) => keep(call(name, xs.slice(), a)),
    scalar: (value, dt = dtype) => keep(call('full', [], { shape: [], value, dtype: dt })),
  };
  let result: Tensor | undefined;
  try {
    result = schema.decompose!(builder, inputs, attrs, dtype);
    // A decomposition that hands back an input (clip with no bounds) still gives the caller a tensor of its own.
    if (!made.includes(result)) result = call('reshape', [result], { shape: [...result.shape] });
    if (!sameShape(result.shape, shape) || result.dtype !== outDtype) {
      throw new HearthError(
        'E_KERNEL',
        `${schema.name}: its decomposition gave [${result.shape.join(', ')}] ${result.dtype}, but meta says [${shape.join(', ')}] ${outDtype}. This is a bug in the operator's record.`,
        { op: schema.name },
      );
    }
    return result;
  } catch (e) {
    result = undefined;
    throw e;
  } finally {
    for (const t of made) if (t !== result) t.dispose();
  }
}
