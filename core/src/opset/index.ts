import { HearthError } from '../errors.js';
import { UNARY_OPS, BINARY_OPS, WHERE_OP } from './elementwise.js';
import { CAST_OP } from './cast.js';
import { REDUCE_OPS, SOFTMAX_OPS } from './reduce.js';
import { MATMUL_OP } from './matmul.js';
import { MOVEMENT_OPS } from './movement.js';
import { CONV_OPS } from './conv.js';
import { CREATION_OPS } from './creation.js';
import type { OpSchema } from './schema.js';
import { deepFreeze } from '../snapshot.js';

/**
 * Every operator of opset v1, in a fixed order: an op's index here is its small-integer id. Deep-frozen
 * (schemas, attribute specs and their defaults, `meta`): one opset serves every runtime and plugin of the
 * process, and none of them can change what an operator means for the others.
 */
export const OPSET_V1: readonly OpSchema[] = deepFreeze([
  ...UNARY_OPS,
  ...BINARY_OPS,
  WHERE_OP,
  CAST_OP,
  ...REDUCE_OPS,
  ...SOFTMAX_OPS,
  MATMUL_OP,
  ...MOVEMENT_OPS,
  ...CONV_OPS,
  ...CREATION_OPS,
]);

const BY_NAME = new Map(OPSET_V1.map((op, i) => [op.name, i] as const));

/** The small-integer id of an operator; throws `E_UNKNOWN_OP` (with close names) for an unknown name. */
export function opId(name: string): number {
  const id = BY_NAME.get(name);
  if (id === undefined) {
    const close = [...BY_NAME.keys()].filter((n) => n.includes(name) || name.includes(n)).slice(0, 3);
    throw new HearthError('E_UNKNOWN_OP', `Unknown operator "${name}".${close.length ? ` Did you mean ${close.join(', ')}?` : ''} \`hearth ops\` lists them all.`, { op: name });
  }
  return id;
}

/** The schema of an operator by name. */
export function getOp(name: string): OpSchema {
  return OPSET_V1[opId(name)]!;
}
