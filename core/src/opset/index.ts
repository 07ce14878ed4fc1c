import { HearthError } from '../errors.js';
import { UNARY_OPS, BINARY_OPS, WHERE_OP } from './elementwise.js';
import { CAST_OP } from './cast.js';
import { REDUCE_OPS, SOFTMAX_OPS } from './reduce.js';
import { MATMUL_OP } from './matmul.js';
import { MOVEMENT_OPS } from './movement.js';
import { CONV_OPS } from './conv.js';
import { CREATION_OPS } from './creation.js';
import { MATH_OPS_V2 } from './math.js';
import { SCAN_OPS_V2 } from './scan.js';
import { INDEXING_OPS_V2 } from './indexing.js';
import { RESIZE_OP } from './resize.js';
import { CONV_TRANSPOSE_OP } from './conv-transpose.js';
import { RANDOM_OPS_V2 } from './random.js';
import { COMPOSITES_V2 } from './composites/index.js';
import type { OpSchema } from './schema.js';
import { deepFreeze } from '../snapshot.js';

/**
 * Every operator of opset v1, in a fixed order. Deep-frozen (schemas, attribute specs and their defaults,
 * `meta`): one opset serves every runtime and plugin of the process, and none of them can change what an
 * operator means for the others. Later opsets only append.
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

/** The operators opset v2 adds: primitives (every backend implements them), then composites. */
export const OPSET_V2_ADDED: readonly OpSchema[] = deepFreeze([
  ...MATH_OPS_V2,
  ...SCAN_OPS_V2,
  ...INDEXING_OPS_V2,
  RESIZE_OP,
  CONV_TRANSPOSE_OP,
  ...RANDOM_OPS_V2,
  ...COMPOSITES_V2,
]);

/**
 * Every operator of this core's opset (v2), in a fixed order: an op's index here is its small-integer id.
 * Opset v1's operators come first, with the ids they always had.
 */
export const OPSET: readonly OpSchema[] = Object.freeze([...OPSET_V1, ...OPSET_V2_ADDED]);

/** The operators of opset `version` (1 or 2): those introduced at or before it. */
export function opsetOps(version: number): readonly OpSchema[] {
  return OPSET.filter((op) => (op.since ?? 1) <= version);
}

const BY_NAME = new Map(OPSET.map((op, i) => [op.name, i] as const));

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
  return OPSET[opId(name)]!;
}
