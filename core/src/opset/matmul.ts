import { HearthError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { promoted, type OpSchema } from './schema.js';

/**
 * `matmul(a, b)` with NumPy semantics: 1-D operands are promoted to a row (a) or column (b) vector and the
 * added axis removed from the result; leading (batch) axes broadcast.
 */
export const MATMUL_OP: OpSchema = {
  name: 'matmul',
  family: 'matmul',
  doc: 'Matrix product over the last two axes with broadcast batch axes; 1-D operands act as vectors (NumPy rules). int32 wraps around.',
  inputs: [promoted('a', 'numeric'), promoted('b', 'numeric')],
  attrs: {},
  compute: 'promote',
  output: 'compute',
  computeDtypes: 'numeric',
  meta(ins) {
    const a = ins[0]!.shape;
    const b = ins[1]!.shape;
    if (a.length === 0 || b.length === 0) {
      throw new HearthError('E_SHAPE', `matmul needs operands of rank >= 1, got [${a.join(', ')}] and [${b.join(', ')}]; use mul for scalars.`, { a, b });
    }
    const a2 = a.length === 1 ? [1, a[0]!] : a;
    const b2 = b.length === 1 ? [b[0]!, 1] : b;
    const k = a2[a2.length - 1]!;
    if (k !== b2[b2.length - 2]) {
      throw new HearthError(
        'E_SHAPE',
        `matmul: inner dimensions differ: [${a.join(', ')}] @ [${b.join(', ')}] (${k} vs ${b2[b2.length - 2]}). The last axis of a must equal the second-to-last of b.`,
        { a, b },
      );
    }
    const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
    const out = [...batch];
    if (a.length > 1) out.push(a2[a2.length - 2]!);
    if (b.length > 1) out.push(b2[b2.length - 1]!);
    return out;
  },
};
