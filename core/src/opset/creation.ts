import { HearthError } from '../errors.js';
import { checkShape } from '../shape.js';
import { elementProblem, type DType } from '../dtype.js';
import { attr } from './attrs.js';
import { attrOf, type OpSchema } from './schema.js';

/** The number of elements `arange(start, stop, step)` gives. */
export function arangeLength(start: number, stop: number, step: number): number {
  return Math.max(0, Math.ceil((stop - start) / step));
}

/** Creation operators: they have no inputs and run on the device they are asked for. */
export const CREATION_OPS: readonly OpSchema[] = [
  {
    name: 'full',
    family: 'creation',
    doc: 'A tensor of `shape` filled with `value`, which must fit `dtype` as `tensor()` requires (an int32 value is an integer in [-2^31, 2^31), else E_ARG).',
    inputs: [],
    attrs: { shape: attr.ints({ min: 0 }), value: attr.number({ default: 0 }), dtype: attr.dtype({ default: 'float32' }) },
    compute: 'attr',
    output: 'compute',
    computeDtypes: 'any',
    meta(_ins, attrs) {
      const value = attrOf<number>(attrs, 'value');
      const problem = elementProblem(value, attrOf<DType>(attrs, 'dtype'));
      if (problem !== undefined) throw new HearthError('E_ARG', `full: value ${problem}.`, { value });
      return checkShape(attrOf<number[]>(attrs, 'shape'));
    },
  },
  {
    name: 'arange',
    family: 'creation',
    doc: 'start, start + step, ... up to (not including) stop; element i is start + i * step computed in float64, then converted.',
    inputs: [],
    attrs: { start: attr.number({ default: 0 }), stop: attr.number(), step: attr.number({ default: 1 }), dtype: attr.dtype({ default: 'float32' }) },
    compute: 'attr',
    output: 'compute',
    computeDtypes: 'numeric',
    meta(_ins, attrs) {
      const start = attrOf<number>(attrs, 'start');
      const stop = attrOf<number>(attrs, 'stop');
      const step = attrOf<number>(attrs, 'step');
      if (step === 0 || ![start, stop, step].every(Number.isFinite)) {
        throw new HearthError('E_ATTR', `arange: start, stop and step must be finite and step nonzero, got (${start}, ${stop}, ${step}).`, { start, stop, step });
      }
      const n = arangeLength(start, stop, step);
      if (n > 2 ** 31 - 1) throw new HearthError('E_ATTR', `arange: ${n} elements is too many; narrow the range or raise step.`, { n });
      return [n];
    },
  },
];
