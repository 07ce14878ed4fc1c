import { attr } from './attrs.js';
import { promoted, type OpSchema } from './schema.js';

/** `cast(x, {dtype})`. The kernel is keyed by the input's dtype and converts into any dtype its backend has. */
export const CAST_OP: OpSchema = {
  name: 'cast',
  family: 'cast',
  doc:
    'Converts to `dtype`. float→int32 truncates toward zero, NaN becomes 0 and out-of-range values saturate to ' +
    'the int32 limits; any→bool is x != 0 (NaN is true); bool→number is 0 or 1; float64→float32 rounds to nearest even.',
  inputs: [promoted('x')],
  attrs: { dtype: attr.dtype() },
  compute: 'promote',
  output: 'attr',
  computeDtypes: 'any',
  meta: (ins) => ins[0]!.shape,
};
