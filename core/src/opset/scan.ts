import { HearthError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import { attr } from './attrs.js';
import { attrOf, promoted, type OpSchema } from './schema.js';

/** `cumsum` and `topk`: operators that order or accumulate along one axis. */
export const SCAN_OPS_V2: readonly OpSchema[] = [
  {
    name: 'cumsum',
    family: 'scan',
    doc:
      'Running sum along `axis`, summed in order from the start (from the end when `reverse`); `exclusive` leaves the ' +
      'current element out (the first output is 0). The output has x\'s shape and the compute dtype; int32 wraps around.',
    inputs: [promoted('x')],
    attrs: { axis: attr.int(), exclusive: attr.bool({ default: false }), reverse: attr.bool({ default: false }) },
    compute: 'promote',
    output: 'compute',
    computeDtypes: 'numeric',
    meta(ins, attrs) {
      const shape = ins[0]!.shape;
      normalizeAxis(attrOf<number>(attrs, 'axis'), shape.length, 'cumsum');
      return shape;
    },
    since: 2,
  },
  {
    name: 'topk',
    family: 'scan',
    doc:
      'The int32 indices of the k largest (`largest`, default) or smallest values along `axis`, in order (descending for ' +
      'largest, ascending else); ties go to the lower index; NaN ranks above +Inf (first when largest, last when smallest); ' +
      '-0 and +0 tie. The values are gather_elements(x, indices, axis); the API\'s topk returns both.',
    inputs: [promoted('x')],
    attrs: { k: attr.int({ min: 0 }), axis: attr.int({ default: -1 }), largest: attr.bool({ default: true }) },
    compute: 'promote',
    output: 'int32',
    computeDtypes: 'numeric',
    meta(ins, attrs) {
      const shape = ins[0]!.shape;
      const axis = normalizeAxis(attrOf<number>(attrs, 'axis'), shape.length, 'topk');
      const k = attrOf<number>(attrs, 'k');
      if (k > shape[axis]!) throw new HearthError('E_ATTR', `topk: k = ${k} is larger than axis ${axis}'s size ${shape[axis]}; pass k <= ${shape[axis]}.`, { k, shape });
      return shape.map((d, i) => (i === axis ? k : d));
    },
    since: 2,
  },
];
