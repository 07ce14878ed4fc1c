import type { DType, ErrorCode } from '@hearth/core';

/** A tensor input of a case: values already representable in `dtype` (float16 values are float16-rounded). */
export interface TensorInput {
  /** The dtype the tensor is made with. */
  readonly dtype: DType;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its elements in row-major order, as JS numbers (NaN, ±Infinity and -0 included). */
  readonly data: readonly number[];
}

/** What sort of case: sample (small, fast), reference (the edge corpus), error (an expected HearthError), property, lifecycle. */
export type CaseKind = 'sample' | 'reference' | 'error' | 'property' | 'lifecycle' | 'model';

/** The error an error case expects. */
export interface ExpectedError {
  /** The accepted `HearthError` codes. */
  readonly codes: readonly ErrorCode[];
  /** When true, running without an error is also accepted (a check the opset lets a backend skip). */
  readonly optional?: boolean;
}

/**
 * The size tier of a case: `standard` cases are small and fast; `large` ones (reduction lengths past 65,536,
 * reductions over more than 2^24 elements, softmax rows of millions) have a profile of their own.
 */
export type CaseTier = 'standard' | 'large';

/** A further call of a sequence case: the same op and input shapes as the case, other attributes or values. */
export interface FollowUpCall {
  /** The tensor inputs. */
  readonly inputs: readonly TensorInput[];
  /** The attributes. */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** Fields every case has. */
interface CaseBase {
  /** The stable hierarchical ID. */
  readonly id: string;
  /** What sort of case. */
  readonly kind: CaseKind;
  /** Every dtype the case touches (inputs, compute, output): decides its profile and whether the device stores them. */
  readonly dtypes: readonly DType[];
}

/** A case that calls one operator on fixed inputs. */
export interface OpCase extends CaseBase {
  /** sample, reference or error. */
  readonly kind: 'sample' | 'reference' | 'error';
  /** The operator. */
  readonly op: string;
  /** The compute dtype: the kernel key the case exercises. */
  readonly dtype: DType;
  /** The case's short name (the `case` parameter of its ID). */
  readonly name: string;
  /** The tensor inputs. */
  readonly inputs: readonly TensorInput[];
  /** The attributes, as the schema names them. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** The error expected, for error cases. */
  readonly error?: ExpectedError;
  /**
   * Calls made after this one on the same device, after its tensors are disposed, each checked like the
   * first: state kept between calls (a plan or pipeline cache keyed on too little) shows here.
   */
  readonly then?: readonly FollowUpCall[];
  /** The size tier (`standard` when absent). */
  readonly tier?: CaseTier;
}

/** A property test: random inputs from a fast-check arbitrary, compared with the oracle, shrunk on failure. */
export interface PropertyCase extends CaseBase {
  /** property. */
  readonly kind: 'property';
  /** The operator. */
  readonly op: string;
  /** The compute dtype. */
  readonly dtype: DType;
  /** The case name. */
  readonly name: string;
  /** The fast-check seed (derived from the suite seed and the ID). */
  readonly seed: number;
  /** How many random inputs are tried. */
  readonly runs: number;
  /**
   * The regime drawn from: absent for the standard draws (`property`), `threads` for work past the sizes
   * fast backends split over threads (`property-threads`, in the `large` tier).
   */
  readonly regime?: 'threads';
  /** The size tier (`standard` when absent). */
  readonly tier?: CaseTier;
}

/** A check of the device's life cycle rather than of one operator. */
export interface LifecycleCase extends CaseBase {
  /** lifecycle. */
  readonly kind: 'lifecycle';
  /** Which check. */
  readonly check: 'init' | 'readback' | 'supports' | 'leaks';
  /** The dtype checked, where the check is per dtype. */
  readonly dtype?: DType;
}

/**
 * A reference model of a model profile: an ONNX model run whole on the device, its outputs compared with
 * those onnxruntime-node computed on the same inputs (stored beside the model; see `models/`).
 */
export interface ModelCase extends CaseBase {
  /** model. */
  readonly kind: 'model';
  /** The model's name in its set (its file is `models/<name>.onnx`). */
  readonly model: string;
  /** The model set it belongs to. */
  readonly set: string;
  /** The dtype of its inputs and outputs. */
  readonly dtype: 'float32';
}

/** Any case of the suite. */
export type SuiteCase = OpCase | PropertyCase | LifecycleCase | ModelCase;
