import type { OnnxOp, OpTable } from './context.js';
import { EINSUM_OPS } from './einsum.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { LOSS_OPS } from './losses.js';
import { MASK_OPS } from './masks.js';
import { SCATTER_OPS } from './scatter.js';
import { TRIG_OPS } from './trig.js';
import { MOVEMENT_OPS } from './movement.js';
import { NN_OPS } from './nn.js';
import { QUANTIZE_OPS } from './quantize.js';
import { REDUCE_OPS } from './reduce.js';
import { RNN_OPS } from './rnn.js';
import { ifOp, loopOp, scanOp } from './control.js';
import { SPECTRAL_OPS } from './spectral.js';
import { V2_COMPOSITES, V2_OPS } from './v2.js';

/** Constant's value: a host value, always (it never needs a device unless a device op reads it). */
const CONSTANT: OnnxOp = {
  kind: 'primitive',
  attrs: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'],
  check: (node) => (node.attrs.size === 1 ? undefined : 'exactly one of value, value_float(s), value_int(s)'),
  run: () => {
    throw new Error('Constant is evaluated when the model loads.');
  },
};

/** Hands a node to an opset v2 composite where the core has one (one Hearth op instead of a decomposition). */
function withComposites(table: OpTable): OpTable {
  return Object.fromEntries(
    Object.entries(table).map(([type, op]) => {
      const run = V2_COMPOSITES[type] as (OnnxOp['run'] & { op?: string }) | undefined;
      return [type, run ? { ...op, kind: 'primitive' as const, run, ...(run.op ? { composite: run.op } : {}) } : op];
    }),
  );
}

/** Every ONNX op of the default domain Hearth maps, by op type. */
export const ONNX_OPS: OpTable = withComposites({ ...ELEMENTWISE_OPS, ...REDUCE_OPS, ...MOVEMENT_OPS, ...NN_OPS, ...MASK_OPS, ...TRIG_OPS, ...EINSUM_OPS, ...SCATTER_OPS, ...LOSS_OPS, ...RNN_OPS, ...SPECTRAL_OPS, ...QUANTIZE_OPS, ...V2_OPS, Constant: CONSTANT, If: ifOp(() => ONNX_OPS), Loop: loopOp(() => ONNX_OPS), Scan: scanOp(() => ONNX_OPS) });

export { OpContext, type OnnxOp, type MappingKind } from './context.js';
export { constantOf, evalOnHost, hostEvaluable } from './host.js';
