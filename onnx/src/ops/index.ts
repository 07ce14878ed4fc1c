import type { OnnxOp, OpTable } from './context.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { MOVEMENT_OPS } from './movement.js';
import { NN_OPS } from './nn.js';
import { REDUCE_OPS } from './reduce.js';

/** Constant's value: a host value, always (it never needs a device unless a device op reads it). */
const CONSTANT: OnnxOp = {
  kind: 'primitive',
  attrs: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'],
  check: (node) => (node.attrs.size === 1 ? undefined : 'exactly one of value, value_float(s), value_int(s)'),
  run: () => {
    throw new Error('Constant is evaluated when the model loads.');
  },
};

/** Every ONNX op of the default domain Hearth maps, by op type. */
export const ONNX_OPS: OpTable = { ...ELEMENTWISE_OPS, ...REDUCE_OPS, ...MOVEMENT_OPS, ...NN_OPS, Constant: CONSTANT };

export { OpContext, type OnnxOp, type MappingKind } from './context.js';
export { evalOnHost } from './host.js';
