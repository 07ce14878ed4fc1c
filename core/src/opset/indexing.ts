import { HearthError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import { attr } from './attrs.js';
import { attrOf, fixed, promoted, type OpSchema } from './schema.js';

/** `gather_elements` and `tile`. */
export const INDEXING_OPS_V2: readonly OpSchema[] = [
  {
    name: 'gather_elements',
    family: 'movement',
    doc:
      'ONNX GatherElements: out[i] = x[i with i[axis] replaced by indices[i]]; indices (int32, same rank as x, each size at ' +
      'most x\'s off `axis`) give the output shape; negative indices count from the end; out-of-range indices are an ' +
      'E_INDEX_OUT_OF_RANGE error where the backend can check them.',
    inputs: [promoted('x'), fixed('indices', 'int32')],
    attrs: { axis: attr.int({ default: 0 }) },
    compute: 'promote',
    output: 'compute',
    computeDtypes: 'any',
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      const idx = ins[1]!.shape;
      const axis = normalizeAxis(attrOf<number>(attrs, 'axis'), x.length, 'gather_elements');
      if (idx.length !== x.length || idx.some((d, i) => i !== axis && d > x[i]!)) {
        throw new HearthError('E_SHAPE', `gather_elements: indices [${idx.join(', ')}] must have x's rank ${x.length} and sizes at most x's [${x.join(', ')}] off axis ${axis}.`, { x, indices: idx });
      }
      if (x[axis] === 0 && idx[axis]! > 0 && idx.every((d) => d > 0)) {
        throw new HearthError('E_INDEX_OUT_OF_RANGE', `gather_elements: axis ${axis} of x is empty, so no index is in range.`, { x, indices: idx });
      }
      return idx.slice();
    },
    since: 2,
  },
  {
    name: 'tile',
    family: 'movement',
    doc: 'Repeats x `repeats[i]` times along each axis i (one entry per axis, each >= 0): out[i] = x[i mod x.shape].',
    inputs: [promoted('x')],
    attrs: { repeats: attr.ints({ min: 0 }) },
    compute: 'promote',
    output: 'compute',
    computeDtypes: 'any',
    meta(ins, attrs) {
      const x = ins[0]!.shape;
      const reps = attrOf<number[]>(attrs, 'repeats');
      if (reps.length !== x.length) throw new HearthError('E_ATTR', `tile: repeats must have one entry per axis (${x.length}), got ${reps.length}.`, { repeats: reps, shape: x });
      return x.map((d, i) => d * reps[i]!);
    },
    since: 2,
  },
];
