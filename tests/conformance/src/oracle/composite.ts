import { getOp, isFloat, type DType, type OpBuilder } from '@hearth/core';
import { roundTo } from '../numeric/float.js';
import type { Expected, OracleFn, OracleTensor } from './types.js';

/** Evaluates one operator on oracle tensors (the suite's `evaluate`, given here to avoid an import cycle). */
export type Evaluate = (op: string, inputs: readonly OracleTensor[], attrs: Readonly<Record<string, unknown>>) => Expected;

/**
 * A composite's reference: its decomposition (the operator's definition) run on the suite's own float64
 * oracles of the operators it calls. Float inputs are widened to float64 first, so every step is exact to
 * float64 and the only rounding is the final one to the output dtype. `mag` is the call's scale, the largest
 * finite magnitude among its inputs and its result (at least 1): a composite's bound is relative to it, as
 * its decomposition's own roundings are (a normalization's cancellation grows with its input's offset),
 * except for a composite that inherits another operator's bound, which keeps that operator's magnitudes.
 */
export function compositeOracle(op: string, evaluate: Evaluate): OracleFn {
  const schema = getOp(op);
  return (inputs, attrs, compute, out) => {
    const wide: DType = isFloat(compute) ? 'float64' : compute;
    const widen = (t: OracleTensor): OracleTensor => (isFloat(t.dtype) ? { ...t, dtype: 'float64' } : t);
    let last: Expected | undefined;
    const builder: OracleTensorBuilder = {
      op: (name, xs, a) => {
        const e = (last = evaluate(name, xs, a ?? {}));
        return { dtype: e.dtype, shape: e.shape, data: Array.from(e.values, (v) => roundTo(e.dtype, v)) };
      },
      scalar: (value, dtype = wide) => ({ dtype: isFloat(dtype) ? 'float64' : dtype, shape: [], data: [roundTo(dtype, value)] }),
    };
    const result = schema.decompose!(builder, inputs.map(widen), attrs, wide);
    const values = Float64Array.from(result.data);
    // A composite that is one call of another operator keeps that call's magnitudes, for its inherited bound.
    if (schema.bound?.inherits !== undefined && last?.mag) return { shape: [...result.shape], dtype: out, values, mag: last.mag, ...(last.terms ? { terms: last.terms } : {}) };
    let scale = 1;
    for (const v of [...values, ...inputs.flatMap((t) => t.data)]) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    return { shape: [...result.shape], dtype: out, values, mag: new Float64Array(values.length).fill(scale), terms: new Float64Array(values.length).fill(1) };
  };
}

type OracleTensorBuilder = OpBuilder<OracleTensor>;
