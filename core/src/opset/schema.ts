import type { DType } from '../dtype.js';
import type { Shape } from '../shape.js';
import type { AttrSpec } from './attrs.js';

/** A class of dtypes an input accepts. `numeric` is every dtype but `bool`; `float` the three float types. */
export type DTypeClass = 'any' | 'numeric' | 'float' | 'int32' | 'bool';

/** What `meta` sees of an input: only its shape and dtype, never its data. */
export interface TensorMeta {
  /** The input's shape. */
  readonly shape: Shape;
  /** The input's dtype (after promotion, for promoted inputs). */
  readonly dtype: DType;
}

/** One input of an operator. */
export interface InputSpec {
  /** The input's name, used in messages and docs. */
  readonly name: string;
  /** The dtypes it accepts (checked after promotion for promoted inputs). */
  readonly dtypes: DTypeClass;
  /** Whether the input takes part in type promotion: all promoted inputs are cast to one common dtype. */
  readonly promote: boolean;
  /** A variadic input takes one or more tensors (only `concat` has one in opset v1). */
  readonly variadic?: boolean;
  /** An optional input may be left out (e.g. conv2d's bias). */
  readonly optional?: boolean;
}

/**
 * How the compute dtype (the dtype that keys a kernel) is found:
 * - `promote`: the common dtype of the promoted inputs;
 * - `float`: the same, then non-float types become `float32` (for exp, div, mean, softmax...);
 * - `attr`: the `dtype` attribute (creation operators, which have no inputs).
 */
export type ComputeRule = 'promote' | 'float' | 'attr';

/**
 * The output dtype: `compute` (the compute dtype), a fixed dtype, or `attr` (the `dtype` attribute, for
 * `cast`; there the kernel is keyed by the input's dtype and must convert into every dtype its backend has).
 */
export type OutputRule = 'compute' | 'bool' | 'int32' | 'attr';

/**
 * An operator, as data: its schema and its shape function. Every backend agrees on shapes, dtypes and
 * errors because they are decided here, before any kernel runs.
 */
export interface OpSchema {
  /** The operator's name, e.g. `"add"`. */
  readonly name: string;
  /** Its family (`unary`, `binary`, `reduce`...), for docs and tools. */
  readonly family: string;
  /** One sentence on what it computes, including the rule for special values where one applies. */
  readonly doc: string;
  /** The inputs, in order. */
  readonly inputs: readonly InputSpec[];
  /** The attributes by name. */
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** How the compute dtype is found. */
  readonly compute: ComputeRule;
  /** The output's dtype. */
  readonly output: OutputRule;
  /** The dtypes the compute dtype may take (checked after promotion). */
  readonly computeDtypes: DTypeClass;
  /**
   * The output shape, from the inputs' shapes and dtypes and the normalized attributes. Throws a
   * `HearthError` (`E_SHAPE`, `E_AXIS`, `E_ATTR`, ...) when they don't fit together.
   */
  meta(inputs: readonly TensorMeta[], attrs: Readonly<Record<string, unknown>>): Shape;
  /** The opset version that introduced the operator (1 when absent). Its index never changes after. */
  readonly since?: number;
  /**
   * A composite operator's definition in terms of other operators: any backend with those runs it, and a
   * kernel registered for the composite (a fused kernel) is checked against it. Absent for primitives.
   */
  readonly decompose?: Decomposition;
  /** A composite's accuracy bound: how far a fused kernel may be from its decomposition. */
  readonly bound?: CompositeBound;
}

/** Whether an operator is a primitive (every backend implements it) or a composite (it has a decomposition). */
export type OpKind = 'primitive' | 'composite';

/** The kind of an operator. */
export function kindOf(schema: OpSchema): OpKind {
  return schema.decompose ? 'composite' : 'primitive';
}

/**
 * What a decomposition builds with: calls of other operators by name through the runtime's ordinary op
 * call (validation, promotion, dispatch, fallback: all as for a user's call), and scalar constants.
 * `T` is the runtime's tensor type; decompositions only read its `shape` and `dtype`.
 */
export interface OpBuilder<T extends TensorMeta = TensorMeta> {
  /** Calls an operator, as `hearth.op(name, inputs, attrs)` does. */
  op(name: string, inputs: readonly T[], attrs?: Readonly<Record<string, unknown>>): T;
  /** A 0-d tensor holding `value` in `dtype` (the composite's compute dtype when left out), on the call's device. */
  scalar(value: number, dtype?: DType): T;
}

/**
 * A composite's body: from its inputs (already promoted to the compute dtype `dtype`) and normalized
 * attributes, the result, built only with `b`. Intermediate tensors are the builder's to free.
 */
export type Decomposition = <T extends TensorMeta>(b: OpBuilder<T>, inputs: readonly T[], attrs: Readonly<Record<string, unknown>>, dtype: DType) => T;

/**
 * How close a fused kernel must be to its composite's decomposition (evaluated exactly in float64): within
 * `ulp` ULPs of the compute dtype, or `abs` times the largest magnitude of the inputs (the worst the
 * decomposition's own roundings give), whichever is larger.
 */
export interface CompositeBound {
  /** ULPs of the expected value. */
  readonly ulp: number;
  /** Relative to the inputs' largest magnitude, in units of the dtype's epsilon. */
  readonly abs: number;
  /** The bound in words. */
  readonly text: string;
  /**
   * For a composite that is one call of another operator (a global pool is a `mean`): that operator's
   * name, whose bound (and data-dependent magnitude) then applies instead of `ulp` and `abs`.
   */
  readonly inherits?: string;
}

/** The value of a parsed attribute, typed by the caller (attributes are normalized before `meta`). */
export function attrOf<T>(attrs: Readonly<Record<string, unknown>>, name: string): T {
  return attrs[name] as T;
}

/** The spec input `i` of a call follows (a variadic last input covers every extra tensor). */
export function inputSpec(schema: OpSchema, i: number): InputSpec {
  return schema.inputs[i < schema.inputs.length ? i : schema.inputs.length - 1]!;
}

/** An input spec that takes part in promotion. */
export function promoted(name: string, dtypes: DTypeClass = 'any'): InputSpec {
  return { name, dtypes, promote: true };
}

/** An input spec with its own dtype, outside promotion. */
export function fixed(name: string, dtypes: DTypeClass): InputSpec {
  return { name, dtypes, promote: false };
}
