import { floatTypeFor, getOp, parseAttrs, promoteTypes, type DType } from '@hearth/core';
import { binaryOracles, castOracle, unaryOracles, whereOracle } from './elementwise.js';
import { reduceOracles } from './reduce.js';
import { conv2dOracle, matmulOracle, poolOracles } from './linalg.js';
import { creationOracles, movementOracles } from './movement.js';
import { cumsumOracle, topkOracle } from './scan.js';
import { gatherElementsOracle, tileOracle } from './indexing.js';
import { convTransposeOracle, resizeOracle } from './sampling.js';
import { randomNormalOracle, randomUniformOracle } from './random.js';
import { erfRef, modRef } from './v2-elementwise.js';
import { erfNear } from './scalar.js';
import { compositeOracle } from './composite.js';
import { elementwiseOracle } from './elementwise.js';
import { roundTo } from '../numeric/float.js';
import { OPSET_V2_ADDED, kindOf } from '@hearth/core';
import type { Expected, OracleFn } from './types.js';
import type { TensorInput } from '../cases/types.js';

export type { Expected } from './types.js';

/** The float64 reference of every operator, by name: composites by their decomposition on these references. */
export const ORACLES: Readonly<Record<string, OracleFn>> = {
  ...unaryOracles,
  ...binaryOracles,
  where: whereOracle,
  cast: castOracle,
  ...reduceOracles,
  matmul: matmulOracle,
  ...movementOracles,
  conv2d: conv2dOracle,
  ...poolOracles,
  ...creationOracles,
  // Only float64 results need the correctly rounded (and slow) series; float32 and float16 ones take erfNear.
  erf: (ins, _a, _c, out) => elementwiseOracle(ins, out, out === 'float64' ? ([x]) => erfRef(x!) : ([x]) => erfNear(x!)),
  mod: (ins, a, c, out) => elementwiseOracle(ins, out, ([x, y]) => modRef(x!, y!, a['fmod'] as boolean, c === 'int32')),
  cumsum: cumsumOracle,
  topk: topkOracle,
  gather_elements: gatherElementsOracle,
  tile: tileOracle,
  resize: resizeOracle,
  conv_transpose2d: convTransposeOracle,
  random_uniform: randomUniformOracle,
  random_normal: randomNormalOracle,
  ...Object.fromEntries(OPSET_V2_ADDED.filter((o) => kindOf(o) === 'composite').map((o) => [o.name, compositeOracle(o.name, (op, ins, a) => evaluate(op, ins, a))])),
};

/** The dtypes of a call. */
export interface CallDtypes {
  /** The compute dtype (the kernel key). */
  compute: DType;
  /** The output dtype. */
  out: DType;
}

/** The compute and output dtypes of a call, by the opset's rules (promotion, float-only ops, attr dtypes). */
export function dtypesOf(op: string, inputs: readonly { dtype: DType }[], attrs: Readonly<Record<string, unknown>>): CallDtypes {
  const schema = getOp(op);
  const a = parseAttrs(op, schema.attrs, attrs);
  let compute: DType | undefined = schema.compute === 'attr' ? (a['dtype'] as DType) : undefined;
  inputs.forEach((t, i) => {
    if (schema.inputs[Math.min(i, schema.inputs.length - 1)]!.promote) compute = compute === undefined ? t.dtype : promoteTypes(compute, t.dtype);
  });
  if (schema.compute === 'float') compute = floatTypeFor(compute!);
  const out = schema.output === 'compute' ? compute! : schema.output === 'attr' ? (a['dtype'] as DType) : schema.output;
  return { compute: compute!, out };
}

/** What `op(inputs, attrs)` must give, computed in float64 by the suite's own reference. */
export function evaluate(op: string, inputs: readonly TensorInput[], attrs: Readonly<Record<string, unknown>>): Expected {
  const schema = getOp(op);
  const a = parseAttrs(op, schema.attrs, attrs);
  const { compute, out } = dtypesOf(op, inputs, attrs);
  // Data read once here: a lazily drawn input's getter is not to be called per element in the loops below.
  const promoted = inputs.map((t, i) => {
    const data = t.data;
    return schema.inputs[Math.min(i, schema.inputs.length - 1)]!.promote && t.dtype !== compute ? { dtype: compute, shape: t.shape, data: data.map((v) => roundTo(compute, v)) } : { dtype: t.dtype, shape: t.shape, data };
  });
  return ORACLES[op]!(promoted, a, compute, out);
}
