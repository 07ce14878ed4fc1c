import type { DType } from '../../dtype.js';
import { promoted, type CompositeBound, type Decomposition, type OpBuilder, type OpSchema, type TensorMeta } from '../schema.js';

/** The fields a composite record states; the rest are the same for every composite. */
type CompositeFields = Omit<OpSchema, 'output' | 'since' | 'decompose' | 'bound' | 'inputs' | 'compute' | 'computeDtypes'> & {
  readonly inputs?: OpSchema['inputs'];
  readonly compute?: OpSchema['compute'];
  readonly computeDtypes?: OpSchema['computeDtypes'];
  readonly decompose: Decomposition;
  readonly bound: CompositeBound;
};

/** A composite operator of opset v2: one float input by default, output in the compute dtype. */
export function composite(fields: CompositeFields): OpSchema {
  return { inputs: [promoted('x')], compute: 'float', computeDtypes: 'float', output: 'compute', since: 2, ...fields };
}

/** An elementwise composite of x: shape in, shape out. */
export function elementwise(name: string, doc: string, attrs: OpSchema['attrs'], bound: CompositeBound, decompose: Decomposition): OpSchema {
  return composite({ name, family: 'activation', doc, attrs, bound, decompose, meta: (ins) => ins[0]!.shape });
}

/** Shorthands for the builder's calls that read like the formula they build. */
export function ops<T extends TensorMeta>(b: OpBuilder<T>, dtype: DType) {
  const c = (v: number | T): T => (typeof v === 'number' ? b.scalar(v, dtype) : v);
  const bin = (name: string) => (x: number | T, y: number | T) => b.op(name, [c(x), c(y)]);
  const un = (name: string) => (x: T) => b.op(name, [x]);
  return {
    add: bin('add'),
    sub: bin('sub'),
    mul: bin('mul'),
    div: bin('div'),
    maximum: bin('maximum'),
    minimum: bin('minimum'),
    exp: un('exp'),
    log: un('log'),
    abs: un('abs'),
    sqrt: un('sqrt'),
    tanh: un('tanh'),
    sigmoid: un('sigmoid'),
    relu: un('relu'),
    gt: bin('gt'),
    where: (cond: T, x: number | T, y: number | T) => b.op('where', [cond, c(x), c(y)]),
    reshape: (x: T, shape: readonly number[]) => b.op('reshape', [x], { shape: [...shape] }),
    mean: (x: T, axes: readonly number[], keepdims = true) => b.op('mean', [x], { axes: [...axes], keepdims }),
  };
}

/** The bound of an elementwise formula of a few roundings: `ulp` ULPs, or `abs` epsilons near zero. */
export const bound = (ulp: number, abs: number, text: string): CompositeBound => ({ ulp, abs, text });
